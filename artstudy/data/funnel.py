"""Rules applied in order, each lot charged to the first rule it fails, and the funnel of what they left.

One type for every funnel of the study: the data layer's rules (``artstudy prepare``), the
popularity-ability model's selection rule and the synthetic world's truth. A funnel table has the
columns ``step, lots, artists, lots_removed, artists_removed``: lots and distinct artists left after
each step and what the step removed. Funnels chain: :meth:`Funnel.then` appends another funnel whose
first row repeats this one's last.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["Funnel", "FUNNEL_COLUMNS"]

FUNNEL_COLUMNS = ["step", "lots", "artists", "lots_removed", "artists_removed"]


class Funnel:
    """Apply keep-rules to a table of lots in order, remembering the first rule each lot fails.

    Parameters
    ----------
    artists : array-like of shape (N,)
        Artist of each lot (missing values are not counted as artists).
    first_step : str
        Label of the starting row ("lots read").
    alive : array-like of bool, optional
        Lots present at the start (default: all).

    Examples
    --------
    >>> f = Funnel(["a", "a", "b"])
    >>> keep = f.apply("sold", [True, False, True])
    >>> f.table()["lots"].tolist()
    [3, 2]
    """

    def __init__(self, artists, first_step: str = "lots read", alive=None):
        if isinstance(getattr(artists, "dtype", None), pd.CategoricalDtype):  # codes already: no pass over text
            self._codes = np.asarray(pd.Categorical(artists).codes, dtype=np.intp)
        else:
            self._codes, _ = pd.factorize(pd.Series(np.asarray(artists, dtype=object)), use_na_sentinel=True)
        n = self._codes.size
        self._n_codes = int(self._codes.max()) + 2 if n else 1
        self.alive = np.ones(n, dtype=bool) if alive is None else np.asarray(alive, dtype=bool).copy()
        self._steps: list[str] = []
        self._failed = np.zeros(n, dtype=np.int32)  # 0: no rule failed, k: the k-th rule applied
        self._live = self._count(self.alive)  # live lots per artist code (+1: slot 0 counts the missing artists)
        self._rows = [(first_step, int(self.alive.sum()), self._n_artists(), 0, 0)]

    def _count(self, mask) -> np.ndarray:
        return np.bincount(self._codes[mask] + 1, minlength=self._n_codes)

    def _n_artists(self) -> int:
        return int(np.count_nonzero(self._live[1:]))

    @property
    def reason(self) -> np.ndarray:
        """The first rule each lot failed (None where every rule kept it), an object array."""
        return np.array([None, *self._steps], dtype=object)[self._failed]

    def apply(self, step: str, keep) -> np.ndarray:
        """Remove the live lots where ``keep`` is False, charging them to ``step``; returns the live mask."""
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != self.alive.shape:
            raise ValueError(f"rule {step!r}: mask of {keep.size} lots for a funnel of {self.alive.size}")
        out = self.alive & ~keep
        self._steps.append(step)
        self._failed[out] = len(self._steps)
        self.alive &= keep
        self._live -= self._count(out)
        _, lots, artists, _, _ = self._rows[-1]
        now_lots, now_artists = int(self.alive.sum()), self._n_artists()
        self._rows.append((step, now_lots, now_artists, lots - now_lots, artists - now_artists))
        return self.alive.copy()

    def table(self) -> pd.DataFrame:
        """One row per step: step, lots, artists, lots_removed, artists_removed."""
        return pd.DataFrame(self._rows, columns=FUNNEL_COLUMNS)

    def left_out(self) -> pd.Series:
        """The first rule each lot failed (NA for the lots every rule kept), as a string column."""
        from .coded import arrow_text

        return pd.Series(arrow_text([None, *self._steps], self._failed))

    @staticmethod
    def chain(*tables: pd.DataFrame) -> pd.DataFrame:
        """Funnel tables joined in order; each later table's first row (its starting count) is dropped and the
        removed counts are recomputed across the joins."""
        parts = [tables[0][FUNNEL_COLUMNS[:3]]] + [t[FUNNEL_COLUMNS[:3]].iloc[1:] for t in tables[1:]]
        out = pd.concat(parts, ignore_index=True)
        out["lots_removed"] = (-out["lots"].diff()).fillna(0).astype(int)
        out["artists_removed"] = (-out["artists"].diff()).fillna(0).astype(int)
        return out
