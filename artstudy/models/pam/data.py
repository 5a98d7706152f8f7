"""A sales table turned into the popularity-ability model's arrays, with a funnel of what each rule removed.

:func:`prepare` takes a sales table in the canonical layout (:mod:`artstudy.models.base`):

1. popularity (the seed paper's Eq. 1, or its unit-free variant) of every row is computed from the
   table's *history*: every priced lot of the artist, also the rows whose ``left_out`` names a rule
   (no creation year, no size, sculpture, ...). Those rows are history only; they never enter the
   likelihood;
2. the in-sample rows are validated (:func:`artstudy.data.validation.check_sales`, which a vectorised
   check, :func:`typed_if_valid`, spares its copies of the table when it finds nothing to reject);
3. works made before the first work window are dropped, then the artist-selection rule
   (:mod:`artstudy.models.pam.selection`) keeps artists and their works inside ``[t'_0, t'_1]``
   (skipped with ``min_works=None``);
4. the design (:class:`artstudy.models.design.DesignEncoder`, learned on the kept rows) gets the
   popularity column last, kept as its parts (:class:`artstudy.models.pam.matrix.PartsDesign`).
   The model checks it for full column rank (:func:`check_full_rank`).

The artists are numbered once, from the table's text (``pd.factorize``), and every later step (funnel,
selection, popularity, the model's artist index) works on those codes: no Python string per row. The
kept rows share the table's columns (no copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..._section import build
from ...data.funnel import Funnel
from ...data.validation import REQUIRED, check_covariate_values, check_sales
from ...errors import InputError
from ..base import in_sample
from ..design import DesignEncoder, fill_design
from ..features import history_rows, history_table
from .matrix import PartsDesign, as_design
from .popularity import popularity_codes
from .selection import artist_spans, work_window
from .settings import PAMSettings

__all__ = ["PAMData", "prepare", "design", "design_parts", "check_full_rank", "selection_step", "typed_if_valid"]


@dataclass
class PAMData:
    """Model inputs prepared from a sales table.

    ``artist`` indexes ``artists`` (sorted names); ``window`` is the work window relative to the
    artist's first kept window ``first_window`` (absolute window index), ``0..lengths-1``. The design
    is kept as its parts (``design``, :class:`artstudy.models.pam.matrix.PartsDesign`: the fit's
    products without the (N, p) matrix); ``X`` writes the matrix out on first use.
    """

    design: PartsDesign
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
    _X: np.ndarray | None = field(default=None, init=False, repr=False)

    @property
    def X(self) -> np.ndarray:
        """The (N, p) design matrix: the encoder's columns, then popularity (written out once, when first asked)."""
        if self._X is None:
            self._X = self.design.toarray()
        return self._X


def selection_step(settings: PAMSettings) -> str:
    """The funnel's label of the artist-selection rule."""
    return (f"artist has >= {settings.min_works} works in each of >= {settings.min_windows} "
            f"consecutive windows")


#: Said when a design of one artist's sales cannot be fitted.
ONE_ARTIST = ("the selection left one artist, whose popularity moves with the sale year alone: fit more artists "
              "(or relax the selection rule, e.g. pam-fit --no-selection)")


def check_full_rank(X: np.ndarray, names, source: str = "design matrix", gram=None, n_artists=None) -> None:
    """Raise :class:`InputError` naming the constant or collinear columns when ``X`` lacks full column rank
    (and saying that the selection left one artist, when ``n_artists`` is 1).

    ``gram`` is X'X when the caller has it; the scaled Gram matrix needs no (N, p) copy of X.
    """
    try:
        _check_full_rank(X, list(names), source, gram)
    except InputError as exc:
        if n_artists == 1:
            raise InputError(f"{exc}; {ONE_ARTIST}") from None
        raise


def _check_full_rank(X, names: list, source: str, gram) -> None:
    gram = as_design(X).gram() if gram is None else gram
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
    constant = [n for k, n in enumerate(names) if as_design(X).column_ptp(k) == 0 and n != "intercept"]
    if constant and "intercept" in names:
        raise InputError(f"{source}: rank deficient: column {', '.join(constant)} is constant "
                         "(collinear with the intercept)")
    shown = ", ".join(involved[:12]) + (f" and {len(involved) - 12} more" if len(involved) > 12 else "")
    raise InputError(f"{source}: rank deficient: columns {shown} are collinear")


