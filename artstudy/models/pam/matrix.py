"""The design matrix as the fit uses it: the products it needs, from a dense array or from the design's parts.

The popularity-ability fit touches its (N, p) design only through a few products: X'X, X'v, X b,
Z'X (the columns summed within each (artist, window) cell) and, once, a pass over its rows in
blocks. :class:`DenseDesign` gives them for an array. :class:`PartsDesign` gives them for a design
kept as its parts (:meth:`artstudy.models.design.DesignEncoder.parts`): the numeric columns as
one dense (N, d) array and each categorical covariate (and the sale years) as one integer code
per row, never the 0/1 indicator columns. With the paper's covariates and thirty sale years
that is 6 stored columns instead of 47; its products are counts and sums over the codes
(``np.bincount``), exact for the indicators, and its rows are written into a small buffer when a
pass needs them. ``toarray()`` writes the whole matrix (what :attr:`PAMData.X` shows).
:func:`as_design` takes either (or an array-like).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..design import fill_design, fill_rows

__all__ = ["DenseDesign", "PartsDesign", "as_design"]


class DenseDesign:
    """The design products of a dense (N, p) array.

    Parameters
    ----------
    X : array-like of shape (N, p)
    """

    def __init__(self, X):
        self.X = np.asarray(X, dtype=float)
        self.shape = self.X.shape

    def toarray(self) -> np.ndarray:
        return self.X

    def matvec(self, coef) -> np.ndarray:
        """X coef, shape (N,)."""
        return self.X @ coef

    def rmatvec(self, v) -> np.ndarray:
        """X'v, shape (p,)."""
        return v @ self.X

    def gram(self) -> np.ndarray:
        """X'X, shape (p, p)."""
        return self.X.T @ self.X

    def cell_sums(self, cell, n_cells: int) -> np.ndarray:
        """Z'X: the rows of X summed within each cell (``cell`` (N,) in 0..n_cells-1), shape (n_cells, p); the
        sums run in row order within each cell, as ``np.bincount``'s."""
        n_obs = len(cell)
        onehot = sparse.csr_matrix((np.ones(n_obs), (cell, np.arange(n_obs))), shape=(n_cells, n_obs))
        return onehot @ self.X

    def blocks(self, size: int):
        """Yield ``(lo, hi, rows)``: the rows lo:hi of X (views), ``size`` at a time."""
        for lo in range(0, self.shape[0], size):
            yield lo, min(lo + size, self.shape[0]), self.X[lo:lo + size]

    def column_ptp(self, k: int) -> float:
        """Range (max - min) of column k."""
        return float(np.ptp(self.X[:, k]))


