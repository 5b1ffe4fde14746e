"""test/data/learn/sklearn-reference.json: scikit-learn's LogisticRegression on a small synthetic
set, for test/head.test.ts (the SDK's head must reach the same solution). Deterministic.
Run with Debian's /usr/bin/python3 (python3-sklearn): /usr/bin/python3 test/data/learn/make-reference.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
n, d, K = 90, 24, 3
y = np.arange(n) % K
codes = np.clip(np.round(rng.normal(0, 40, (n, d)) + 35 * (np.arange(d)[None, :] % K == y[:, None])), -127, 127).astype(int)
X = codes / np.linalg.norm(codes, axis=1, keepdims=True)
Xc = X - X.mean(0)
out = {"sklearn": sklearn.__version__, "codes": codes.tolist(), "y": y.tolist(), "fits": []}
for C in [0.5, 10]:
    m = LogisticRegression(C=C, max_iter=100000, tol=1e-12).fit(Xc, y)
    out["fits"].append({"C": C, "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist()})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sklearn-reference.json")
json.dump(out, open(path, "w"))
print(path)