def _in_sample_rows(sales: pd.DataFrame, covariates, source: str) -> pd.DataFrame:
    """The in-sample rows, validated (:func:`check_sales`), with its typed columns artist, price, sale_year and
    work_year. The other columns are the table's own (shared, not copied)."""
    for column in ("artist", "sale_year", "price"):
        if column not in sales.columns:
            raise InputError(f"{source}: missing column {column!r} (columns present: {', '.join(map(str, sales.columns))})")
    mask = in_sample(sales)
    rows = sales if mask.all() else sales.loc[mask]
    if rows.empty:
        raise InputError(f"{source}: no in-sample rows (every row's left_out names a rule)")
    check_covariate_values(rows, covariates, source)
    typed = typed_if_valid(rows, covariates)
    if typed is None:  # check_sales names the first problem (or, if there is none, types the columns itself)
        checked = check_sales(rows.reset_index(drop=True), covariates, source=source)
        typed = {column: checked[column].array for column in REQUIRED}
    return rows.assign(**typed)


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _whole(values: pd.Series) -> bool:
    """Every value a finite whole number (an integer column is, without a look at its values)."""
    if values.dtype.kind in "iu":
        return True
    v = values.to_numpy(dtype=float, na_value=np.nan)
    return bool(np.all(np.isfinite(v) & (v == np.round(v))))


def typed_if_valid(rows: pd.DataFrame, covariates=()) -> dict | None:
    """The columns :func:`check_sales` types (artist as text, price as float, sale and work year as int64) when
    a vectorised check finds nothing that check_sales could reject, else None.

    Each rule of check_sales is checked at least as strictly (a column missing, a missing value in a required
    column or a covariate, a price not a positive finite number, a year not a finite whole number, a work made
    after its sale), so that a table passing here passes there with the same columns, without check_sales'
    copies of the table.
    """
    if any(c not in rows.columns for c in (*REQUIRED, *covariates)):
        return None
    price = _numbers(rows["price"]).astype(float)
    years = {c: _numbers(rows[c]) for c in ("sale_year", "work_year")}
    with np.errstate(invalid="ignore"):
        ok = (rows["artist"].notna().all() and bool(np.all(np.isfinite(price.to_numpy()) & (price.to_numpy() > 0)))
              and all(_whole(v) for v in years.values())
              and all(rows[c].notna().all() for c in covariates)
              and bool(np.all(years["work_year"].to_numpy() <= years["sale_year"].to_numpy())))
    if not ok:
        return None
    return {"artist": rows["artist"].astype(str).array, "price": price.array,
            **{c: v.astype(np.int64).array for c, v in years.items()}}


def _select(sales: pd.DataFrame, funnel: Funnel, alive: np.ndarray, codes: np.ndarray, n_art: int,
            settings: PAMSettings, source: str):
    """Apply the work-window and selection rules to the funnel; returns (kept mask, work window of each row).

    ``codes`` numbers the artists of ``sales`` (in sorted order, -1 for a missing one) and ``n_art`` counts them.
    """
    win = np.full(len(sales), -1, dtype=np.int64)
    wy = pd.to_numeric(sales["work_year"], errors="coerce").to_numpy(dtype=float)
    has = alive & np.isfinite(wy)
    win[has] = work_window(wy[has].astype(np.int64), settings.window_start, settings.window_width)
    alive = funnel.apply("work made inside the study's work windows", win >= 0)
    if not alive.any():
        first = f"; the works were made from {int(wy[has].min())}" if has.any() else ""
        raise InputError(f"{source}: no sales left after the work-window rule (works made from "
                         f"{settings.window_start}{first}: set model.window_start, or pam-fit --window-start)")
    n_win = int(win.max()) + 1
    t0, t1 = artist_spans(codes[alive], win[alive], n_art, n_win, settings.min_works, settings.min_windows)
    if settings.min_works is not None:
        funnel.apply(selection_step(settings), (t1 >= 0)[codes])
        alive = funnel.apply("work made within the artist's span [t'0, t'1]", (win >= t0[codes]) & (win <= t1[codes]))
    if not alive.any():
        raise InputError(f"{source}: no artist passes the selection rule ({selection_step(settings)})")
    return alive, win


