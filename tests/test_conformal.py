"""Conformal prediction intervals (artstudy.evaluation.conformal): coverage, width, Mondrian bins, the window.

Coverage is checked against a binomial band. The coverage of split-conformal intervals over
``n`` test rows varies with the test rows and with the calibration rows (given them it is a
Beta variable of variance about level(1 - level) / n_cal), so the band is
``3 * sqrt(level (1 - level) (1/n_test + 1/n_cal))``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from artstudy.errors import InputError
from artstudy.evaluation.conformal import CATEGORIES, ConformalEstimator, conformal_categories
from artstudy.evaluation.metrics import coverage, width
from artstudy.models.base import Estimator, GaussianEstimator, in_sample, log_price
from artstudy.models.baselines import Hedonic
from artstudy.models.pam.paper import COVARIATES
from test_evaluation_market import toy_sales

LEVELS = (0.8, 0.95)
TEST_FROM = 2013


# --------------------------------------------------------------------------
# a market with known mean and noise, and bases that know the truth
# --------------------------------------------------------------------------


def market(n=20000, years=(2005, 2014), seed=0, noise=0.5, repeat_noise=None, unseen_noise=None, new_share=0.05,
           repeat_share=0.3, left_out_share=0.05, sale_kind=True):
    """A sales table whose log price is ``truth_mean + N(0, truth_sd)``.

    Established artists sell in every year; with probability ``new_share`` a lot is by an
    artist who sells only in that lot's sale year (so unseen by any model fitted on earlier
    years). Repeat lots (``sale_kind == "repeat"``) have noise ``repeat_noise`` and lots of
    new artists ``unseen_noise`` (default ``noise``).
    """
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(f"{years[0]}-01-01")
    span = (pd.Timestamp(f"{years[1]}-12-31") - first).days
    dates = first + pd.to_timedelta(np.sort(rng.integers(0, span + 1, n)), unit="D")
    year = dates.year.to_numpy()
    new = rng.random(n) < new_share
    artist = np.where(new, pd.Series(year).map("New {}".format).to_numpy() + " " + rng.integers(0, 5, n).astype(str),
                      pd.Series(rng.integers(0, 50, n)).map("Artist {:02d}".format).to_numpy())
    kind = np.where(rng.random(n) < repeat_share, "repeat", "first")
    x = rng.normal(0.0, 1.0, n)
    mean = 8.0 + 0.5 * x + rng.normal(0.0, 0.3, n)
    sd = np.full(n, noise, dtype=float)
    if repeat_noise is not None:
        sd[kind == "repeat"] = repeat_noise
    if unseen_noise is not None:
        sd[new] = unseen_noise
    price = np.exp(mean + sd * rng.normal(0.0, 1.0, n))
    # history-only lots: unsold, or sold (priced) but left out by another rule
    left_out = np.where(rng.random(n) < left_out_share, np.where(rng.random(n) < 0.5, "sold", "creation year given"),
                        None)
    price[left_out == "sold"] = np.nan
    sales = pd.DataFrame({
        "lot_id": [f"L{i:05d}" for i in range(n)], "artist": artist, "sale_date": dates.strftime("%Y-%m-%d"),
        "sale_year": year, "work_year": 1990, "price": price, "x": x, "sale_kind": kind,
        "left_out": pd.array(left_out, dtype="string"), "truth_mean": mean, "truth_sd": sd,
    })
    if not sale_kind:
        sales = sales.drop(columns="sale_kind")
    return sales


class TrueMean:
    """A base that predicts the true mean (no predictive sd); records the tables it is fitted on."""

    name = "true_mean"
    fitted_on: list = []

    def fit(self, sales):
        type(self).fitted_on.append(sales)
        return self

    def predict(self, sales):
        return sales["truth_mean"].to_numpy(dtype=float)

    def predict_interval(self, sales, level=0.8):  # pragma: no cover - not used by the wrapper
        raise NotImplementedError


class GaussianTruth(GaussianEstimator):
    """The true mean with a predictive sd ``scale`` times the true one."""

    name = "gaussian_truth"

    def __init__(self, scale=1.0):
        self.scale = scale

    def fit(self, sales):
        return self

    def predict_distribution(self, sales):
        return sales["truth_mean"].to_numpy(dtype=float), self.scale * sales["truth_sd"].to_numpy(dtype=float)


def split(sales, test_from=TEST_FROM):
    train = sales.loc[sales["sale_year"] < test_from]
    test = sales.loc[(sales["sale_year"] >= test_from) & in_sample(sales)]
    return train, test


def band(level, n_test, n_cal):
    return 3.0 * np.sqrt(level * (1 - level) * (1.0 / n_test + 1.0 / n_cal))


def covered(model, test, level, rows=None):
    frame = model.predict_interval(test, level=level)
    y = log_price(test)
    hit = coverage(y, frame["lower"].to_numpy(), frame["upper"].to_numpy())
    w = width(frame["lower"].to_numpy(), frame["upper"].to_numpy())
    rows = np.ones(len(test), dtype=bool) if rows is None else rows
    return float(np.mean(hit[rows])), w[rows]


# --------------------------------------------------------------------------
# protocol
# --------------------------------------------------------------------------


def test_follows_the_estimator_protocol():
    sales = market(n=4000)
    train, test = split(sales)
    model = ConformalEstimator(lambda: GaussianTruth())
    assert model.fit(train) is model
    assert isinstance(model, Estimator)
    # the base's normal predictive (its CRPS is scored); the harness takes the intervals from predict_interval
    mean, sd = model.predict_distribution(test)
    np.testing.assert_array_equal(mean, test["truth_mean"].to_numpy())
    np.testing.assert_array_equal(sd, model.model_.predict_distribution(test)[1])
    np.testing.assert_array_equal(model.predict(test), test["truth_mean"].to_numpy())
    frame = model.predict_interval(test, level=0.8)
    assert list(frame.columns) == ["lower", "upper"] and frame.index.equals(test.index)
    assert (frame["lower"] < model.predict(test)).all() and (frame["upper"] > model.predict(test)).all()
    assert model.normalized_ and model.n_calibration_ > 0


# --------------------------------------------------------------------------
# coverage and width with known noise
# --------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_coverage_and_width_with_known_noise(level):
    s = 0.5
    sales = market(noise=s, seed=1)
    train, test = split(sales)
    model = ConformalEstimator(TrueMean, mondrian=False).fit(train)
    assert not model.normalized_
    cover, w = covered(model, test, level)
    assert abs(cover - level) <= band(level, len(test), model.n_calibration_), cover
    # the residuals are the noise: the half-width is the noise's level-quantile of |e|
    z = stats.norm.ppf(0.5 + level / 2)
    assert np.allclose(w, w[0])
    assert w[0] == pytest.approx(2 * z * s, rel=0.06)


@pytest.mark.parametrize("level", LEVELS)
def test_normalized_scores_correct_a_misscaled_gaussian_sd(level):
    # heteroscedastic noise, a base whose sd is twice the true one: normalised conformal recovers the scale
    sales = market(noise=0.3, repeat_noise=0.9, seed=2)
    train, test = split(sales)
    model = ConformalEstimator(lambda: GaussianTruth(scale=2.0), mondrian=False).fit(train)
    assert model.normalized_
    cover, w = covered(model, test, level)
    assert abs(cover - level) <= band(level, len(test), model.n_calibration_), cover
    z = stats.norm.ppf(0.5 + level / 2)
    ratio = w / (2 * z * test["truth_sd"].to_numpy())
    assert np.allclose(ratio, ratio[0]) and ratio[0] == pytest.approx(1.0, rel=0.06)
    # the base's own Gaussian interval is twice too wide
    own = GaussianTruth(scale=2.0).predict_interval(test, level)
    assert np.median((own["upper"] - own["lower"]).to_numpy() / w) == pytest.approx(2.0, rel=0.06)


@pytest.mark.parametrize("level", LEVELS)
def test_coverage_of_least_squares_on_the_toy_market(level):
    sales, truth = toy_sales(n=6000, seed=3)
    train, test = split(sales)
    model = ConformalEstimator(lambda: Hedonic(COVARIATES, artist_effects=True)).fit(train)
    assert model.calibration_window_ == (2011, 2012)
    cover, w = covered(model, test, level)
    assert abs(cover - level) <= band(level, len(test), model.n_calibration_), cover
    # widths near the noise's: 2 z sigma, a little more for the parameter uncertainty and the trend's bias
    z = stats.norm.ppf(0.5 + level / 2)
    assert 0.95 <= np.median(w) / (2 * z * truth["noise"]) <= 1.25


# --------------------------------------------------------------------------
# Mondrian categories
# --------------------------------------------------------------------------


def test_categories():
    train = pd.DataFrame({"artist": ["A", "B", "C"], "price": [10.0, np.nan, 5.0],
                          "left_out": pd.array([None, "sold", "creation year given"], dtype="string")})
    rows = pd.DataFrame({"artist": ["A", "A", "A", "B", "D", "C"],
                         "sale_kind": ["repeat", "first", None, "repeat", "first", "first"]})
    # B has no priced lot: unseen (which takes precedence over repeat); C's history-only lot counts
    assert list(conformal_categories(rows, train)) == ["repeat", "fresh", "seen_artist", "unseen_artist",
                                                       "unseen_artist", "fresh"]
    assert list(conformal_categories(rows.drop(columns="sale_kind"), train)) == [
        "seen_artist", "seen_artist", "seen_artist", "unseen_artist", "unseen_artist", "seen_artist"]
    assert set(CATEGORIES) == {"unseen_artist", "repeat", "fresh", "seen_artist"}


@pytest.mark.parametrize("level", LEVELS)
def test_mondrian_intervals_follow_each_segments_noise(level):
    sales = market(noise=0.3, repeat_noise=1.2, unseen_noise=0.7, seed=4)
    train, test = split(sales)
    model = ConformalEstimator(TrueMean).fit(train)
    assert model.bins_ == ("unseen_artist", "repeat", "fresh")
    categories = model.categories(test)
    z = stats.norm.ppf(0.5 + level / 2)
    for category, s in (("fresh", 0.3), ("repeat", 1.2), ("unseen_artist", 0.7)):
        rows = categories == category
        cover, w = covered(model, test, level, rows)
        n_cal = model.calibration_counts_[category]
        assert abs(cover - level) <= band(level, rows.sum(), n_cal), (category, cover)
        assert np.median(w) == pytest.approx(2 * z * s, rel=0.15), category
    # one pooled quantile instead: the segments' coverage is off (over for fresh, under for repeat)
    pooled = ConformalEstimator(TrueMean, mondrian=False).fit(train)
    assert pooled.bins_ == () and pooled.mondrian_ is None
    fresh, _ = covered(pooled, test, level, categories == "fresh")
    repeat, _ = covered(pooled, test, level, categories == "repeat")
    assert fresh > level + (1 - level) / 2 and repeat < level - (1 - level) / 2


def test_small_categories_are_pooled_with_all():
    sales = market(noise=0.3, repeat_noise=1.2, unseen_noise=3.0, new_share=0.004, seed=5)
    train, test = split(sales)
    model = ConformalEstimator(TrueMean, min_bin=30).fit(train)
    counts = model.calibration_counts_
    assert 0 < counts["unseen_artist"] < 30 and counts["repeat"] >= 30 and counts["fresh"] >= 30
    assert model.bins_ == ("repeat", "fresh")
    pooled = ConformalEstimator(TrueMean, mondrian=False).fit(train)
    categories = model.categories(test)
    unseen = categories == "unseen_artist"
    assert unseen.any()
    for level in LEVELS:
        frame, reference = model.predict_interval(test, level), pooled.predict_interval(test, level)
        # the unseen artists' rows take the interval calibrated on all rows ...
        pd.testing.assert_frame_equal(frame.loc[unseen], reference.loc[unseen])
        # ... the others their category's
        assert not np.allclose(frame.loc[categories == "fresh"], reference.loc[categories == "fresh"])
    # with min_bin lowered the unseen artists get their own (much wider) quantile
    own = ConformalEstimator(TrueMean, min_bin=5).fit(train)
    assert "unseen_artist" in own.bins_
    assert (own.predict_interval(test).loc[unseen, "upper"] > model.predict_interval(test).loc[unseen, "upper"]).all()


def test_a_category_with_no_calibration_rows_is_pooled():
    # no sale_kind at calibration (seen_artist / unseen_artist only), yet a table with sale kinds to predict
    sales = market(n=6000, noise=0.3, sale_kind=False, seed=6)
    train, test = split(sales)
    model = ConformalEstimator(TrueMean).fit(train)
    assert set(model.bins_) == {"seen_artist", "unseen_artist"}
    test = test.assign(sale_kind="repeat")
    frame = model.predict_interval(test, 0.8)
    reference = ConformalEstimator(TrueMean, mondrian=False).fit(train).predict_interval(test, 0.8)
    seen = model.categories(test) == "repeat"
    assert seen.any()
    pd.testing.assert_frame_equal(frame.loc[seen], reference.loc[seen])


# --------------------------------------------------------------------------
# the calibration window
# --------------------------------------------------------------------------


def test_the_calibration_window_is_the_last_in_sample_years():
    sales = market(n=4000, seed=7)
    train, _ = split(sales)
    # history-only lots in a later year do not move the window
    late = train.iloc[-50:].assign(sale_date="2013-06-01", sale_year=2013, price=np.nan,
                                   left_out=pd.array(["sold"] * 50, dtype="string"))
    train = pd.concat([train, late])
    TrueMean.fitted_on = []
    model = ConformalEstimator(TrueMean, calibration_years=3).fit(train)
    assert model.calibration_window_ == (2010, 2012)
    first, refit = TrueMean.fitted_on
    assert first["sale_year"].max() == 2009 and first.index.equals(train.index[train["sale_year"] < 2010])
    assert refit.index.equals(train.index)
    window = (train["sale_year"] >= 2010).to_numpy()
    assert (window & ~in_sample(train) & np.isfinite(log_price(train))).any()  # priced history-only lots ...
    assert model.n_calibration_ == int((window & in_sample(train)).sum())  # ... are not calibrated on
    # as many calibration years as the table allows: every year but the first
    TrueMean.fitted_on = []
    two = train.loc[train["sale_year"].isin([2007, 2008])]
    model = ConformalEstimator(TrueMean, calibration_years=5).fit(two)
    assert model.calibration_window_ == (2008, 2008)
    assert TrueMean.fitted_on[0]["sale_year"].unique().tolist() == [2007]


def test_calibration_residuals_come_from_the_first_base():
    # a base that learns the mean log price of its training rows: its calibration residuals show the drift of
    # the window, which a base refitted on the window itself would hide
    class Mean:
        name = "mean"

        def fit(self, sales):
            self.mean_ = float(np.nanmean(log_price(sales.loc[in_sample(sales)])))
            return self

        def predict(self, sales):
            return np.full(len(sales), self.mean_)

    sales = market(n=6000, noise=0.1, seed=8)
    sales["price"] *= np.exp(0.5 * (sales["sale_year"] - 2005))  # a strong trend
    train, _ = split(sales)
    model = ConformalEstimator(Mean, mondrian=False).fit(train)
    assert model.calibration_model_.mean_ < model.model_.mean_
    np.testing.assert_array_equal(model.predict(train), model.model_.mean_)  # the refit's predictions
    half = np.diff(model.predict_interval(train.iloc[:5], 0.8).to_numpy(), axis=1) / 2
    assert (half > 1.0).all()  # the trend over the window (0.5 a year), not the noise (0.1) nor the spread of x


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


def test_errors():
    sales = market(n=2000, seed=9)
    one_year = sales.loc[sales["sale_year"] == 2006]
    with pytest.raises(InputError, match="1 sale years") as info:
        ConformalEstimator(TrueMean).fit(one_year)
    assert "\n" not in str(info.value)
    # every in-sample row but one year's is left out: one in-sample year
    only = sales.assign(left_out=pd.array(np.where(sales["sale_year"] == 2006, None, "sold"), dtype="string"))
    with pytest.raises(InputError, match="at least 2"):
        ConformalEstimator(TrueMean).fit(only)

    class Blind(TrueMean):
        def predict(self, sales):
            return np.full(len(sales), np.nan)

    with pytest.raises(InputError, match="no calibration rows") as info:
        ConformalEstimator(Blind).fit(sales)
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="calibration_years"):
        ConformalEstimator(TrueMean, calibration_years=0).fit(sales)
    with pytest.raises(RuntimeError, match="not fitted"):
        ConformalEstimator(TrueMean).predict_interval(sales)
    model = ConformalEstimator(TrueMean).fit(sales)
    for level in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="level"):
            model.predict_interval(sales, level=level)


def test_a_level_beyond_the_calibration_rows_gives_infinite_intervals():
    sales = market(n=600, seed=10)
    model = ConformalEstimator(TrueMean, mondrian=False).fit(sales)
    level = 1 - 0.5 / (model.n_calibration_ + 1)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        frame = model.predict_interval(sales, level=level)
    assert np.isinf(frame.to_numpy()).all()


def test_the_registry_wraps_the_models_the_config_names():
    from artstudy.evaluation.harness import evaluate
    from artstudy.models.registry import make_model
    from artstudy.models.trees import GradientBoostedTrees
    from artstudy.settings import resolve
    from test_evaluation_market import toy_sales

    config = resolve({"evaluation": {"conformal": ["artist_fe"], "conformal_years": 3, "n_bootstrap": 20}})
    wrapped = make_model("artist_fe", config, random_state=0)
    assert isinstance(wrapped, ConformalEstimator) and wrapped.name == "artist_fe"
    assert wrapped.calibration_years == 3
    assert isinstance(make_model("gbt", config, random_state=0), GradientBoostedTrees)
    sales, _ = toy_sales(n=3000, seed=5)
    result = evaluate(sales, config, models=["artist_fe"])
    plain = evaluate(sales, resolve({"evaluation": {"conformal": [], "n_bootstrap": 20}}), models=["artist_fe"])
    same = ["pred", "sd"]
    np.testing.assert_allclose(result.predictions[same].to_numpy(), plain.predictions[same].to_numpy())
    assert not np.allclose(result.predictions["upper80"], plain.predictions["upper80"])  # conformal, not normal
    coverage = result.table("coverage80", "all")["value"].iloc[0]
    assert abs(coverage - 0.8) < 0.06
