"""A sales table turned into the popularity-ability model's arrays, with a funnel of what each rule removed.

:func:`prepare` takes a sales table in the canonical layout (:mod:`artstudy.models.base`):

1. popularity (the seed paper's Eq. 1, or its unit-free variant) of every row is computed from the
   table's *history*: every priced lot of the artist, also the rows whose ``left_out`` names a rule
   (no creation year, no size, sculpture, ...). Those rows are history only; they never enter the
   likelihood;
2. the in-sample rows are validated (:func:`artstudy.data.validation.check_sales`);
3. works made before the first work window are dropped, then the artist-selection rule
   (:mod:`artstudy.models.pam.selection`) keeps artists and their works inside ``[t'_0, t'_1]``
   (skipped with ``min_works=None``);
4. the design (:class:`artstudy.models.design.DesignEncoder`, learned on the kept rows) gets the
   popularity column last. The model checks it for full column rank (:func:`check_full_rank`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._section import build
from ...data.funnel import Funnel
from ...data.validation import check_sales
from ...errors import InputError
from ..base import in_sample
from ..design import DesignEncoder
from ..features import history_table, popularity_for
from .selection import artist_spans, work_window
from .settings import PAMSettings

__all__ = ["PAMData", "prepare", "design", "check_full_rank", "selection_step"]


@dataclass
class PAMData:
    """Model inputs prepared from a sales table.

    ``artist`` indexes ``artists`` (sorted names); ``window`` is the work window relative to the
    artist's first kept window ``first_window`` (absolute window index), ``0..lengths-1``.
    """

    X: np.ndarray
    y: np.ndarray
    names: list
    artist: np.ndarray
    window: np.ndarray
    lengths: np.ndarray
    first_window: np.ndarray
    artists: np.ndarray
    sales: pd.DataFrame  # the kept rows, with popularity, work_window and window columns
    funnel: pd.DataFrame
    encoder: DesignEncoder
    history: pd.DataFrame  # every priced lot of the table (features.history_table)
    settings: PAMSettings


def selection_step(settings: PAMSettings) -> str:
    """The funnel's label of the artist-selection rule."""
    return (f"artist has >= {settings.min_works} works in each of >= {settings.min_windows} "
            f"consecutive windows")


def check_full_rank(X: np.ndarray, names, source: str = "design matrix", gram=None) -> None:
    """Raise :class:`InputError` naming the constant or collinear columns when ``X`` lacks full column rank.

    ``gram`` is X'X when the caller has it; the scaled Gram matrix needs no (N, p) copy of X.
    """
    names = list(names)
    gram = X.T @ X if gram is None else gram
    norms = np.sqrt(np.diag(gram))
    if np.any(norms == 0):
        zero = [names[k] for k in np.flatnonzero(norms == 0)]
        raise InputError(f"{source}: rank deficient: column {', '.join(zero)} is constant 0 "
                         "(a covariate level or sale year with no sale)")
    w, v = np.linalg.eigh(gram / np.outer(norms, norms))  # condition number above 1e12: numerically rank deficient
    null = v[:, w < 1e-12 * w.max()]
    if null.size == 0:
        return
    weight = np.abs(null).max(axis=1)
    involved = [names[k] for k in np.flatnonzero(weight > 1e-6)]
    constant = [n for k, n in enumerate(names) if np.ptp(X[:, k]) == 0 and n != "intercept"]
    if constant and "intercept" in names:
        raise InputError(f"{source}: rank deficient: column {', '.join(constant)} is constant "
                         "(collinear with the intercept)")
    raise InputError(f"{source}: rank deficient: columns {', '.join(involved)} are collinear")


def _in_sample_rows(sales: pd.DataFrame, covariates, source: str) -> pd.DataFrame:
    for column in ("artist", "sale_year", "price"):
        if column not in sales.columns:
            raise InputError(f"{source}: missing column {column!r} (columns present: {', '.join(map(str, sales.columns))})")
    rows = sales.loc[in_sample(sales)]
    if rows.empty:
        raise InputError(f"{source}: no in-sample rows (every row's left_out names a rule)")
    checked = check_sales(rows.reset_index(drop=True), covariates, source=source)
    checked.index = rows.index
    return checked