#: Rows per block of :func:`design`: a block of the matrix stays in the CPU's cache while it is filled.
DESIGN_BLOCK = 1 << 11


def design(encoder: DesignEncoder, kept: pd.DataFrame, block: int | None = None) -> np.ndarray:
    """The design matrix [encoder's columns, popularity], filled in row blocks: no (N, p) temporaries."""
    X = np.empty((len(kept), len(encoder.names_) + 1))
    return fill_design(X, design_parts(encoder, kept), block or DESIGN_BLOCK)


def design_parts(encoder: DesignEncoder, kept: pd.DataFrame) -> list:
    """The parts of the design [encoder's columns, popularity] (:func:`artstudy.models.design.fill_design`)."""
    return encoder.parts(kept) + [(len(encoder.names_), kept["popularity"].to_numpy(dtype=float))]


def _rows_of(values: np.ndarray, rows) -> np.ndarray:
    """``values[rows]`` for ascending row positions ``rows``: ``values`` itself when they are all of its rows."""
    return values if len(rows) == len(values) else values[np.asarray(rows)]


def _artist_codes(sales: pd.DataFrame):
    """The artists of a table as sorted text: (code of each row, -1 where missing; the names)."""
    return pd.factorize(sales["artist"].astype(str), sort=True, use_na_sentinel=True)


def _funnel_artists(sales: pd.DataFrame, codes: np.ndarray, names) -> pd.Series:
    """The artist column for :class:`Funnel`, as a categorical over the names (a missing artist stays missing):
    the funnel counts the same artists without a Python string made per row."""
    codes = np.where(sales["artist"].isna().to_numpy(), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(np.asarray(names, dtype=object))))


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
    codes, names = _artist_codes(sales)
    funnel = Funnel(_funnel_artists(sales, codes, names), first_step="lots read")
    alive = funnel.apply("in the analysis sample (left_out not set)", in_sample(sales))
    alive, win = _select(sales, funnel, alive, codes, len(names), settings, source)
    kept = rows if alive[rows.index].all() else rows.loc[alive[rows.index]]
    del rows
    kept = kept.assign(log_price=np.log(kept["price"].to_numpy(dtype=float)))
    kept_codes = _rows_of(codes, kept.index)
    # popularity from the history's rows, the artists numbered as in `codes` (the history's artists are the
    # table's, as text)
    pop = settings.popularity
    kept["popularity"] = popularity_codes(kept_codes, kept["sale_year"].to_numpy(),
                                          _rows_of(codes, np.flatnonzero(history_rows(sales))),
                                          history["sale_year"].to_numpy(), history["log_price"].to_numpy(),
                                          scale=pop.scale, kind=pop.kind)
    kept["work_window"] = _rows_of(win, kept.index)
    # the kept artists, numbered in sorted order: the ranks of their codes among the table's
    used = np.bincount(kept_codes, minlength=len(names)) > 0
    artist = (np.cumsum(used) - 1)[kept_codes]
    artists = np.asarray(names)[used]
    ww = kept["work_window"].to_numpy()
    first = np.full(artists.size, np.iinfo(np.int64).max)
    last = np.full(artists.size, -1)
    np.minimum.at(first, artist, ww)
    np.maximum.at(last, artist, ww)
    kept["window"] = ww - first[artist]
    encoder = DesignEncoder(covariates, year_effects, intercept=True).fit(kept)
    names = encoder.names_ + ["popularity"]
    parts = PartsDesign(len(kept), len(names), design_parts(encoder, kept))
    return PAMData(design=parts, y=kept["log_price"].to_numpy(), names=names, artist=artist.astype(np.int64),
                   window=kept["window"].to_numpy(dtype=np.int64), lengths=(last - first + 1).astype(np.int64),
                   first_window=first.astype(np.int64), artists=np.asarray(artists, dtype=object),
                   sales=kept.reset_index(drop=True), funnel=funnel.table(), encoder=encoder, history=history,
                   settings=settings)
