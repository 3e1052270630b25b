"""Azure ML entry script for the model train.py writes: init() loads it, run() scores a request.

Requests are Azure ML's `input_data` in split orientation ({"columns": [...], "data": [[...]]},
null for a missing value) or a list of row objects. The answer names the predictions, the
class probabilities and the classes they refer to.
"""

import glob
import json
import os

import joblib
import pandas as pd

model = None


def init():
    global model
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    # On Azure ML the registered folder sits below AZUREML_MODEL_DIR; locally it may be the folder itself.
    found = sorted(glob.glob(os.path.join(model_dir, "**", "model.pkl"), recursive=True))
    if not found:
        raise FileNotFoundError("no model.pkl under AZUREML_MODEL_DIR=%s" % model_dir)
    model = joblib.load(found[0])
    print("loaded %s" % found[0])


def to_frame(input_data):
    if isinstance(input_data, dict) and "columns" in input_data and "data" in input_data:
        return pd.DataFrame(input_data["data"], columns=input_data["columns"])
    if isinstance(input_data, list) and all(isinstance(row, dict) for row in input_data):
        return pd.DataFrame(input_data)
    raise ValueError("input_data must be {'columns': [...], 'data': [[...]]} or a list of row objects")


def run(raw_data):
    try:
        request = json.loads(raw_data)
    except ValueError:
        raise ValueError("the request body is not JSON")
    if not isinstance(request, dict) or "input_data" not in request:
        raise ValueError("the request needs 'input_data'")
    frame = to_frame(request["input_data"])
    expected = list(model.feature_names_in_)
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise ValueError("columns missing from input_data: %s" % ", ".join(missing))
    frame = frame[expected]
    return {
        "predictions": model.predict(frame).tolist(),
        "probabilities": model.predict_proba(frame).tolist(),
        "classes": model.classes_.tolist(),
    }
