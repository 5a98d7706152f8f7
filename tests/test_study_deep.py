"""The deep-valuation report's numbers: paired bootstrap R², the image gain, Grad-CAM region shares, conclusions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.evaluation.harness import lot_ids, score
from artstudy.evaluation.metrics import segment_seed
from artstudy.evaluation.split import temporal_split
from artstudy.models.base import log_price
from artstudy.settings import resolve
from artstudy.study.deep import BOOTSTRAP_COLUMNS, GAIN_COLUMNS, bootstrap_r2, gradcam_region_summary, image_gain
from artstudy.study.deep_report import (criterion_holds, data_limits, deep_conclusions, gain_print_table, introduction,
                                        metric_print_table, scored_counts, timing_table, top_artist_labels)
from test_evaluation_market import toy_sales

# -- a hand-made market: 2 training sales in 2000; in 2001 four fresh and five repeat sales --------
FRESH_Y = np.array([0.0, 1.0, 2.0, 3.0])          # mean 1.5, SST 5
REPEAT_Y = np.array([1.0, 2.0, 3.0, 4.0, 5.0])    # mean 3, SST 10
# point R²: fresh  reference 1 - 0.5/5 = 0.9, model 1 - 0.25/5 = 0.95, oracle 1
#           repeat reference 1 - 2/10 = 0.8, model 1 - 1/10 = 0.9,   oracle 1
PREDS = {
    "mlp": (np.array([0.5, 1.0, 2.0, 2.5]), REPEAT_Y + [1, 0, 0, 0, -1]),
    "multimodal": (np.array([0.0, 1.0, 2.0, 3.5]), REPEAT_Y + [1, 0, 0, 0, 0]),
    "oracle": (FRESH_Y, REPEAT_Y),
}


def hand_market(fresh_y=FRESH_Y, repeat_y=REPEAT_Y):
    y = np.concatenate([[2.0, 3.0], fresh_y, repeat_y])
    n_fresh, n_repeat = len(fresh_y), len(repeat_y)
    return pd.DataFrame({
        "lot_id": [f"L{i}" for i in range(y.size)], "artist": "A",
        "sale_year": [2000, 2000] + [2001] * (n_fresh + n_repeat), "price": np.exp(y),
        "sale_kind": ["first", "first"] + ["first"] * n_fresh + ["repeat"] * n_repeat,
    })


def hand_predictions(sales, preds=PREDS, models=("mlp", "multimodal", "oracle")):
    ids = sales["lot_id"].to_numpy()[2:]
    return [pd.DataFrame({"lot_id": ids, "model": m, "pred": np.concatenate(preds[m]), "sd": np.nan})
            for m in models]


@pytest.fixture(scope="module")
def hand():
    sales = hand_market()
    return sales, temporal_split(sales, {"test_years": 1})


def test_image_gain_gives_hand_computed_gains_contrast_and_oracle_share(hand):
    sales, split = hand
    table = image_gain(sales, hand_predictions(sales), split, n_bootstrap=50)
    assert list(table.columns) == GAIN_COLUMNS
    values = table.set_index("quantity")["value"]
    assert list(values.index) == ["gain_fresh", "gain_repeat", "gain_fresh_minus_repeat", "oracle_gain_fresh",
                                  "oracle_share_fresh"]
    assert values["gain_fresh"] == pytest.approx(0.95 - 0.9)
    assert values["gain_repeat"] == pytest.approx(0.9 - 0.8)
    assert values["gain_fresh_minus_repeat"] == pytest.approx(0.05 - 0.1)
    assert values["oracle_gain_fresh"] == pytest.approx(1 - 0.9)
    assert values["oracle_share_fresh"] == pytest.approx(0.05 / 0.1)
    assert (table["ci_low"] <= table["ci_high"]).all()
    assert table.attrs["n"] == {"fresh": 4, "repeat": 5}
    assert table.attrs["model"] == "multimodal" and table.attrs["oracle"] == "oracle"
    # one concatenated table, in another row order, gives the same
    shuffled = pd.concat(hand_predictions(sales), ignore_index=True).sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(image_gain(sales, shuffled, split, n_bootstrap=50), table)


def test_without_the_oracle_its_rows_are_absent(hand):
    sales, split = hand
    table = image_gain(sales, hand_predictions(sales, models=("mlp", "multimodal")), split, n_bootstrap=20)
    assert list(table["quantity"]) == ["gain_fresh", "gain_repeat", "gain_fresh_minus_repeat"]
    assert table.attrs["oracle"] is None
    assert list(image_gain(sales, hand_predictions(sales), split, oracle=None, n_bootstrap=20)["quantity"]) == \
        list(table["quantity"])


def test_a_model_identical_to_the_reference_gains_exactly_nothing(hand):
    sales, split = hand
    preds = {**PREDS, "multimodal": PREDS["mlp"]}
    table = image_gain(sales, hand_predictions(sales, preds), split, n_bootstrap=100).set_index("quantity")
    for q in ("gain_fresh", "gain_repeat", "gain_fresh_minus_repeat", "oracle_share_fresh"):
        assert tuple(table.loc[q]) == (0.0, 0.0, 0.0), q


def test_the_gain_intervals_are_those_of_score_on_a_toy_market():
    sales, _ = toy_sales(n=1200, n_artists=20, seed=3)
    config = resolve({"seed": 5, "evaluation": {"test_years": 2, "n_bootstrap": 150}})
    split = temporal_split(sales, config)
    y = log_price(sales)[split.scored]
    ids = lot_ids(sales)[split.scored]
    rng = np.random.default_rng(0)
    preds = [pd.DataFrame({"lot_id": ids, "model": m, "pred": y + rng.normal(0, s, y.size), "sd": np.nan})
             for m, s in (("mlp", 0.5), ("multimodal", 0.3), ("hedonic", 0.8))]
    table = image_gain(sales, preds, split, n_bootstrap=150, seed=5, oracle="oracle").set_index("quantity")
    _, diffs = score(sales, preds, config, split)
    for segment in ("fresh", "repeat"):
        row = diffs[(diffs["model"] == "multimodal") & (diffs["reference"] == "mlp") & (diffs["segment"] == segment)
                    & (diffs["metric"] == "r2")].iloc[0]
        np.testing.assert_allclose(table.loc[f"gain_{segment}"].to_numpy(dtype=float),
                                   row[["value", "ci_low", "ci_high"]].to_numpy(dtype=float), atol=1e-12)
    assert "oracle_gain_fresh" not in table.index


def test_image_gain_refuses_missing_models_lots_and_small_segments(hand):
    sales, split = hand
    preds = hand_predictions(sales)
    with pytest.raises(InputError, match=r"^image_gain: no predictions of model multimodal \(the model; models "
                                         r"present: mlp, oracle\)"):
        image_gain(sales, [preds[0], preds[2]], split)
    with pytest.raises(InputError, match="no predictions of model cnn_ref \\(the reference"):
        image_gain(sales, preds, split, reference="cnn_ref")
    short = [p.iloc[1:] if p["model"].iloc[0] == "multimodal" else p for p in preds]
    with pytest.raises(InputError, match="^predictions of model multimodal: column pred: no value for 1 of the 9"):
        image_gain(sales, short, split)
    small = hand_market(fresh_y=np.array([1.0]))
    small_split = temporal_split(small, {"test_years": 1})
    ids = small["lot_id"].to_numpy()[2:]
    small_preds = [pd.DataFrame({"lot_id": ids, "model": m, "pred": 1.0}) for m in ("mlp", "multimodal")]
    with pytest.raises(InputError, match="^image_gain: segment fresh has 1 scored test sales; comparing model "
                                         "multimodal with mlp needs at least 2"):
        image_gain(small, small_preds, small_split)
    with pytest.raises(InputError, match="no segment 'fresh'"):
        image_gain(sales.drop(columns="sale_kind"), preds, split)
    with pytest.raises(InputError, match="two different segment names"):
        image_gain(sales, preds, split, segments=("fresh",))


# -- bootstrap_r2 -------------------------------------------------------------------------------
def test_bootstrap_r2_is_paired_within_segments_and_reproducible():
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    masks = pd.DataFrame({"a": [True, True, True, True, False, False], "b": [False, False, True, True, True, True],
                          "none": False})
    preds = {"m": y + np.array([0.5, -0.5, 0.0, 1.0, 0.0, -1.0]), "perfect": y}
    table = bootstrap_r2(y, preds, masks, n_bootstrap=30, seed=9)
    assert list(table.columns) == BOOTSTRAP_COLUMNS
    assert len(table) == 2 * 2 * 30 and set(table["segment"]) == {"a", "b"}  # an empty segment is left out
    for segment in ("a", "b"):
        pos = np.flatnonzero(masks[segment])
        idx = segment_seed(9, segment).integers(0, pos.size, size=(30, pos.size))  # the resamples, by hand
        ys, ps = y[pos][idx], preds["m"][pos][idx]
        sst = ((ys - ys.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
        expected = np.where(sst > 0, 1 - ((ys - ps) ** 2).sum(axis=1) / np.where(sst > 0, sst, 1), np.nan)
        got = table[(table["segment"] == segment) & (table["model"] == "m")]
        assert list(got["replicate"]) == list(range(30))
        np.testing.assert_allclose(got["r2"].to_numpy(), expected)
        perfect = table[(table["segment"] == segment) & (table["model"] == "perfect")]["r2"].to_numpy()
        assert np.all(perfect[sst > 0] == 1.0) and np.all(np.isnan(perfect[sst == 0]))
    pd.testing.assert_frame_equal(bootstrap_r2(y, preds, masks, 30, 9), table)
    assert not bootstrap_r2(y, preds, masks, 30, 10)["r2"].equals(table["r2"])


def test_bootstrap_r2_of_one_resample_of_the_whole_sample_is_the_hand_computed_r2():
    # a segment of one sale drawn n times is constant: NaN; two sales drawn -> R² of the resample
    y, pred = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 5.0])  # R² = 1 - 1/5 on the whole sample
    masks = pd.DataFrame({"all": np.ones(4, dtype=bool)})
    table = bootstrap_r2(y, {"m": pred}, masks, n_bootstrap=400, seed=0)
    idx = segment_seed(0, "all").integers(0, 4, size=(400, 4))
    whole = np.flatnonzero((np.sort(idx, axis=1) == np.arange(4)).all(axis=1))  # resamples holding each sale once
    assert whole.size > 0
    np.testing.assert_allclose(table["r2"].to_numpy()[whole], 0.8)


def test_bootstrap_r2_refuses_misaligned_arrays():
    masks = pd.DataFrame({"all": np.ones(3, dtype=bool)})
    with pytest.raises(InputError, match="predictions of model m have shape \\(2,\\), y has \\(3,\\)"):
        bootstrap_r2(np.ones(3), {"m": np.ones(2)}, masks, 10, 0)
    with pytest.raises(InputError, match="masks have 2 rows, y has 3"):
        bootstrap_r2(np.ones(3), {"m": np.ones(3)}, masks.iloc[:2], 10, 0)
    with pytest.raises(InputError, match="n_bootstrap must be at least 1"):
        bootstrap_r2(np.ones(3), {"m": np.ones(3)}, masks, 0, 0)


# -- Grad-CAM -----------------------------------------------------------------------------------
def test_gradcam_region_summary_gives_the_mean_share_chance_and_ratio():
    maps = np.zeros((3, 4, 4))
    maps[0, :2, :2] = 1.0      # all its mass in the top-left quadrant: share 1
    maps[1] = 1.0              # uniform: share 1/4
    # maps[2] has no mass: left out and counted
    out = gradcam_region_summary(maps, (0, 2, 0, 2), n_bootstrap=200, seed=1)
    assert out["n_maps"] == 2 and out["n_excluded"] == 1
    assert out["mean_share"] == pytest.approx(0.625) and out["chance_share"] == pytest.approx(0.25)
    assert out["ratio"] == pytest.approx(2.5)
    assert 0.25 <= out["ci_low"] <= out["mean_share"] <= out["ci_high"] <= 1.0
    assert out["ratio_ci_low"] == pytest.approx(out["ci_low"] / 0.25)
    same = gradcam_region_summary(np.stack([maps[0]] * 5), (0, 2, 0, 2), n_bootstrap=50)
    assert (same["mean_share"], same["ci_low"], same["ci_high"], same["ratio"]) == (1.0, 1.0, 1.0, 4.0)
    # one mask per map: chance is the mean of their areas over the maps used
    masks = np.zeros((3, 4, 4), dtype=bool)
    masks[0, :2, :2] = True
    masks[1, :, :2] = True
    masks[2, :1, :1] = True
    per_map = gradcam_region_summary(maps, masks, n_bootstrap=50)
    assert per_map["mean_share"] == pytest.approx((1.0 + 0.5) / 2)
    assert per_map["chance_share"] == pytest.approx((0.25 + 0.5) / 2)


def test_gradcam_region_summary_refuses_maps_without_mass_and_empty_regions():
    with pytest.raises(InputError, match="none of the 2 heat maps has any mass"):
        gradcam_region_summary(np.zeros((2, 4, 4)), (0, 2, 0, 2))
    with pytest.raises(InputError, match="the region is empty"):
        gradcam_region_summary(np.ones((2, 4, 4)), (0, 0, 0, 2))


# -- conclusions --------------------------------------------------------------------------------
def gain_table(fresh=(0.05, 0.03, 0.07), repeat=(0.01, -0.01, 0.03), contrast=(0.04, 0.01, 0.07), oracle=None,
               share=None):
    rows = [("gain_fresh", *fresh), ("gain_repeat", *repeat), ("gain_fresh_minus_repeat", *contrast)]
    if oracle is not None:
        rows += [("oracle_gain_fresh", *oracle), ("oracle_share_fresh", *share)]
    table = pd.DataFrame(rows, columns=GAIN_COLUMNS)
    table.attrs.update(model="multimodal", reference="mlp", oracle="oracle" if oracle else None,
                       segments=("fresh", "repeat"), ci_level=0.95)
    return table


@pytest.mark.parametrize("fresh, says", [
    ((0.05, 0.03, 0.07), "clearly positive and above the 0.02"),
    ((0.03, 0.01, 0.05), "positive, but not clearly above the 0.02"),
    ((0.01, -0.01, 0.03), "indistinguishable from zero"),
    ((-0.04, -0.06, -0.02), "negative: the images make the valuation worse"),
])
def test_the_fresh_gain_sentence_follows_its_interval(fresh, says):
    first = deep_conclusions(gain_table(fresh=fresh))[0]
    assert first.startswith("On fresh-to-market sales, multimodal explains") and says in first
    assert f"{fresh[1]:+.3f} to {fresh[2]:+.3f}" in first
    assert ("less of the variance" in first) == (fresh[0] < 0)


@pytest.mark.parametrize("contrast, says", [
    ((0.04, 0.01, 0.07), "larger on fresh-to-market sales than on repeat sales"),
    ((-0.04, -0.07, -0.01), "smaller on fresh-to-market sales than on repeat sales"),
    ((0.01, -0.02, 0.04), "not distinguishable between fresh-to-market sales and repeat sales"),
])
def test_the_contrast_sentence_follows_its_interval(contrast, says):
    sentences = deep_conclusions(gain_table(contrast=contrast))
    assert len(sentences) == 2
    assert says in sentences[1] and "+0.050 on fresh-to-market sales and +0.010 on repeat sales" in sentences[1]


@pytest.mark.parametrize("oracle, share, says", [
    ((0.08, 0.06, 0.10), (0.625, 0.55, 0.7), "captures 62% of it (95% interval 55% to 70%): at least the 50%"),
    ((0.08, 0.06, 0.10), (0.3, 0.2, 0.4), "below the 50% asked for"),
    ((0.08, 0.06, 0.10), (0.6, 0.4, 0.8), "not distinguishable from the 50% asked for"),
    ((0.0, -0.01, 0.01), (np.nan, -5.0, 5.0), "with nothing to gain, the share of it that multimodal captures"),
])
def test_the_oracle_sentence_follows_the_share_against_the_threshold(oracle, share, says):
    sentences = deep_conclusions(gain_table(oracle=oracle, share=share), min_oracle_share=0.5)
    assert len(sentences) == 3
    assert sentences[2].startswith("Against mlp on fresh-to-market sales, the oracle (oracle) gains")
    assert says in sentences[2]


@pytest.mark.parametrize("summary, says", [
    ({"mean_share": 0.5, "ci_low": 0.4, "ci_high": 0.6, "chance_share": 0.25}, "more than chance"),
    ({"mean_share": 0.1, "ci_low": 0.05, "ci_high": 0.2, "chance_share": 0.25}, "less than chance"),
    ({"mean_share": 0.3, "ci_low": 0.2, "ci_high": 0.4, "chance_share": 0.25}, "not distinguishable from chance"),
])
def test_the_gradcam_sentence_sets_the_region_share_against_chance(summary, says):
    last = deep_conclusions(gain_table(), gradcam={**summary, "n_maps": 1200, "n_excluded": 3})[-1]
    assert says in last and "over 1,200 works; 3 maps without mass left out" in last
    assert f"{summary['mean_share'] / summary['chance_share']:.2f} times chance" in last


def test_conclusions_on_a_computed_table_and_on_a_table_without_the_gain():
    sales = hand_market()
    table = image_gain(sales, hand_predictions(sales), temporal_split(sales, {"test_years": 1}), n_bootstrap=30)
    sentences = deep_conclusions(table)
    assert len(sentences) == 3 and "explains 0.050 more of the variance" in sentences[0]
    with pytest.raises(InputError, match="no row 'gain_fresh'"):
        deep_conclusions(table[table["quantity"] != "gain_fresh"])


def test_criterion_holds_on_point_values():
    good = dict(oracle=(0.08, 0.0, 0.1), share=(0.625, 0.1, 0.9))
    assert criterion_holds(gain_table(**good), 0.02, 0.5)              # the intervals do not matter
    assert criterion_holds(gain_table(), 0.02, 0.5)                     # no oracle: no share needed
    assert not criterion_holds(gain_table(fresh=(0.02, 0.0, 0.1), **good), 0.02, 0.5)  # not above min_gain
    assert not criterion_holds(gain_table(repeat=(0.06, 0.0, 0.1), **good), 0.02, 0.5)  # repeat gains more
    assert not criterion_holds(gain_table(oracle=(0.08, 0, 0.1), share=(0.49, 0, 1)), 0.02, 0.5)
    assert criterion_holds(gain_table(oracle=(0.08, 0, 0.1), share=(0.5, 0, 1)), 0.02, 0.5)  # at the threshold
    assert not criterion_holds(gain_table(fresh=(np.nan, np.nan, np.nan)), 0.02, 0.5)
    assert not criterion_holds(gain_table(oracle=(0.0, 0, 0), share=(np.nan, np.nan, np.nan)), 0.02, 0.5)


# -- the report's tables and sentences -------------------------------------------------------------
def tidy_metrics():
    rows = []
    for model, r2_all in (("mlp", 0.6), ("multimodal", 0.7)):
        for segment, n in (("all", 9), ("fresh", 4), ("repeat", 5)):
            rows += [(model, segment, "r2", r2_all, r2_all - 0.1, r2_all + 0.1),
                     (model, segment, "mae", 0.5, 0.4, 0.6),
                     (model, segment, "n", n, np.nan, np.nan)]
    return pd.DataFrame(rows, columns=["model", "segment", "metric", "value", "ci_low", "ci_high"])


def test_metric_print_table_has_model_by_segment_rows_and_one_column_per_metric():
    table = metric_print_table(tidy_metrics(), ["multimodal", "mlp", "absent"], {"mlp": "tabular MLP"})
    assert list(table.columns) == ["R²", "MAE", "n"]  # metrics the table lacks are left out
    assert list(table.index) == [("multimodal", "all"), ("multimodal", "repeat"), ("multimodal", "fresh to market"),
                                 ("tabular MLP", "all"), ("tabular MLP", "repeat"), ("tabular MLP", "fresh to market")]
    assert table.loc[("multimodal", "all"), "R²"] == "0.700 (0.600 to 0.800)"
    assert table.loc[("tabular MLP", "fresh to market"), "n"] == "4"
    # a metric without an interval shows its value only; a missing metric a dash
    m = tidy_metrics()
    m.loc[(m["metric"] == "mae") & (m["model"] == "mlp"), ["ci_low", "ci_high"]] = np.nan
    m = m[~((m["metric"] == "r2") & (m["model"] == "mlp") & (m["segment"] == "all"))]
    table = metric_print_table(m, metric_names={"r2": "R2", "mae": "MAE"})
    assert table.loc[("mlp", "all"), "MAE"] == "0.500" and table.loc[("mlp", "all"), "R2"] == "–"


def test_gain_print_table_names_the_quantities_and_gives_the_share_in_percent(hand):
    sales, split = hand
    gain = image_gain(sales, hand_predictions(sales), split, n_bootstrap=20)
    table = gain_print_table(gain)
    assert list(table.index) == ["gain on fresh to market", "gain on repeat",
                                 "gain on fresh to market minus gain on repeat", "oracle's gain on fresh to market",
                                 "share of the oracle's gain on fresh to market"]
    assert table.loc["gain on fresh to market", "value"] == "+0.050"
    assert table.loc["gain on fresh to market minus gain on repeat", "value"] == "-0.050"
    assert table.loc["share of the oracle's gain on fresh to market", "value"] == "50%"
    assert " to " in table.loc["gain on repeat", "interval"]


def test_scored_counts_are_the_segment_sizes(hand):
    sales, split = hand
    assert scored_counts(sales, split) == {"all": 9, "repeat": 5, "fresh": 4, "unseen_artist": 0}


def test_timing_table_has_one_row_per_model_and_encoder_columns_only_when_present():
    summaries = {"mlp": {"backend": "jax", "epochs_run": 4, "best_epoch": 3, "seconds": 3.26,
                         "samples_per_second": 27319.9},
                 "multimodal": {"backend": "jax", "epochs_run": 4, "best_epoch": 4, "seconds": 28.2,
                                "samples_per_second": 2000.0, "encoder_epochs_run": 5,
                                "encoder_samples_per_second": 574.4}}
    table = timing_table(summaries, {"mlp": "tabular MLP"})
    assert list(table.index) == ["tabular MLP", "multimodal"]
    assert table.loc["tabular MLP", "samples per second"] == "27,320"
    assert table.loc["tabular MLP", "seconds"] == "3.3"
    assert table.loc["tabular MLP", "encoder epochs"] == "–" and table.loc["multimodal", "encoder epochs"] == "5"
    assert "encoder epochs" not in timing_table({"mlp": summaries["mlp"]}).columns


def test_top_artist_labels_keep_the_k_busiest_artists_and_call_the_rest_other():
    artists = ["B", "A", "C", "A", "B", "D", "C", "A"]   # A 3, B 2, C 2, D 1
    labels = top_artist_labels(artists, k=2)
    assert list(labels) == ["B", "A", "other", "A", "B", "other", "other", "A"]  # B before C: ties by name
    assert list(labels.cat.categories) == ["A", "B", "other"]
    assert list(top_artist_labels(artists, k=10).cat.categories) == ["A", "B", "C", "D"]  # no "other" needed


def test_introduction_names_the_paper_and_quotes_the_secondary_figures_as_unverified():
    text = introduction("synthetic", True)
    for needle in ("Mei, Moses, Waelty and Yang", "Deep Learning for Art Market Valuation", "2512.23078",
                   "0.77-0.79", "0.54-0.59", "0.61-0.65", "unverified", "synthetic"):
        assert needle in text
    assert "`cml_portugal`" in introduction("cml_portugal", False)


def test_data_limits_say_what_a_real_source_cannot_show():
    real = data_limits({"all": 500, "repeat": 12, "fresh": 488, "unseen_artist": 0}, has_truth=False)
    text = "\n".join(real)
    assert "repeat 12" in text and "fresh to market 488" in text
    assert "wide" in text and "repeat (12 sales)" in text
    assert "unseen artists" in real[1] and "No scored test sale" in real[1]
    assert "No oracle" in text and "No known region" in text
    synthetic = "\n".join(data_limits({"all": 500, "repeat": 200, "fresh": 300}, has_truth=True))
    assert "No oracle" not in synthetic and "wide" not in synthetic


def test_sample_mix_counts_and_shares_each_part_by_the_column(hand):
    from artstudy.study.deep_report import sample_mix

    sales, split = hand
    materials = ["oil", "paper"] + ["oil", "oil", None, "ink"] + ["ink"] * 5
    mixed = sales.assign(material=materials[:len(sales)])
    table = sample_mix(mixed, split)
    assert list(table.columns) == ["training", "training share", "test", "test share"]
    assert table.loc["oil", "training"] == 1 and table.loc["paper", "training"] == 1
    assert table.loc["ink", "test"] == 6 and table.loc["oil", "test"] == 2 and table.loc["not given", "test"] == 1
    assert table["test share"].sum() == pytest.approx(1.0) and table.index[0] == "ink"
    top = sample_mix(mixed, split, top=2)
    assert list(top.index) == ["ink", "oil", "other values"] and top.loc["other values", "test"] == 1
    with pytest.raises(InputError, match="no column 'support'"):
        sample_mix(sales, split, "support")


def test_gradcam_by_quality_splits_the_works_by_the_sign_of_their_quality():
    from artstudy.study.deep import QUALITY_GROUPS, gradcam_by_quality

    maps = np.zeros((5, 4, 4))
    maps[0, :2, :2] = 1.0       # above average, all in the region
    maps[1, :2, :2] = 1.0       # above average, all in the region
    maps[2] = 1.0               # below average, uniform: 1/4
    maps[3, 2:, 2:] = 1.0       # below average, all outside
    # maps[4]: no mass, quality unknown
    table = gradcam_by_quality(maps, (0, 2, 0, 2), [0.5, 1.2, -0.3, 0.0, np.nan], n_bootstrap=100, seed=2)
    assert list(table.index) == list(QUALITY_GROUPS)
    assert table.loc["all works", "mean_share"] == pytest.approx((1 + 1 + 0.25 + 0) / 4)
    assert table.loc["above-average quality", "mean_share"] == 1.0 and table.loc["above-average quality", "ratio"] == 4
    assert table.loc["average or below", "mean_share"] == pytest.approx(0.125)
    assert list(table["n_maps"]) == [4, 2, 2] and table.loc["all works", "n_excluded"] == 1
    none = gradcam_by_quality(maps, (0, 2, 0, 2), [-1.0] * 5, n_bootstrap=20)
    assert none.loc["above-average quality", "n_maps"] == 0 and np.isnan(none.loc["above-average quality", "mean_share"])
    with pytest.raises(InputError, match="3 quality values for 5 heat maps"):
        gradcam_by_quality(maps, (0, 2, 0, 2), [1, 2, 3])
