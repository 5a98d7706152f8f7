"""Leak tests of the harness, for every registered model.

1. Markers: absurd values planted in the test rows (prices times 1e6, an artist, a material, a
   support and an area no training lot has) never reach a fitted model: the table ``fit`` is
   given holds none, the fitted state equals the state fitted on the unmarked table (but for
   what differs between two fits of one table, such as timings) and holds no marker text, and predictions of training-period lots are unchanged, also after the
   marked test part was predicted. A positive control fits on the whole marked table, the leak
   the harness prevents, and shows the state check would see it.
2. No look-ahead: raising the prices of a test lot and of every lot sold after it leaves the
   predictions (mean, sd, intervals) of that lot and of every lot sold on or before its date
   unchanged.
"""


import numpy as np
import pandas as pd
import pytest

from artstudy.evaluation import harness
from artstudy.evaluation.harness import fit_model, predict_test
from artstudy.evaluation.split import temporal_split
from artstudy.models.registry import MODEL_NAMES
from artstudy.settings import resolve
from test_evaluation_market import toy_sales

MARKER = "MARKER-LEAK"
#: Small settings so that every model, the popularity-ability model included, fits in seconds.
CONFIG = {"seed": 3, "evaluation": {"test_years": 2, "n_bootstrap": 50},
          "model": {"n_gibbs": 30, "n_burn": 5, "max_iter": 5, "min_iter": 2, "min_works": None},
          "deep": {"image_size": 8, "epochs": 2, "batch_size": 128, "filters": [4], "embedding_dim": 4,
                   "hidden": [8], "head": [4], "shift": 0.0}}
#: Registered models, and variants of them under other settings (the oracle learns nothing from the sales
#: table, so the marker test, whose positive control needs a fitted state that a leak would change, skips it).
CASES = [(name, {}) for name in MODEL_NAMES] + [("hedonic_pop", {"model": {"popularity": {"kind": "relative"}}}),
                                                ("gbt", {"evaluation": {"trees": {"threads": 2}}})]
LEARNING = [case for case in CASES if case[0] != "oracle"]


def _config(extra, market=None):
    """The tests' config with ``extra`` merged over; the cnn_lstm reads the market's picture embeddings."""
    from artstudy.settings import deep_merge

    if market is not None:
        extra = deep_merge({"deep": {"embeddings": market.attrs["embeddings"]}}, extra)
    return resolve(deep_merge(CONFIG, extra))


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    """The toy market, each lot with a tiny picture (for the deep models)."""
    from PIL import Image

    sales, _ = toy_sales(n=1500, n_artists=25, seed=21)
    folder = tmp_path_factory.mktemp("pictures")
    grey = np.random.default_rng(5).integers(0, 256, size=(len(sales), 8, 8, 3), dtype=np.uint8)
    paths = [str(folder / f"{i}.png") for i in range(len(sales))]
    for path, img in zip(paths, grey):
        Image.fromarray(img).save(path)
    # the pictures' embeddings, as a multimodal run leaves them (for the cnn_lstm)
    npz = folder / "picture_embeddings.npz"
    np.savez(npz, image_path=np.array(paths), embedding=grey.reshape(len(paths), -1)[:, :6].astype(np.float32) / 255)
    out = sales.assign(image_path=paths)
    out.attrs["embeddings"] = str(npz)
    return out


@pytest.fixture(scope="module")
def truth_lots(market, tmp_path_factory):
    """A truth table of the market for the oracle: a mean log price per lot (here, a function of its covariates)."""
    path = tmp_path_factory.mktemp("world") / "truth_lots.csv"
    pd.DataFrame({"lot_id": market["lot_id"], "expected_log_price_usd": 8 + 0.6 * market["log_area"]}).to_csv(
        path, index=False)
    return str(path)


def _marked(sales, split):
    """The table with markers planted in every test row (in-sample and history-only alike)."""
    out = sales.copy()
    test = split.test
    out.loc[test, "price"] = out.loc[test, "price"] * 1e6
    out.loc[test, "log_area"] = out.loc[test, "log_area"] + 1e3
    rows = np.flatnonzero(test)
    out.loc[out.index[rows[::3]], "artist"] = MARKER
    out.loc[out.index[rows[1::3]], "material"] = MARKER
    out.loc[out.index[rows[2::3]], "support"] = MARKER
    return out


# ---------------------------------------------------------------------------------------------
# the fitted state, walked generically


def _state(model):
    """The fitted attributes (scikit-learn's convention: public names ending in ``_``)."""
    return {k: v for k, v in vars(model).items() if k.endswith("_") and not k.startswith("_")}


