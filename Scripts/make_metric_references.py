#!/usr/bin/env python3
"""Reference values for the GLUE metrics (Tests/GLUETests/Resources/metric_references.json).

Computes accuracy, F1 (positive class 1) and Matthews correlation with scikit-learn, and Pearson,
Spearman and average ranks with SciPy, on seeded random prediction/label sets plus degenerate cases.
The Swift tests (GLUETests/MetricReferenceTests.swift) assert agreement to 1e-12.

Needs numpy, scipy, scikit-learn (e.g. /work/oracle/venv after `pip install scikit-learn`).
Usage: python3 Scripts/make_metric_references.py [OUTPUT_JSON]
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "Tests", "GLUETests", "Resources", "metric_references.json")

rng = np.random.default_rng(20240611)


def classification_case(name, predictions, labels):
    predictions = [int(x) for x in predictions]
    labels = [int(x) for x in labels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero_division / single-class warnings in degenerate cases
        case = {
            "name": name,
            "predictions": predictions,
            "labels": labels,
            "accuracy": float(accuracy_score(labels, predictions)),
            "mcc": float(matthews_corrcoef(labels, predictions)),
        }
        if set(labels) | set(predictions) <= {0, 1}:
            case["f1"] = float(f1_score(labels, predictions))
    return case


def nan_to_none(x):
    return None if math.isnan(x) else float(x)


def regression_case(name, predictions, labels):
    predictions = [float(x) for x in predictions]
    labels = [float(x) for x in labels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant-input warnings
        pearson = scipy.stats.pearsonr(labels, predictions)[0]
        spearman = scipy.stats.spearmanr(labels, predictions)[0]
    return {
        "name": name,
        "predictions": predictions,
        "labels": labels,
        "pearson": nan_to_none(pearson),    # null = NaN (constant input)
        "spearman": nan_to_none(spearman),
        "prediction_ranks": [float(r) for r in scipy.stats.rankdata(predictions, method="average")],
        "label_ranks": [float(r) for r in scipy.stats.rankdata(labels, method="average")],
    }


classification = []
for n in (10, 57, 400):
    labels = rng.integers(0, 2, n)
    noisy = np.where(rng.random(n) < 0.25, 1 - labels, labels)
    classification.append(classification_case(f"binary correlated n={n}", noisy, labels))
    classification.append(classification_case(f"binary random n={n}", rng.integers(0, 2, n), labels))
imbalanced = (rng.random(300) < 0.1).astype(int)
classification.append(classification_case("binary imbalanced", (rng.random(300) < 0.15).astype(int), imbalanced))
classification.append(classification_case("all labels one class (MCC 0)", rng.integers(0, 2, 50), [1] * 50))
classification.append(classification_case("all predictions one class (MCC 0)", [0] * 50, rng.integers(0, 2, 50)))
classification.append(classification_case("all zero (F1 0, MCC 0)", [0] * 20, [0] * 20))
classification.append(classification_case("perfect", [0, 1, 1, 0, 1], [0, 1, 1, 0, 1]))
classification.append(classification_case("inverted", [1, 0, 0, 1, 0], [0, 1, 1, 0, 1]))
classification.append(classification_case("no predicted positives, some true", [0] * 8, [0, 1, 0, 1, 0, 0, 0, 0]))
for n in (30, 500):
    labels = rng.integers(0, 3, n)
    predictions = np.where(rng.random(n) < 0.4, rng.integers(0, 3, n), labels)
    classification.append(classification_case(f"3-class n={n}", predictions, labels))
labels = rng.integers(0, 3, 200)
classification.append(classification_case("3-class, predictions never class 2",
                                          np.minimum(labels, 1) ^ (rng.random(200) < 0.2), labels))
classification.append(classification_case("3-class, all predictions one class (MCC 0)", [2] * 40, rng.integers(0, 3, 40)))
classification.append(classification_case("5-class", rng.integers(0, 5, 250), rng.integers(0, 5, 250)))

regression = []
for n in (5, 40, 300):
    labels = rng.uniform(0, 5, n)
    predictions = labels + rng.normal(0, 1.0, n)
    regression.append(regression_case(f"continuous n={n}", predictions, labels))
labels = np.round(rng.uniform(0, 5, 300) * 5) / 5          # STS-B style scores: steps of 0.2, many ties
predictions = labels + rng.normal(0, 0.8, 300)
regression.append(regression_case("STS-B-like labels with ties", predictions, labels))
regression.append(regression_case("ties in both", np.round(predictions), labels))
regression.append(regression_case("anti-correlated", -labels[:50] + rng.normal(0, 0.1, 50), labels[:50]))
regression.append(regression_case("monotone non-linear", np.exp(labels[:60]), labels[:60]))
regression.append(regression_case("constant predictions (NaN)", [2.5] * 10, labels[:10]))
regression.append(regression_case("two values", [1.0, 3.0], [0.5, 4.0]))
regression.append(regression_case("large offsets", 1e6 + predictions[:100], labels[:100]))

result = {
    "generator": "Scripts/make_metric_references.py",
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__},
    "classification": classification,
    "regression": regression,
}
with open(OUT, "w") as f:
    json.dump(result, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"wrote {OUT}: {len(classification)} classification and {len(regression)} regression cases")
