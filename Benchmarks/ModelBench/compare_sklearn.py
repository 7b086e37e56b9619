#!/usr/bin/env python3
"""Side-by-side benchmark: the Models plugin (Swift) vs scikit-learn's RandomForestClassifier.

For each size, runs the Swift `model-bench` executable, which generates the project's churn data,
writes the stratified 80/20 split as CSV and times its own forest; then fits scikit-learn's
RandomForestClassifier (n_jobs=-1, same hyperparameters) on the very same CSVs and prints both with
the speed ratio. Swift and sklearn run one after the other per size (never concurrently), so both
see about the same machine load; the 1-minute load average is printed because on a shared machine
it moves the timings a lot. Times are the best of --repeat runs (sklearn repeats only below
--sklearn-repeat-max rows, as a 1M-row sklearn fit takes minutes).

usage: compare_sklearn.py --bench .build/release/models-bench [--sizes 1000,100000,1000000]
                          [--out bench-data] [--trees 100] [--depth 10] [--repeat 3]
                          [--json results.json]
"""
import os
import argparse
import json
import subprocess
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler


def load(path):
    frame = pd.read_csv(path, dtype=np.float64)
    return frame.drop(columns="churn").to_numpy(), frame["churn"].to_numpy().astype(int)


def sklearn_run(out, rows, trees, depth, repeat):
    x_train, y_train = load(f"{out}/churn_{rows}_train.csv")
    x_test, y_test = load(f"{out}/churn_{rows}_test.csv")
    fit = predict = float("inf")
    for _ in range(repeat):
        forest = RandomForestClassifier(n_estimators=trees, max_depth=depth, random_state=42, n_jobs=-1)
        start = time.perf_counter()
        forest.fit(x_train, y_train)
        fit = min(fit, time.perf_counter() - start)
        start = time.perf_counter()
        p = forest.predict_proba(x_test)[:, 1]
        predict = min(predict, time.perf_counter() - start)
    scaler = StandardScaler().fit(x_train)
    logistic = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(x_train), y_train)
    lr_auc = roc_auc_score(y_test, logistic.predict_proba(scaler.transform(x_test))[:, 1])
    return {"fit_s": fit, "predict_s": predict, "auc": roc_auc_score(y_test, p), "lr_auc": lr_auc,
            "churn_rate": (y_train.sum() + y_test.sum()) / rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default=".build/release/model-bench")
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--out", default="bench-data")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--depth", default="10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sklearn-repeat-max", type=int, default=100_000)
    parser.add_argument("--json", help="also write all results to this file")
    args = parser.parse_args()
    depth = None if args.depth == "none" else int(args.depth)

    results = []
    for rows in args.sizes.split(","):
        command = [args.bench, "--sizes", rows, "--out", args.out, "--trees", str(args.trees),
                   "--depth", args.depth, "--repeat", str(args.repeat)]
        load_before = os.getloadavg()[0]
        ours = json.loads(subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout)
        repeat = args.repeat if ours["rows"] <= args.sklearn_repeat_max else 1
        theirs = sklearn_run(args.out, ours["rows"], args.trees, depth, repeat)
        theirs["load_avg_1min"] = [load_before, os.getloadavg()[0]]
        results.append({"rows": ours["rows"], "swift": ours, "sklearn": theirs})
        print_row(results[-1], header=len(results) == 1)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)


def print_row(r, header):
    s, k = r["swift"], r["sklearn"]
    if header:
        print(f"{'rows':>9} | {'fit swift':>9} {'fit sklearn':>11} {'ratio':>6} | {'pred swift':>10} "
              f"{'pred sklearn':>12} {'ratio':>6} | {'AUC swift':>9} {'AUC sklearn':>11} {'diff':>7} | "
              f"{'LR AUC swift':>12} {'LR AUC sklearn':>14} | churn  | load")
    print(f"{r['rows']:>9} | {s['rf_fit_s']:>9.3f} {k['fit_s']:>11.3f} {k['fit_s'] / s['rf_fit_s']:>5.1f}x | "
          f"{s['rf_predict_s']:>10.3f} {k['predict_s']:>12.3f} {k['predict_s'] / s['rf_predict_s']:>5.1f}x | "
          f"{s['rf_auc']:>9.4f} {k['auc']:>11.4f} {s['rf_auc'] - k['auc']:>+7.4f} | "
          f"{s['lr_auc']:>12.4f} {k['lr_auc']:>14.4f} | {s['churn_rate']:.4f} | "
          f"{k['load_avg_1min'][0]:.1f}-{k['load_avg_1min'][1]:.1f}", flush=True)


if __name__ == "__main__":
    main()
