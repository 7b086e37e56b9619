"""The seed demo's prediction service, as it works: Flask, scikit-learn, and the model re-read from the
registry on every request (latest.json, then the pickled model). The reference `make bench` measures
SwiftMage's service against.

  flask_reference.py train --data output.csv --registry DIR   # fit and register a scikit-learn forest
  flask_reference.py serve --registry DIR --port N            # serve it the seed's way
"""
import argparse
import json
import os
from datetime import datetime, timezone

FEATURES = ["account_age", "monthly_charges", "total_charges", "num_services", "customer_service_calls",
            "contract_length", "payment_method_score", "usage_frequency", "support_tickets", "satisfaction_score"]


def train(data, registry):
    import joblib
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(data)
    model = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=100, max_depth=10, random_state=42))
    model.fit(frame[FEATURES], frame["churn"])
    version = "v_reference"
    os.makedirs(os.path.join(registry, version), exist_ok=True)
    joblib.dump(model, os.path.join(registry, version, "model.joblib"))
    with open(os.path.join(registry, "latest.json"), "w") as f:
        json.dump({"version": version, "path": os.path.join(registry, version)}, f)


def serve(registry, port):
    import joblib
    import pandas as pd
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.post("/predict")
    def predict():
        # As the seed does: find and load the latest model on every request.
        with open(os.path.join(registry, "latest.json")) as f:
            latest = json.load(f)
        model = joblib.load(os.path.join(latest["path"], "model.joblib"))
        body = request.get_json()
        row = pd.DataFrame([[body.get(name, 0) for name in FEATURES]], columns=FEATURES)
        churn = float(model.predict_proba(row)[0][1])
        return jsonify({
            "prediction": int(churn > 0.5), "model_version": latest["version"],
            "probability": {"no_churn": 1 - churn, "churn": churn},
            "risk_level": "High" if churn > 0.7 else "Medium" if churn > 0.3 else "Low",
            "prediction_time": datetime.now(timezone.utc).isoformat(),
        })

    @app.get("/ping")
    def ping():
        return ""

    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--registry", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--registry", required=True)
    s.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.command == "train":
        train(args.data, args.registry)
    else:
        serve(args.registry, args.port)
