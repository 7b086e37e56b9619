"""Reference scores from scikit-learn on a preprocessing block's output (output.csv: scaled features,
the label and a `split` column, 0 train / 1 test). Prints one JSON object: the ROC AUC of
RandomForestClassifier and LogisticRegression with the given hyperparameters."""
import json
import sys

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

path, label = sys.argv[1], sys.argv[2]
params = json.loads(sys.argv[3])
frame = pd.read_csv(path)
features = [c for c in frame.columns if c not in (label, "split")]
train, test = frame[frame.split == 0], frame[frame.split == 1]
forest = RandomForestClassifier(n_estimators=params["n_estimators"], max_depth=params["max_depth"],
                                max_features="sqrt", random_state=params["random_state"], n_jobs=-1)
forest.fit(train[features], train[label])
logistic = LogisticRegression(C=1.0, max_iter=1000).fit(train[features], train[label])
print(json.dumps({
    "random_forest_auc": roc_auc_score(test[label], forest.predict_proba(test[features])[:, 1]),
    "logistic_regression_auc": roc_auc_score(test[label], logistic.predict_proba(test[features])[:, 1]),
}))
