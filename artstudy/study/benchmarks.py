"""The benchmark report's numbers: agreement with NUTS, sampler efficiency, growth slopes, machines and the aims.

The benchmark scripts (``benchmarks/bench_*.py --record``) write their results into ``benchmarks/results/``:
``nuts.json`` (wall times, speed-up and ability agreement of Monte Carlo EM against NUTS), ``nuts.csv`` (every
coefficient of each EM fit against the NUTS posterior), ``nuts_ability.csv`` (every ability mean of each fit),
``ess.csv`` (effective samples per second of the two ability samplers), ``scale.csv`` (wall time and peak memory
of ``artstudy pam-fit`` and ``artstudy prepare`` by size) and ``deep.csv`` (the deep models' training speed and
the deep part of the workflow's wall time, one set of rows per machine). :func:`load_results` reads whichever
exist; :func:`aims_table` gives every aim its verdict, met or not met, from the numbers alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["MIN_SPEEDUP", "MIN_ABILITY_CORRELATION", "SCALE_SALES", "MAX_SCALE_WALL_S", "MAX_SCALE_PEAK_GB",
           "PREPARE_LOTS", "MAX_PREPARE_WALL_S", "NOT_ON_GPU", "coefficient_agreement", "ability_agreement",
           "loglog_slope", "growth_slopes", "ess_comparison", "machine_table", "gpu_note", "load_results",
           "aims_table", "aims_sentence", "nuts_sentences", "ess_sentence", "growth_sentence"]

#: Monte Carlo EM's whole process at least this many times faster than NUTS's.
MIN_SPEEDUP = 100.0
#: The EM's ability means correlate above this with the NUTS posterior means.
MIN_ABILITY_CORRELATION = 0.99
#: The scaling aims: a fit of this many sales in under MAX_SCALE_WALL_S seconds with under MAX_SCALE_PEAK_GB GB ...
SCALE_SALES = 10_000_000
MAX_SCALE_WALL_S = 60.0
MAX_SCALE_PEAK_GB = 8.0
#: ... and ``artstudy prepare`` of this many raw lots in under MAX_PREPARE_WALL_S seconds.
PREPARE_LOTS = 10_000_000
MAX_PREPARE_WALL_S = 120.0
#: What the deep benchmark's table says when no machine with a GPU was measured.
NOT_ON_GPU = "not measured on a GPU in this run"

#: The files :func:`load_results` reads, by key.
RESULT_FILES = {"nuts": "nuts.json", "nuts_coefficients": "nuts.csv", "nuts_ability": "nuts_ability.csv",
                "ess": "ess.csv", "scale": "scale.csv", "deep": "deep.csv"}
#: The command that writes each result.
RESULT_COMMANDS = {name: f"python benchmarks/bench_{name}.py --record" for name in ("nuts", "ess", "scale", "deep")}


def _require(frame: pd.DataFrame, columns, source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing column {', '.join(map(repr, missing))} "
                         f"(columns present: {', '.join(map(str, frame.columns))})")


def coefficient_agreement(em: pd.DataFrame, nuts: pd.DataFrame) -> pd.DataFrame:
    """Each EM coefficient against the NUTS posterior of the same term.

    Parameters
    ----------
    em : DataFrame
        term, estimate, std_error_marginal (``artstudy pam-fit``'s coefficients.csv).
    nuts : DataFrame
        term, mean, sd (the NUTS posterior).

    Returns
    -------
    DataFrame
        term, em_estimate, em_std_error, nuts_mean, nuts_sd, difference (EM minus NUTS mean),
        difference_in_sd (the difference in NUTS posterior sds) and sd_ratio (EM's marginal standard error over
        the NUTS sd), in EM's order.
    """
    _require(em, ("term", "estimate", "std_error_marginal"), "EM coefficients")
    _require(nuts, ("term", "mean", "sd"), "NUTS coefficients")
    post = nuts.set_index("term")
    missing = [t for t in em["term"] if t not in post.index]
    if missing:
        raise InputError(f"NUTS coefficients: no row for term {', '.join(map(repr, missing[:5]))}")
    post = post.loc[em["term"]]
    out = pd.DataFrame({"term": em["term"].to_numpy(), "em_estimate": em["estimate"].to_numpy(dtype=float),
                        "em_std_error": em["std_error_marginal"].to_numpy(dtype=float),
                        "nuts_mean": post["mean"].to_numpy(dtype=float), "nuts_sd": post["sd"].to_numpy(dtype=float)})
    out["difference"] = out["em_estimate"] - out["nuts_mean"]
    out["difference_in_sd"] = out["difference"] / out["nuts_sd"]
    out["sd_ratio"] = out["em_std_error"] / out["nuts_sd"]
    return out


def ability_agreement(em: pd.DataFrame, nuts: pd.DataFrame) -> dict:
    """How the EM's ability means agree with the NUTS posterior means, cell by cell (artist, window).

    Parameters
    ----------
    em, nuts : DataFrame
        artist, window, mean, sd: one row per artist-window (``ability.csv`` of each fit).

    Returns
    -------
    dict
        n_cells, correlation (Pearson), rmse, mean_difference (EM minus NUTS), rmse_centred (the RMSE once the
        mean difference is taken out: the common level of every ability, which only the prior of the first
        abilities tells from the intercept) and median_sd_ratio (EM's ability sd over NUTS's, the median over
        cells).

    Raises
    ------
    InputError
        When the two tables do not hold the same cells (naming the first unmatched rows) or repeat one.
    """
    for frame, source in ((em, "EM abilities"), (nuts, "NUTS abilities")):
        _require(frame, ("artist", "window", "mean", "sd"), source)
        dup = frame.duplicated(["artist", "window"])
        if dup.any():
            raise InputError(f"{source}: artist-window repeated in rows {', '.join(map(str, np.flatnonzero(dup)[:5]))}")
    keys = ["artist", "window"]
    both = em[keys + ["mean", "sd"]].astype({"artist": str}).merge(
        nuts[keys + ["mean", "sd"]].astype({"artist": str}), on=keys, how="outer", suffixes=("_em", "_nuts"),
        indicator=True)
    unmatched = both[both["_merge"] != "both"]
    if len(unmatched):
        first = ", ".join(f"{r.artist}/{r.window}" for r in unmatched.head(5).itertuples())
        raise InputError(f"abilities: {len(unmatched)} artist-windows in only one of the fits (first: {first})")
    diff = both["mean_em"].to_numpy(float) - both["mean_nuts"].to_numpy(float)
    return {"n_cells": int(len(both)),
            "correlation": float(np.corrcoef(both["mean_em"], both["mean_nuts"])[0, 1]),
            "rmse": float(np.sqrt(np.mean(diff**2))), "mean_difference": float(np.mean(diff)),
            "rmse_centred": float(np.sqrt(np.mean((diff - diff.mean()) ** 2))),
            "median_sd_ratio": float(np.median(both["sd_em"].to_numpy(float) / both["sd_nuts"].to_numpy(float)))}


def loglog_slope(x, y) -> float:
    """Growth exponent: the least-squares slope of log y on log x (1 = linear; NaN with fewer than two points)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size != y.size:
        raise ValueError(f"x and y differ in length ({x.size} and {y.size})")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("a log-log slope needs positive values")
    if np.unique(x).size < 2:
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def growth_slopes(scale: pd.DataFrame, min_sales: int = 100_000) -> pd.DataFrame:
    """Log-log slopes of the pam-fit rows of ``scale.csv`` against the number of sales.

    Rows below ``min_sales`` are left out (start-up costs dominate there), unless fewer than two sizes remain.

    Returns
    -------
    DataFrame
        measure (wall time, peak memory, fit time per EM iteration), slope, sizes, from_sales, to_sales.
    """
    _require(scale, ("step", "sales", "wall_s", "peak_gb", "per_iteration_s"), "scale.csv")
    fits = scale[scale["step"] == "pam-fit"].sort_values("sales")
    big = fits[fits["sales"] >= min_sales]
    big = big if len(big) >= 2 else fits
    rows = [(label, loglog_slope(big["sales"], big[col]) if len(big) else float("nan"))
            for label, col in (("wall time", "wall_s"), ("peak memory", "peak_gb"),
                               ("fit time per EM iteration", "per_iteration_s"))]
    out = pd.DataFrame(rows, columns=["measure", "slope"])
    out["sizes"] = len(big)
    out["from_sales"] = int(big["sales"].min()) if len(big) else 0
    out["to_sales"] = int(big["sales"].max()) if len(big) else 0
    return out


def ess_comparison(ess: pd.DataFrame) -> pd.DataFrame:
    """ESS per second of FFBS against single-site for each quantity of ``ess.csv``.

    Returns
    -------
    DataFrame
        quantity, ffbs, single-site (ESS per second) and ratio (ffbs over single-site), in the file's order.
    """
    _require(ess, ("sampler", "quantity", "ess_per_second"), "ess.csv")
    wide = ess.pivot_table(index="quantity", columns="sampler", values="ess_per_second", sort=False)
    for sampler in ("ffbs", "single-site"):
        if sampler not in wide.columns:
            raise InputError(f"ess.csv: no rows for sampler {sampler!r}")
    out = wide[["ffbs", "single-site"]].reset_index()
    out.columns.name = None
    out["ratio"] = out["ffbs"] / out["single-site"]
    return out


def machine_table(deep: pd.DataFrame) -> pd.DataFrame:
    """One row per machine of ``deep.csv``: its training images/s per image model and the profile's wall time.

    Returns
    -------
    DataFrame
        machine, accelerator, profile, measured, then ``<model> images/s`` for every model with a
        ``training images/s`` row and ``deep rules and notebook 03 (min)``.
    """
    _require(deep, ("machine", "accelerator", "profile", "measured", "item", "quantity", "value"), "deep.csv")
    keys = ["machine", "accelerator", "profile", "measured"]
    rate = deep[deep["quantity"] == "training images/s"]
    wall = deep[(deep["quantity"] == "wall time") & (deep["item"] == "deep rules and notebook 03")]
    table = deep[keys].drop_duplicates().reset_index(drop=True)
    if len(rate):
        wide = rate.pivot_table(index=keys, columns="item", values="value", sort=False)
        wide.columns = [f"{c} images/s" for c in wide.columns]
        table = table.merge(wide.reset_index(), on=keys, how="left")
    table = table.merge(wall[keys + ["value"]].rename(columns={"value": "deep rules and notebook 03 (min)"}),
                        on=keys, how="left")
    return table


def gpu_note(table: pd.DataFrame) -> str:
    """:data:`NOT_ON_GPU` unless a row of :func:`machine_table` ran on a GPU (its accelerator is not "CPU")."""
    on_gpu = table["accelerator"].astype(str).str.upper() != "CPU" if len(table) else pd.Series([], dtype=bool)
    return "" if on_gpu.any() else NOT_ON_GPU


def load_results(results_dir) -> dict:
    """Every result file of :data:`RESULT_FILES` present in ``results_dir``: JSON as a dict, CSV as a DataFrame."""
    folder = Path(results_dir)
    out = {}
    for key, name in RESULT_FILES.items():
        path = folder / name
        if not path.is_file():
            continue
        if name.endswith(".json"):
            try:
                out[key] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as err:
                raise InputError(f"{path}: not valid JSON ({err})") from None
        else:
            out[key] = pd.read_csv(path)
    return out


def _aim(aim: str, target: str, measured, met, reason: str = "") -> dict:
    measured = float("nan") if measured is None else float(measured)
    if np.isnan(measured):
        return {"aim": aim, "target": target, "measured": measured, "met": pd.NA,
                "verdict": f"not measured ({reason})" if reason else "not measured"}
    return {"aim": aim, "target": target, "measured": measured, "met": bool(met),
            "verdict": "met" if met else "not met"}


def _nuts_aims(nuts) -> list[dict]:
    speed = f"Monte Carlo EM ({{}}) at least {MIN_SPEEDUP:g} times faster than NUTS (whole process)"
    agree = f"EM's ({{}}) ability means correlate above {MIN_ABILITY_CORRELATION:g} with NUTS's posterior means"
    targets = (f"speed-up >= {MIN_SPEEDUP:g}", f"correlation > {MIN_ABILITY_CORRELATION:g}")
    if not nuts or nuts.get("status") != "measured":
        reason = (nuts or {}).get("reason") or f"no nuts.json: run {RESULT_COMMANDS['nuts']}"
        return [_aim(speed.format("ffbs"), targets[0], None, None, reason),
                _aim(agree.format("ffbs"), targets[1], None, None, reason)]
    rows = []
    for sampler, facts in nuts.get("em", {}).items():
        s, r = facts.get("speedup"), facts.get("ability_correlation")
        rows.append(_aim(speed.format(sampler), targets[0], s, s is not None and s >= MIN_SPEEDUP))
        rows.append(_aim(agree.format(sampler), targets[1], r, r is not None and r > MIN_ABILITY_CORRELATION))
    return rows


def _scale_aims(scale) -> list[dict]:
    fit_wall = f"artstudy pam-fit of {SCALE_SALES:,} sales in under {MAX_SCALE_WALL_S:g} s (whole process)"
    fit_peak = f"artstudy pam-fit of {SCALE_SALES:,} sales with a peak memory under {MAX_SCALE_PEAK_GB:g} GB"
    prep = f"artstudy prepare of {PREPARE_LOTS:,} raw lots in under {MAX_PREPARE_WALL_S:g} s"
    specs = [(fit_wall, f"wall s < {MAX_SCALE_WALL_S:g}", "pam-fit", SCALE_SALES, "wall_s", MAX_SCALE_WALL_S),
             (fit_peak, f"peak GB < {MAX_SCALE_PEAK_GB:g}", "pam-fit", SCALE_SALES, "peak_gb", MAX_SCALE_PEAK_GB),
             (prep, f"wall s < {MAX_PREPARE_WALL_S:g}", "prepare", PREPARE_LOTS, "wall_s", MAX_PREPARE_WALL_S)]
    rows = []
    for aim, target, step, size, column, limit in specs:
        if scale is None:
            rows.append(_aim(aim, target, None, None, f"no scale.csv: run {RESULT_COMMANDS['scale']}"))
            continue
        hit = scale[(scale["step"] == step) & (scale["sales"] == size)]
        if hit.empty:
            rows.append(_aim(aim, target, None, None, f"scale.csv has no {step} row of {size:,}"))
            continue
        value = float(hit[column].iloc[-1])
        rows.append(_aim(aim, target, value, value < limit))
    return rows


def aims_table(results: dict) -> pd.DataFrame:
    """Every aim of the benchmarks with its target, the measured value and whether it is met.

    Parameters
    ----------
    results : dict
        As :func:`load_results` returns: ``nuts`` (the dict of nuts.json: ``status``, and per EM sampler under
        ``em`` its ``speedup`` and ``ability_correlation``) and ``scale`` (scale.csv: step, sales, wall_s,
        peak_gb); either may be absent.

    Returns
    -------
    DataFrame
        aim, target, measured (NaN when not measured), met (True, False, or NA when not measured) and verdict
        ("met", "not met" or "not measured (why)"). The aims: per EM sampler, at least :data:`MIN_SPEEDUP`
        times faster than NUTS and ability means correlating above :data:`MIN_ABILITY_CORRELATION` with
        NUTS's; a fit of :data:`SCALE_SALES` sales in under :data:`MAX_SCALE_WALL_S` s with a peak under
        :data:`MAX_SCALE_PEAK_GB` GB; prepare of :data:`PREPARE_LOTS` lots in under :data:`MAX_PREPARE_WALL_S` s.
    """
    scale = results.get("scale")
    if scale is not None:
        _require(scale, ("step", "sales", "wall_s", "peak_gb"), "scale.csv")
    table = pd.DataFrame(_nuts_aims(results.get("nuts")) + _scale_aims(scale))
    table["met"] = table["met"].astype("boolean")
    return table


def aims_sentence(table: pd.DataFrame) -> str:
    """One sentence: how many aims were met of those measured, and which were not met or not measured."""
    measured = table[table["met"].notna()]
    met = int(measured["met"].astype(bool).sum())
    text = f"{met} of {len(measured)} measured aims met"
    missed = measured.loc[~measured["met"].astype(bool), "aim"].tolist()
    if missed:
        text += "; not met: " + "; ".join(missed)
    absent = table.loc[table["met"].isna(), "aim"].tolist()
    if absent:
        text += "; not measured: " + "; ".join(absent)
    return text + "."


def nuts_sentences(nuts) -> list[str]:
    """The comparison with NUTS in words (from nuts.json): per EM sampler its speed-up and agreement.

    One sentence when the comparison was not measured (saying why).
    """
    if not nuts or nuts.get("status") != "measured":
        reason = (nuts or {}).get("reason") or f"no nuts.json (run {RESULT_COMMANDS['nuts']})"
        return [f"The comparison with NUTS was not measured: {reason}."]
    run = nuts["nuts"]
    out = []
    for sampler, f in nuts.get("em", {}).items():
        out.append(f"Monte Carlo EM ({sampler}) took {f['wall_s']:.1f} s as a whole process against "
                   f"{run['wall_s']:.1f} s for NUTS ({run['warmup']} warm-up iterations and {run['samples']} draws): {f['speedup']:.0f} "
                   f"times faster. Its ability means correlate {f['ability_correlation']:.5f} with NUTS's posterior "
                   f"means over {f['n_cells']:,} artist-windows (RMSE {f['ability_rmse']:.3f}; "
                   f"{f['ability_rmse_centred']:.3f} once their mean difference of {f['ability_mean_difference']:+.3f} "
                   f"is taken out); gamma differs from NUTS's posterior mean by {f['gamma_difference_in_sd']:+.2f} "
                   f"posterior sds and the largest coefficient difference is {f['max_abs_difference_in_sd']:.2f} sds.")
    return out


def ess_sentence(comparison: pd.DataFrame, names=None) -> str:
    """FFBS against single-site in words, from :func:`ess_comparison` (``names``: quantity -> words)."""
    names = names or {}
    rows = list(comparison.itertuples())
    parts = [f"{r.ratio:.1f} times for {names.get(r.quantity, r.quantity)}" for r in rows[1:]]
    first = rows[0]
    text = (f"Per second of sampling, FFBS gives {first.ratio:.1f} times as many effective samples as the single-site "
            f"updates for {names.get(first.quantity, first.quantity)}")
    if parts:
        text += "".join(f", {p}" for p in parts[:-1]) + f" and {parts[-1]}"
    return text + "."


def growth_sentence(slopes: pd.DataFrame) -> str:
    """The growth slopes of :func:`growth_slopes` in words (1 = linear in the number of sales)."""
    first = slopes.iloc[0]
    parts = [f"{r.measure} with slope {r.slope:.2f}" for r in slopes.itertuples()]
    return (f"From {int(first['from_sales']):,} to {int(first['to_sales']):,} sales ({int(first['sizes'])} sizes), "
            + ", ".join(parts) + " on a log-log scale (1 = linear in the sales, below 1 = less than linear).")
