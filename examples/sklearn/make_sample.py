"""Writes sample.csv from scikit-learn's bundled copy of the Breast Cancer Wisconsin (Diagnostic)
dataset (UCI; 569 rows, 30 numeric features; no download). label 1 = benign, 0 = malignant."""

import re
import sys

from sklearn.datasets import load_breast_cancer

frame = load_breast_cancer(as_frame=True).frame
frame.columns = [re.sub(r"[^a-z0-9]+", "_", c.lower()).strip("_") for c in frame.columns]
frame = frame.rename(columns={"target": "label"})
frame.to_csv(sys.argv[1] if len(sys.argv) > 1 else "sample.csv", index=False, float_format="%.6g")