def _leaves(value, path="", depth=0):
    """(path, leaf) pairs of a fitted attribute: arrays, frames, numbers, strings; objects opened to depth 4."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(k, f"{path}.key", depth)
            yield from _leaves(v, f"{path}[{k!r}]", depth)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]", depth)
    elif isinstance(value, (pd.Series, pd.DataFrame, pd.Index)):
        yield f"{path}.index", tuple(map(str, value.index)) if not isinstance(value, pd.Index) else ()
        if isinstance(value, pd.DataFrame):
            yield f"{path}.columns", tuple(map(str, value.columns))
        yield path, value.to_numpy() if not isinstance(value, pd.Index) else value.astype(str).to_numpy()
    elif isinstance(value, (np.ndarray, np.generic, int, float, bool, str, bytes, type(None))):
        yield path, value
    elif hasattr(value, "get_weights") and hasattr(value, "layers"):  # a Keras model: its weights are its state
        for i, w in enumerate(value.get_weights()):
            yield f"{path}.weights[{i}]", np.asarray(w)
    elif hasattr(value, "__dict__") and depth < 4:
        for k, v in vars(value).items():
            if not k.startswith("__"):
                yield from _leaves(v, f"{path}.{k}", depth + 1)
    else:
        yield path, repr(value)


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a.astype(str), b.astype(str)))


def _differences(first, second) -> list[str]:
    left, right = dict(_leaves(_state(first))), dict(_leaves(_state(second)))
    if left.keys() != right.keys():
        return sorted(set(left) ^ set(right))
    return [k for k in left if not _same(left[k], right[k])]


def _has_marker(model) -> list[str]:
    found = []
    for path, leaf in _leaves(_state(model)):
        text = np.asarray(leaf)
        if text.dtype.kind in "OUS" and any(MARKER in str(x) for x in text.ravel()):
            found.append(path)
    return found


def _predictions(model, rows):
    mean = np.asarray(model.predict(rows), dtype=float)
    interval = model.predict_interval(rows, level=0.8)
    return np.column_stack([mean, interval["lower"], interval["upper"]])


# ---------------------------------------------------------------------------------------------
# the tests


@pytest.mark.parametrize("name, extra", LEARNING)
def test_no_fitted_model_sees_a_marker_planted_in_the_test_rows(name, extra, market, monkeypatch):
    config = _config(extra, market)
    split = temporal_split(market, config)
    marked = _marked(market, split)
    given = []
    real = harness.make_model

    def spy(model_name, cfg, random_state):
        model = real(model_name, cfg, random_state)
        fit = model.fit
        model.fit = lambda sales: (given.append(sales.copy()), fit(sales))[1]
        return model

    monkeypatch.setattr(harness, "make_model", spy)
    clean, _ = fit_model(name, market, config, split)
    # what differs between two fits of the same table (wall-clock times) is not state learned from data
    noise = set(_differences(clean, fit_model(name, market, config, split)[0]))
    model, _ = fit_model(name, marked, config, split)
    fitted = given[-1]
    assert not fitted.isin([MARKER]).any().any() and fitted["log_area"].max() < 100
    assert pd.to_datetime(fitted["sale_date"]).max() < split.cutoff
    assert set(_differences(clean, model)) <= noise and _has_marker(model) == []
    # predictions of training-period lots: as the clean model's, before and after valuing the marked test part
    past = market.loc[split.train & split.fitted]
    before = _predictions(model, past)
    np.testing.assert_array_equal(before, _predictions(clean, past))
    predict_test(model, name, marked, split, config.evaluation.levels)
    np.testing.assert_array_equal(_predictions(model, past), before)
    assert set(_differences(clean, model)) <= noise
    # positive control: fitted on the whole table with the price marker (the leak the harness prevents),
    # the state shows it (the other markers are left out here: they may make a design singular)
    leaked = real(name, config, harness.model_seed(config, name)).fit(market.assign(price=marked["price"]))
    assert set(_differences(clean, leaked)) - noise


@pytest.mark.parametrize("name, extra", CASES)
def test_later_prices_do_not_change_an_earlier_or_the_own_prediction(name, extra, market, truth_lots):
    config = _config({**extra, "evaluation": {"truth_lots": truth_lots}} if name == "oracle" else extra, market)
    split = temporal_split(market, config)
    model, _ = fit_model(name, market, config, split)
    dates = pd.to_datetime(market["sale_date"])
    scored = np.flatnonzero(split.scored & (split.years == split.first_test_year))
    pivot = scored[scored.size // 2]  # mid first test year: later lots in the same year and the next
    later = split.test & (dates >= dates.iloc[pivot]).to_numpy()
    later_only = later & (dates > dates.iloc[pivot]).to_numpy()
    changed = market.copy()
    changed.loc[later, "price"] = changed.loc[later, "price"] * np.exp(2.0)
    changed.loc[changed.index[later_only][::5], "price"] = np.nan  # some later lots unsold
    levels = config.evaluation.levels
    first = predict_test(model, name, market, split, levels)
    second = predict_test(model, name, changed, split, levels)
    known = ~later_only[split.scored]  # the pivot, its same-day lots and every earlier test lot
    assert known.sum() > 50
    values = [c for c in first.columns if c not in ("lot_id", "model")]
    np.testing.assert_array_equal(second.loc[known, values].to_numpy(dtype=float),
                                  first.loc[known, values].to_numpy(dtype=float))
    if name in ("hedonic_pop", "gbt"):  # not vacuous: later lots' popularity, artist mean, previous sale use earlier prices
        moved = (second["pred"] != first["pred"]).to_numpy() & ~known
        assert moved.any()
