"""The public diabetes dataset (Efron et al. 2004, as scikit-learn ships it, unscaled) as a CSV,
with scikit-learn's Ridge fitted on it as the reference for the TypeScript regressor.

Run with Debian's python3: /usr/bin/python3 scripts/regression-dataset.py
"""
import json

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler

data = load_diabetes(scaled=False, as_frame=True)
frame = data.frame.rename(columns={"target": "progression"})
frame.to_csv("test/fixtures/regression/diabetes.csv", index=False)

X = data.data.to_numpy()
y = data.target.to_numpy()
l2 = 1e-3
scaled = StandardScaler().fit_transform(X)  # population std, as the example's fitFeatures
ridge = Ridge(alpha=l2 * len(y)).fit(scaled, y)
with open("test/fixtures/regression/diabetes-ridge.json", "w") as f:
    json.dump(
        {
            "generator": "scripts/regression-dataset.py",
            "l2": l2,
            "intercept": float(ridge.intercept_),
            "coefficients": ridge.coef_.tolist(),
            "predictions": ridge.predict(scaled).tolist(),
        },
        f,
        indent=1,
    )
