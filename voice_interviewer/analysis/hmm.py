"""Generic HMM decoding in log space (pure numpy): the most likely state path and the forward-backward marginals."""

from __future__ import annotations

import numpy as np


def viterbi(log_emit: np.ndarray, log_trans: np.ndarray, log_start: np.ndarray) -> list[int]:
    n = len(log_emit)
    if n == 0:
        return []
    score = log_start + log_emit[0]
    k = len(log_start)
    back = np.zeros((n, k), dtype=int)
    for t in range(1, n):
        cand = score[:, None] + log_trans
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + log_emit[t]
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def posteriors(log_emit: np.ndarray, log_trans: np.ndarray, log_start: np.ndarray) -> np.ndarray:
    """Forward-backward marginals P(state_t | all sentences), shape (n, states)."""
    n, k = len(log_emit), len(log_start)
    if n == 0:
        return np.zeros((0, k))
    fwd = np.zeros((n, k))
    bwd = np.zeros((n, k))
    fwd[0] = log_start + log_emit[0]
    for t in range(1, n):
        fwd[t] = np.logaddexp.reduce(fwd[t - 1][:, None] + log_trans, axis=0) + log_emit[t]
    for t in range(n - 2, -1, -1):
        bwd[t] = np.logaddexp.reduce(log_trans + (log_emit[t + 1] + bwd[t + 1])[None, :], axis=1)
    joint = fwd + bwd
    return np.exp(joint - np.logaddexp.reduce(joint, axis=1, keepdims=True))
