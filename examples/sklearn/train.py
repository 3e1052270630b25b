"""Trains a scikit-learn classifier on a CSV file (or a folder of CSV files with one header).

Written as for any Azure ML command job: `python train.py --data <csv> --label_column <name>
--model_output <folder>`. Numeric columns are imputed and scaled, text columns imputed and
one-hot encoded, then a logistic regression is fitted. The same data gives the same model bytes.
Validation metrics go to every sink the environment configures: MLflow when MLFLOW_TRACKING_URI
is set (an Azure ML job: mlflow and the azureml-mlflow plugin of the curated environment log them
into the job's run, where mlops-autopilot reads them), and the file named by
AUTOPILOT_METRICS_FILE (the local backend). A sink that fails is a warning on stderr; when every
configured sink failed the script exits with status 3 after writing the model, so that lost
metrics are a failed job rather than a silent gap.
"""

import argparse
import glob
import json
import os
import sys
import time

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

SEED = 42


def read_data(path):
    files = sorted(glob.glob(os.path.join(path, "*.csv"))) if os.path.isdir(path) else [path]
    if not files:
        sys.exit("no CSV files in %s" % path)
    frames = [pd.read_csv(f) for f in files]
    header = list(frames[0].columns)
    for f, frame in zip(files, frames):
        if list(frame.columns) != header:
            sys.exit("%s has another header than %s: %s" % (f, files[0], list(frame.columns)))
    return pd.concat(frames, ignore_index=True)


def build_model(features):
    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
    categorical = [c for c in features.columns if c not in numeric]
    preprocess = ColumnTransformer(
        [
            ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),
            ("categorical", Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("encode", OneHotEncoder(handle_unknown="ignore"))]), categorical),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("classify", LogisticRegression(max_iter=1000, random_state=SEED))])


def log_metrics(metrics):
    """Sends the metrics to every configured sink; returns (sinks that took them, problems)."""
    delivered, problems = [], []
    metrics_file = os.environ.get("AUTOPILOT_METRICS_FILE")
    if metrics_file:
        try:
            with open(metrics_file, "a") as f:
                for name, value in metrics.items():
                    f.write(json.dumps({"name": name, "value": value}) + "\n")
            delivered.append(metrics_file)
        except OSError as error:
            problems.append("cannot append metrics to AUTOPILOT_METRICS_FILE %s: %s" % (metrics_file, error))
    # Azure ML sets MLFLOW_TRACKING_URI (and MLFLOW_RUN_ID, the job's run) in a job's container.
    if os.environ.get("MLFLOW_TRACKING_URI"):
        try:
            import mlflow
        except ImportError as error:
            problems.append("MLFLOW_TRACKING_URI is set but mlflow cannot be imported (%s); "
                            "the environment needs mlflow and azureml-mlflow" % error)
        else:
            try:
                for name, value in metrics.items():
                    mlflow.log_metric(name, value)
                delivered.append("MLflow")
            except Exception as error:  # any failure of the client or the server is reported, not raised
                problems.append("metrics not logged to MLflow: %s: %s" % (type(error).__name__, error))
    return delivered, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a CSV file, or a folder of CSV files with one header")
    parser.add_argument("--label_column", default="label")
    parser.add_argument("--model_output", required=True, help="folder the model is written to")
    args = parser.parse_args()

    started = time.time()
    data = read_data(args.data)
    if args.label_column not in data.columns:
        sys.exit("label column '%s' is not in the data; its columns: %s" % (args.label_column, ", ".join(data.columns)))
    labels = data[args.label_column]
    features = data.drop(columns=[args.label_column])
    classes = labels.dropna().unique()
    if len(classes) < 2:
        sys.exit("the label column '%s' has %d class(es); a classifier needs two or more" % (args.label_column, len(classes)))
    print("read %d rows, %d feature columns, classes %s" % (len(data), features.shape[1], sorted(map(str, classes))), flush=True)

    counts = labels.value_counts()
    stratify = labels if counts.min() >= 2 else None
    x_train, x_valid, y_train, y_valid = train_test_split(features, labels, test_size=0.2, random_state=SEED, stratify=stratify)
    model = build_model(features).fit(x_train, y_train)
    proba = model.predict_proba(x_valid)
    metrics = {"accuracy": float(accuracy_score(y_valid, model.predict(x_valid)))}
    if len(set(y_valid)) == len(model.classes_):
        metrics["auc"] = float(roc_auc_score(y_valid, proba[:, 1]) if len(model.classes_) == 2 else roc_auc_score(y_valid, proba, multi_class="ovr"))
        metrics["log_loss"] = float(log_loss(y_valid, proba, labels=model.classes_))
    print("validation: %s" % ", ".join("%s %.4f" % kv for kv in sorted(metrics.items())), flush=True)
    delivered, problems = log_metrics(metrics)

    # The served model is fitted on every row; the split above only measured it.
    model = build_model(features).fit(features, labels)
    os.makedirs(args.model_output, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_output, "model.pkl"))
    print("model written to %s in %.1f s" % (args.model_output, time.time() - started), flush=True)
    if problems and not delivered:
        print("error: the model was written but its metrics reached no sink: %s" % "; ".join(problems), file=sys.stderr, flush=True)
        sys.exit(3)
    for problem in problems:
        print("warning: %s" % problem, file=sys.stderr, flush=True)


if __name__ == "__main__":
    np.random.seed(SEED)
    main()
