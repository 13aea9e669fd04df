"""TF-IDF features and multinomial logistic regression (L2, L-BFGS) in plain numpy.

The same model as scikit-learn's `LogisticRegression(C=...)` on the same features (we
checked: equal cross-validated macro-F1 on data/ai/train.jsonl), without scipy and
scikit-learn in the install. The data stays sparse (index arrays); training both heads
on ~700 examples takes about a second.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Sequence

# The products here are small: BLAS threads only fight each other (and the web workers).
# An operator's explicit setting wins; it has effect only if numpy is not imported yet.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np


class Vocabulary:
    """Feature name -> column, with smoothed IDF weights (sublinear TF, L2-normalised rows)."""

    def __init__(self, names: Sequence[str], idf: np.ndarray) -> None:
        self.names = list(names)
        self.index = {name: column for column, name in enumerate(self.names)}
        self.idf = idf

    @classmethod
    def fit(cls, documents: Sequence[Counter[str]]) -> Vocabulary:
        df: Counter[str] = Counter()
        for features in documents:
            df.update(features.keys())
        names = sorted(df)
        n = len(documents)
        idf = np.array([math.log((1 + n) / (1 + df[name])) + 1.0 for name in names])
        return cls(names, idf)

    def transform(self, features: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one document; unknown features are dropped."""
        columns, counts = [], []
        for name, count in features.items():
            column = self.index.get(name)
            if column is not None:
                columns.append(column)
                counts.append(count)
        cols = np.array(columns, dtype=np.int64)
        values = (1.0 + np.log(np.array(counts, dtype=np.float64))) * self.idf[cols] if columns else np.zeros(0)
        norm = float(np.sqrt(values @ values)) if columns else 0.0
        return cols, values / norm if norm else values


def lbfgs(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    *,
    max_iter: int = 50,
    memory: int = 10,
    gtol: float = 1e-5,
) -> np.ndarray:
    """Minimise `fun` (value and gradient) with limited-memory BFGS and Armijo backtracking."""
    x = x0
    f, g = fun(x)
    history: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(max_iter):
        q = g.copy()
        alphas = []
        for s, y, rho in reversed(history):
            alpha = rho * float(s @ q)
            alphas.append(alpha)
            q -= alpha * y
        if history:
            s, y, _ = history[-1]
            q *= float(s @ y) / float(y @ y)
        for (s, y, rho), alpha in zip(history, reversed(alphas), strict=True):
            q += s * (alpha - rho * float(y @ q))
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            history.clear()
            direction, slope = -g, -float(g @ g)
        step = 1.0 if history else min(1.0, 1.0 / (float(np.linalg.norm(g)) + 1e-12))
        while True:
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s, y = x_new - x, g_new - g
        sy = float(s @ y)
        if sy > 1e-10:
            history.append((s, y, 1.0 / sy))
            if len(history) > memory:
                history.pop(0)
        x, f, g = x_new, f_new, g_new
        if float(np.abs(g).max()) < gtol:
            break
    return x


class SparseRows:
    """Rows of (columns, values) as CSR and CSC index arrays, and their Gram matrix."""

    def __init__(self, rows: Sequence[tuple[np.ndarray, np.ndarray]], n_features: int) -> None:
        self.n, self.n_features = len(rows), n_features
        lengths = np.array([len(columns) for columns, _ in rows], dtype=np.int64)
        columns = np.concatenate([c for c, _ in rows]) if self.n else np.zeros(0, dtype=np.int64)
        values = np.concatenate([v for _, v in rows]) if self.n else np.zeros(0)
        row_of = np.repeat(np.arange(self.n), lengths)
        order = np.lexsort((row_of, columns))  # by column, then row
        self.col_index, self.col_rows, self.col_values = columns[order], row_of[order], values[order]
        self.col_start = np.searchsorted(self.col_index, np.arange(n_features))
        self.col_length = np.bincount(columns, minlength=n_features)
        self.rows = rows

    def gram(self) -> np.ndarray:
        """K = X Xᵀ (n x n): row i against every row, through the postings of row i's features."""
        gram = np.zeros((self.n, self.n))
        for i, (columns, values) in enumerate(self.rows):
            if not len(columns):
                continue
            lengths = self.col_length[columns]
            total = int(lengths.sum())
            offsets = np.repeat(self.col_start[columns] - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            gram[i] = np.bincount(
                self.col_rows[offsets], weights=self.col_values[offsets] * np.repeat(values, lengths), minlength=self.n
            )
        return gram

    def transpose_dot(self, coefficients: np.ndarray) -> np.ndarray:
        """Xᵀ A (features x k)."""
        result = np.zeros((self.n_features, coefficients.shape[1]))
        used = self.col_length > 0
        if used.any():
            result[used] = np.add.reduceat(
                self.col_values[:, None] * coefficients[self.col_rows], self.col_start[used], axis=0
            )
        return result


class SoftmaxRegression:
    """Multinomial logistic regression; `C` is the inverse L2 strength (as scikit-learn's).

    Trained in the dual-parameterised form W = Xᵀ A (the L2 optimum lies in the span of
    the training rows): with a few hundred rows and tens of thousands of n-gram features
    the n x n Gram matrix makes each L-BFGS step a small dense product. Predictions use
    W itself.
    """

    def __init__(self, labels: Sequence[str], weights: np.ndarray, bias: np.ndarray) -> None:
        self.labels = list(labels)
        self.weights = weights  # (features, labels)
        self.bias = bias  # (labels,)

    @classmethod
    def fit(
        cls,
        data: SparseRows,
        gram: np.ndarray,
        targets: Sequence[str],
        *,
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
        balanced: bool = False,
        C: float = 30.0,  # noqa: N803 - the usual name
        max_iter: int = 100,
    ) -> SoftmaxRegression:
        labels = list(labels)
        n, k = data.n, len(labels)
        position = {label: i for i, label in enumerate(labels)}
        y = np.array([position[target] for target in targets], dtype=np.int64)
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if balanced:  # as scikit-learn's class_weight="balanced", over the classes present
            counts = np.bincount(y, minlength=k).astype(np.float64)
            present = counts > 0
            factors = np.zeros(k)
            factors[present] = n / (present.sum() * counts[present])
            weight = weight * factors[y]
        onehot = np.zeros((n, k))
        onehot[np.arange(n), y] = 1.0
        penalty = 1.0 / C
        rows = np.arange(n)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            alpha = theta[: n * k].reshape(n, k)
            k_alpha = gram @ alpha
            scores = k_alpha + theta[n * k :]
            scores -= scores.max(axis=1, keepdims=True)
            exp = np.exp(scores)
            total = exp.sum(axis=1)
            loss = -float((weight * (scores[rows, y] - np.log(total))).sum())
            residual = (exp / total[:, None] - onehot) * weight[:, None]
            value = loss + 0.5 * penalty * float((alpha * k_alpha).sum())
            grad_alpha = gram @ (residual + penalty * alpha)
            return value, np.concatenate([grad_alpha.ravel(), residual.sum(axis=0)])

        theta = lbfgs(objective, np.zeros(n * k + k), max_iter=max_iter)
        alpha = theta[: n * k].reshape(n, k)
        return cls(labels, data.transpose_dot(alpha), theta[n * k :].copy())

    def predict_proba(self, columns: np.ndarray, values: np.ndarray) -> dict[str, float]:
        scores = self.bias + values @ self.weights[columns] if len(columns) else self.bias.copy()
        scores = scores - scores.max()
        exp = np.exp(scores)
        probabilities = exp / exp.sum()
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}
