"""Fitting small linear classifiers with scikit-learn.

scikit-learn's LogisticRegression (lbfgs, multinomial) is the maintained,
well-tested way to fit a softmax classifier; the core only applies the fitted
weights with numpy, so scikit-learn is needed when a model is (re)built, not
when it is cached.
"""

from __future__ import annotations

import numpy as np


def fit_softmax(
    x: np.ndarray, y: np.ndarray, n_classes: int, c: float = 1.0, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fit multinomial logistic regression; returns (W of shape (n_classes, d), b of shape (n_classes,))."""
    from sklearn.linear_model import LogisticRegression

    present = np.unique(y)
    if len(present) < min(3, n_classes):
        raise ValueError(f"need examples of at least {min(3, n_classes)} classes")
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(x, y, sample_weight=sample_weight)
    w = np.zeros((n_classes, x.shape[1]))
    if len(present) == 2:
        # Binary: scikit-learn fits one logit for the second class; as softmax rows, [0, z].
        lo, hi = (int(k) for k in model.classes_)
        b = np.full(n_classes, -1e3)
        w[hi], b[hi], b[lo] = model.coef_[0], model.intercept_[0], 0.0
        return w, b
    b = np.full(n_classes, -1e3)  # a class absent from training is never predicted
    for row, cls in enumerate(model.classes_):
        w[int(cls)] = model.coef_[row]
        b[int(cls)] = model.intercept_[row]
    return w, b