class PartsDesign:
    """The design products of a design kept as its parts.

    Parameters
    ----------
    n_rows, n_cols : int
        The design's shape (N, p).
    parts : list
        ``(column, values)`` pairs as :func:`artstudy.models.design.fill_design` reads them: a numeric column
        at position ``column``, or an indicator block (``column`` a slice) with one code per row (-1: none of
        its columns). Columns no part names are 0.
    """

    def __init__(self, n_rows: int, n_cols: int, parts):
        self.shape = (int(n_rows), int(n_cols))
        numeric = [(k, v) for k, v in parts if not isinstance(k, slice)]
        self.dense_columns = np.array([k for k, _ in numeric], dtype=np.int64)
        self.dense = np.empty((self.shape[0], len(numeric)), order="F")  # contiguous columns
        for j, (_, values) in enumerate(numeric):
            self.dense[:, j] = values
        self.indicators = []  # (first column, columns, codes + 1: 0 is none of them)
        for k, codes in parts:
            if isinstance(k, slice):
                size = k.stop - k.start
                dtype = np.int16 if size < np.iinfo(np.int16).max else np.int64
                self.indicators.append((k.start, size, (np.asarray(codes) + 1).astype(dtype)))

    def toarray(self) -> np.ndarray:
        """The whole (N, p) matrix."""
        return fill_design(np.empty(self.shape), self._parts())

    def _parts(self):
        """Parts for :func:`fill_rows` (indicator codes back to -1 for none)."""
        return [(int(k), self.dense[:, j]) for j, k in enumerate(self.dense_columns)] + [
            (slice(start, start + size), _Shifted(codes)) for start, size, codes in self.indicators]

    def matvec(self, coef) -> np.ndarray:
        """X coef, shape (N,): the numeric columns' product plus each indicator block's coefficient of the row."""
        coef = np.asarray(coef, dtype=float)
        out = self.dense @ coef[self.dense_columns]
        for start, size, codes in self.indicators:
            table = np.zeros(size + 1)
            table[1:] = coef[start:start + size]
            out += table[codes]
        return out

    def rmatvec(self, v) -> np.ndarray:
        """X'v, shape (p,): the numeric columns' products and each indicator column's sum of v."""
        out = np.zeros(self.shape[1])
        out[self.dense_columns] = v @ self.dense
        for start, size, codes in self.indicators:
            out[start:start + size] = np.bincount(codes, weights=v, minlength=size + 1)[1:]
        return out

    def gram(self) -> np.ndarray:
        """X'X, shape (p, p): counts of the indicators' pairs and sums of the numeric columns over them."""
        G = np.zeros((self.shape[1], self.shape[1]))
        cols = self.dense_columns
        G[np.ix_(cols, cols)] = self.dense.T @ self.dense
        for a, (start, size, codes) in enumerate(self.indicators):
            block = slice(start, start + size)
            G[block, block] = np.diag(np.bincount(codes, minlength=size + 1)[1:].astype(float))
            for j, col in enumerate(cols):
                G[block, col] = G[col, block] = np.bincount(codes, weights=self.dense[:, j], minlength=size + 1)[1:]
            for start2, size2, codes2 in self.indicators[a + 1:]:
                pairs = np.bincount(codes.astype(np.int64) * (size2 + 1) + codes2, minlength=(size + 1) * (size2 + 1))
                table = pairs.reshape(size + 1, size2 + 1)[1:, 1:].astype(float)
                G[block, start2:start2 + size2] = table
                G[start2:start2 + size2, block] = table.T
        return G

    def cell_sums(self, cell, n_cells: int) -> np.ndarray:
        """Z'X, shape (n_cells, p): each numeric column summed within cells (in row order, as ``np.bincount``)
        and each indicator column's count of rows in the cell."""
        out = np.zeros((n_cells, self.shape[1]))
        for j, col in enumerate(self.dense_columns):
            out[:, col] = np.bincount(cell, weights=self.dense[:, j], minlength=n_cells)
        for start, size, codes in self.indicators:
            counts = np.bincount(cell * (size + 1) + codes, minlength=n_cells * (size + 1))
            out[:, start:start + size] = counts.reshape(n_cells, size + 1)[:, 1:]
        return out

    def blocks(self, size: int):
        """Yield ``(lo, hi, rows)``: the rows lo:hi of X written into a reused (size, p) buffer."""
        buffer = np.empty((size, self.shape[1]))
        parts = self._parts()
        for lo in range(0, self.shape[0], size):
            hi = min(lo + size, self.shape[0])
            yield lo, hi, fill_rows(buffer[:hi - lo], parts, lo, hi)

    def column_ptp(self, k: int) -> float:
        """Range (max - min) of column k."""
        if k in self.dense_columns:
            return float(np.ptp(self.dense[:, int(np.flatnonzero(self.dense_columns == k)[0])]))
        for start, size, codes in self.indicators:
            if start <= k < start + size:
                hit = codes == k - start + 1
                return float(hit.any() and not hit.all())
        return 0.0


class _Shifted:
    """Indicator codes stored shifted by one (0: none), read back as fill_rows's codes (-1: none)."""

    def __init__(self, codes):
        self.codes = codes

    def __getitem__(self, rows):
        return self.codes[rows].astype(np.int64) - 1


def as_design(X):
    """``X`` as design products: a :class:`DenseDesign` or :class:`PartsDesign` as it is, an array wrapped."""
    if isinstance(X, (DenseDesign, PartsDesign)):
        return X
    return DenseDesign(X)
