"""Serves an MLflow model folder without a scoring script, as Azure ML's no-code MLflow
deployments do. With `mlflow` importable the model loads through mlflow.pyfunc.load_model;
without it the `sklearn` flavor still loads (its pickle or cloudpickle file, as MLmodel says),
and any other flavor is a clear error naming it.

Requests: `input_data` (split orientation {"columns", "data"}, as Azure ML sends, or a list of
rows), `dataframe_split`, `dataframe_records`, `inputs` / `instances`. Answers
{"predictions": [...]}, with "probabilities" and "classes" when the model has predict_proba.
"""

import json
import os
import pickle


class RequestError(ValueError):
    """A request the model cannot read: the caller's to fix (400, as the scoring host answers a 4xx status_code)."""

    status_code = 400


def read_mlmodel(path):
    """The MLmodel file's nested mappings (the YAML subset MLflow writes), without PyYAML."""
    root = {}
    stack = [(-1, root)]
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#") or stripped.startswith("- ") or ":" not in stripped:
                continue
            indent = len(line) - len(line.lstrip(" "))
            key, _, value = stripped.partition(":")
            while stack and indent <= stack[-1][0]:
                stack.pop()
            parent = stack[-1][1]
            value = value.strip()
            if value == "":
                parent[key] = {}
                stack.append((indent, parent[key]))
            else:
                parent[key] = value.strip("'\"")
    return root


def find_model_dir(model_dir):
    """The folder holding MLmodel: the model dir itself, or (on Azure ML) one level below it."""
    if os.path.isfile(os.path.join(model_dir, "MLmodel")):
        return model_dir
    for name in sorted(os.listdir(model_dir)):
        candidate = os.path.join(model_dir, name)
        if os.path.isfile(os.path.join(candidate, "MLmodel")):
            return candidate
    raise FileNotFoundError("no MLmodel file in %s or its subfolders: an MLflow model folder has one (deploy with a scoring_script otherwise)" % model_dir)


def load_sklearn_flavor(folder, flavors):
    flavor = flavors.get("sklearn")
    if not isinstance(flavor, dict):
        names = ", ".join(sorted(flavors)) or "none"
        raise RuntimeError(
            "this MLflow model's flavors are %s; without the mlflow package only the sklearn flavor can be served "
            "(install mlflow for this interpreter: pip install mlflow, or set AUTOPILOT_PYTHON)" % names
        )
    path = os.path.join(folder, flavor.get("pickled_model", "model.pkl"))
    with open(path, "rb") as f:
        if flavor.get("serialization_format") == "cloudpickle":
            try:
                import cloudpickle

                return cloudpickle.load(f)
            except ImportError:
                pass  # a cloudpickle file of a plain scikit-learn object is a pickle too
        return pickle.load(f)


def to_frame(request):
    import pandas as pd

    if not isinstance(request, dict):
        raise RequestError("the request must be a JSON object with input_data, dataframe_split, dataframe_records, inputs or instances")
    for key in ("input_data", "dataframe_split"):
        value = request.get(key)
        if isinstance(value, dict) and "data" in value:
            return pd.DataFrame(value["data"], columns=value.get("columns"), index=value.get("index"))
        if isinstance(value, list):
            return pd.DataFrame(value)
    for key in ("dataframe_records", "inputs", "instances"):
        value = request.get(key)
        if isinstance(value, list):
            return pd.DataFrame(value)
        if isinstance(value, dict):
            return pd.DataFrame(value)
    raise RequestError("the request has none of input_data, dataframe_split, dataframe_records, inputs, instances (keys: %s)" % ", ".join(sorted(request)))


class MlflowScorer:
    def __init__(self, model_dir):
        self.model_dir = model_dir
        self.model = None
        self.pyfunc = None

    def init(self):
        folder = find_model_dir(self.model_dir)
        try:
            import mlflow.pyfunc
        except ImportError:
            mlflow = None
        else:
            mlflow = True
        flavors = read_mlmodel(os.path.join(folder, "MLmodel")).get("flavors", {})
        if mlflow:
            self.pyfunc = __import__("mlflow.pyfunc", fromlist=["load_model"]).load_model(folder)
            # The scikit-learn object, when there is one, for its class probabilities.
            self.model = getattr(getattr(self.pyfunc, "_model_impl", None), "sklearn_model", None)
        else:
            self.model = load_sklearn_flavor(folder, flavors)
        print("loaded the MLflow model in %s (%s)" % (folder, "mlflow" if mlflow else "sklearn flavor, without mlflow"), flush=True)

    def run(self, raw_data):
        try:
            request = json.loads(raw_data)
        except ValueError:
            raise RequestError("the request body is not JSON")
        frame = to_frame(request)
        predictions = self.pyfunc.predict(frame) if self.pyfunc is not None else self.model.predict(frame)
        answer = {"predictions": predictions}
        if self.model is not None and hasattr(self.model, "predict_proba"):
            answer["probabilities"] = self.model.predict_proba(frame)
            answer["classes"] = self.model.classes_
        return answer
