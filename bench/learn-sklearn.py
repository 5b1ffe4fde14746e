"""scikit-learn's reference for bench/learn.ts: LogisticRegression on the same embeddings.

Reads {X: raw pooled features, y, splits: {k: [{train, test}]}}; each embedding is L2-normalized
(what classifier.embed gives). Per split: C chosen by 5-fold stratified cross-validation on the
training photos (LogisticRegressionCV), and the best C on the test photos (an oracle). Prints
JSON {k: {cv: [acc], oracle: [acc], cvC: [C]}}. Run with Debian's /usr/bin/python3 (python3-sklearn).
"""
import json
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

warnings.filterwarnings("ignore", category=ConvergenceWarning)
data = json.load(open(sys.argv[1]))
X = np.array(data["X"], dtype=np.float64)
X /= np.linalg.norm(X, axis=1, keepdims=True)
y = np.array(data["y"])
Cs = [0.01, 0.1, 1, 10, 100, 1000]
out = {}
for k, splits in data["splits"].items():
    cv, oracle, cvC = [], [], []
    for s in splits:
        tr, te = np.array(s["train"]), np.array(s["test"])
        m = LogisticRegressionCV(Cs=Cs, cv=5, max_iter=2000).fit(X[tr], y[tr])
        cv.append(float((m.predict(X[te]) == y[te]).mean()))
        cvC.append(float(m.C_[0]))
        best = 0.0
        for C in Cs:
            acc = float((LogisticRegression(C=C, max_iter=2000).fit(X[tr], y[tr]).predict(X[te]) == y[te]).mean())
            best = max(best, acc)
        oracle.append(best)
    out[k] = {"cv": cv, "oracle": oracle, "cvC": cvC}
print(json.dumps(out))
