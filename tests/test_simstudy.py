import numpy as np
import pandas as pd
import pytest

from artstudy.evaluation.simstudy import (Z95, ability_recovery, fit_replication, replication_detail,
                                          run_replication, sampler_comparison, summarise_replications)
from artstudy.settings import resolve

CONFIG = {"seed": 3, "simulation": {"n_artists": 25, "n_sales": 5000}, "model": {"max_iter": 30}}


def _reps():
    # two replications of one coefficient and one variance, with hand-checked summaries
    rows = [
        (1, "ffbs", "popularity", "coef", 1.0, 1.1, 0.04, 0.1),
        (2, "ffbs", "popularity", "coef", 1.0, 0.8, 0.05, 0.15),
        (1, "ffbs", "sigma2", "variance", 1.0, 1.02, np.nan, np.nan),
        (2, "ffbs", "sigma2", "variance", 1.0, 0.96, np.nan, np.nan),
        (1, "ffbs", "ability_rmse", "ability", 0.0, 0.2, np.nan, np.nan),
        (2, "ffbs", "ability_rmse", "ability", 0.0, 0.3, np.nan, np.nan),
    ]
    return pd.DataFrame(rows, columns=["rep", "sampler", "parameter", "kind", "truth", "estimate", "std_error",
                                       "std_error_marginal"])


def test_summarise_replications_exact():
    s = summarise_replications(_reps()).set_index("parameter")
    g = s.loc["popularity"]
    assert g["bias"] == pytest.approx(-0.05)
    assert g["rmse"] == pytest.approx(np.sqrt((0.1**2 + 0.2**2) / 2))
    assert g["empirical_sd"] == pytest.approx(np.std([1.1, 0.8], ddof=1))
    # rep 1: |0.1| > 1.96*0.04 (miss), <= 1.96*0.1 (hit); rep 2: 0.2 > 1.96*0.05 (miss), <= 1.96*0.15 (hit)
    assert g["coverage"] == 0.0 and g["coverage_marginal"] == 1.0
    assert s.loc["sigma2", "bias"] == pytest.approx(-0.01)
    assert np.isnan(s.loc["sigma2", "coverage"])
    assert "ability_rmse" not in s.index


@pytest.fixture(scope="module")
def small_fit():
    return fit_replication(CONFIG, 1)


def test_ability_recovery_table(small_fit):
    sim, res = small_fit
    rec = ability_recovery(sim, res)
    assert len(rec) == len(sim.ability)
    assert rec["centred_error"].mean() == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(rec["upper"] - rec["mean"], Z95 * rec["sd"])
    assert rec["centred_covered"].mean() > 0.85


def test_ffbs_mixes_better_than_single_site(small_fit):
    sim, res = small_fit
    comp = sampler_comparison(sim, res, n_draws=300, seed=1).set_index("sampler")
    assert comp.loc["ffbs", "median_ess"] > 2 * comp.loc["single-site", "median_ess"]
    assert comp.loc["ffbs", "min_ess"] > comp.loc["single-site", "min_ess"]
    assert (comp["seconds"] > 0).all()


def test_run_replication_table(small_fit):
    table = run_replication(resolve(CONFIG), 1)
    assert list(table.columns) == ["rep", "sampler", "parameter", "kind", "truth", "estimate", "std_error",
                                   "std_error_marginal", "mc_error"]
    rows = table.set_index("parameter")
    _, res = small_fit
    # the same streams as fit_replication: the same fit
    assert rows.loc["popularity", "estimate"] == res.gamma and rows.loc["tau2", "truth"] == 4.0
    assert rows.loc["popularity", "truth"] == pytest.approx(1.38)
    assert set(table["sampler"]) == {"ffbs"}
    assert set(run_replication(CONFIG, 1, sampler="single-site")["sampler"]) == {"single-site"}


def test_replication_detail_tables():
    config = {**CONFIG, "simulation": {"n_artists": 15, "n_sales": 2000}, "model": {"max_iter": 12}}
    detail = replication_detail(config, 1)
    assert set(detail) == {"summary", "funnel", "coefficients", "trace_within", "trace_ols", "ability_recovery",
                           "sampler_comparison", "timing"}
    assert len(detail["summary"]) == 1 and detail["summary"]["stop_reason"].iloc[0] in ("converged", "max_iter")
    assert detail["coefficients"]["truth"].notna().all()
    assert detail["trace_within"]["iteration"].iloc[0] == 1 and len(detail["trace_ols"]) == 12
    assert set(detail["sampler_comparison"]["sampler"]) == {"ffbs", "single-site"}
