"""Reference numbers for the regression metrics (test/fixtures/evaluation/regression.json).

Run with Debian's python3 (scikit-learn): /usr/bin/python3 scripts/regression-fixtures.py
"""
import json

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2_score


def case(name, y, p):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    out = {
        "name": name,
        "truth": y.tolist(),
        "predictions": p.tolist(),
        "rmse": float(np.sqrt(mean_squared_error(y, p))),  # root_mean_squared_error is scikit-learn >= 1.4
        "mae": mean_absolute_error(y, p),
        "r2": r2_score(y, p),
    }
    if np.all(y != 0):
        out["mape"] = mean_absolute_percentage_error(y, p)
    return out


rng = np.random.default_rng(7)
X, y = load_diabetes(return_X_y=True)
linear = LinearRegression().fit(X[:342], y[:342]).predict(X[342:])
ridge = Ridge(alpha=1.0).fit(X[:342], y[:342]).predict(X[342:])
prices = 2e6 + rng.normal(0, 5e4, 200)
cases = [
    case("diabetes holdout, LinearRegression", y[342:], linear),
    case("diabetes holdout, Ridge(alpha=1)", y[342:], ridge),
    case("prices in the millions", prices, prices + rng.normal(0, 1e4, 200)),
    case("a zero target (no mape)", [0.0, 1.0, 2.0, 3.0], [0.5, 1.0, 2.5, 2.0]),
    case("constant target, imperfect fit (r2 0)", [3.0, 3.0, 3.0], [3.0, 2.0, 4.0]),
    case("constant target, perfect fit (r2 1)", [3.0, 3.0, 3.0], [3.0, 3.0, 3.0]),
]
with open("test/fixtures/evaluation/regression.json", "w") as f:
    json.dump({"generator": "scripts/regression-fixtures.py", "cases": cases}, f, indent=1)
