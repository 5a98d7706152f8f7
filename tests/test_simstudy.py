import numpy as np
import pandas as pd
import pytest

from artstudy.models.pam.fit import prepare
from artstudy.models.pam.popularity import popularity
from artstudy.evaluation.simstudy import (Z95, ability_recovery, fit_replication, sampler_comparison,
                                          summarise_replications)
from artstudy.synth.market import SimulationSpec, simulate_market


def test_simulated_market_matches_its_spec():
    spec = SimulationSpec(n_artists=25, n_sales=5000)
    sim = simulate_market(spec, np.random.default_rng(0))
    s = sim.sales
    assert len(s) == 5000 and s["artist"].nunique() == 25
    assert s["sale_year"].between(1993, 2022).all() and (s["work_year"] <= s["sale_year"]).all()
    assert s["work_year"].between(1951, 2020).all()
    # the truth's popularity is the package's popularity of the simulated prices
    u = popularity(s["artist"], s["sale_year"], np.log(s["price"]))
    np.testing.assert_allclose(u, s["true_popularity"], rtol=1e-12, atol=1e-15)
    # every artist passes the paper's selection rule, and the design names match the truth's names
    data = prepare(s, sim.covariates, year_effects=True)
    assert data.funnel["sales_removed"].sum() == 0
    assert set(data.names) == set(sim.coefficients.index)
    # the abilities: initial N(0, tau2) across artists is at the right scale, steps have sd sigma_a
    steps = sim.ability.sort_values(["artist", "window"]).groupby("artist")["value"].diff().dropna()
    assert steps.std() == pytest.approx(0.1, rel=0.15)


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
    params = {"seed": 3, "simulation": {"n_artists": 25, "n_sales": 5000}, "model": {}}
    return fit_replication(params, 1)


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