def _popularity(rows: pd.DataFrame, history: pd.DataFrame, settings: PAMSettings) -> np.ndarray:
    return popularity_for(rows, history, kind=settings.popularity.kind, scale=settings.popularity.scale)


def _select(sales: pd.DataFrame, funnel: Funnel, alive: np.ndarray, settings: PAMSettings, source: str):
    """Apply the work-window and selection rules to the funnel; returns (kept mask, t0, t1, codes)."""
    win = np.full(len(sales), -1, dtype=np.int64)
    wy = pd.to_numeric(sales["work_year"], errors="coerce").to_numpy()
    has = alive & np.isfinite(wy)
    win[has] = work_window(wy[has].astype(np.int64), settings.window_start, settings.window_width)
    alive = funnel.apply("work made inside the study's work windows", win >= 0)
    if not alive.any():
        raise InputError(f"{source}: no sales left after the work-window rule (works made from "
                         f"{settings.window_start})")
    codes, artists = pd.factorize(sales["artist"].astype(str).to_numpy(), sort=True)
    n_art, n_win = len(artists), int(win.max()) + 1
    t0, t1 = artist_spans(codes[alive], win[alive], n_art, n_win, settings.min_works, settings.min_windows)
    if settings.min_works is not None:
        funnel.apply(selection_step(settings), (t1 >= 0)[codes])
        alive = funnel.apply("work made within the artist's span [t'0, t'1]", (win >= t0[codes]) & (win <= t1[codes]))
    if not alive.any():
        raise InputError(f"{source}: no artist passes the selection rule ({selection_step(settings)})")
    return alive, win


#: Rows per block of :func:`design`.
DESIGN_BLOCK = 1 << 18


def design(encoder: DesignEncoder, kept: pd.DataFrame, block: int | None = None) -> np.ndarray:
    """The design matrix [encoder's columns, popularity] filled in row blocks: no (N, p) temporaries."""
    n, block = len(kept), block or DESIGN_BLOCK
    X = np.empty((n, len(encoder.names_) + 1))
    for lo in range(0, n, block):
        part = kept.iloc[lo:lo + block]
        X[lo:lo + block, :-1] = encoder.transform(part)
        X[lo:lo + block, -1] = part["popularity"].to_numpy()
    return X


def prepare(sales: pd.DataFrame, covariates=(), year_effects: bool = False, settings=None,
            source: str = "sales table") -> PAMData:
    """Validate a sales table and build the model inputs (see the module's docstring).

    Raises
    ------
    InputError
        A missing column or bad in-sample value, or no rows left after a rule.
    """
    settings = build(PAMSettings, settings, source="model settings")
    sales = sales.reset_index(drop=True)
    rows = _in_sample_rows(sales, covariates, source)
    history = history_table(sales)
    funnel = Funnel(sales["artist"], first_step="lots read")
    alive = funnel.apply("in the analysis sample (left_out not set)", in_sample(sales))
    alive, win = _select(sales, funnel, alive, settings, source)
    kept = rows.loc[alive[rows.index]].copy()
    kept["log_price"] = np.log(kept["price"].to_numpy(dtype=float))
    kept["popularity"] = _popularity(kept, history, settings)
    kept["work_window"] = win[kept.index]
    codes, artists = pd.factorize(kept["artist"], sort=True)
    first = kept.groupby(codes)["work_window"].min().to_numpy()
    last = kept.groupby(codes)["work_window"].max().to_numpy()
    kept["window"] = kept["work_window"].to_numpy() - first[codes]
    # text columns as the encoder converts them: NumPy-object strings, whose per-value iteration and comparison
    # are several times faster than pyarrow's (the same values, levels and matrix)
    with pd.option_context("mode.string_storage", "python"):
        encoder = DesignEncoder(covariates, year_effects, intercept=True).fit(kept)
        X = design(encoder, kept)
    names = encoder.names_ + ["popularity"]
    return PAMData(X=X, y=kept["log_price"].to_numpy(), names=names, artist=codes.astype(np.int64),
                   window=kept["window"].to_numpy(dtype=np.int64), lengths=(last - first + 1).astype(np.int64),
                   first_window=first.astype(np.int64), artists=np.asarray(artists),
                   sales=kept.reset_index(drop=True), funnel=funnel.table(), encoder=encoder, history=history,
                   settings=settings)
