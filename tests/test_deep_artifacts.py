"""What a trained deep model leaves for the report: the files, their shapes, and only test-period works in the samples."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from artstudy.errors import InputError
from artstudy.evaluation.harness import fit_model, lot_ids, predict_test
from artstudy.models.deep.artifacts import load_model, read_summary, save_artifacts
from artstudy.settings import deep_merge, resolve
from test_evaluation_leaks import CONFIG

SAMPLE = {"deep": {"map_works": 60, "gradcam_works": 20}}


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    """The toy market with 8-px pictures; works sold again show their first sale's picture."""
    from PIL import Image

    from test_evaluation_market import toy_sales

    sales, _ = toy_sales(n=900, n_artists=20, seed=4)
    folder = tmp_path_factory.mktemp("pictures")
    works = pd.unique(sales["artwork_id"])
    pixels = np.random.default_rng(2).integers(0, 256, size=(len(works), 8, 8, 3), dtype=np.uint8)
    path = {w: str(folder / f"{w}.png") for w in works}
    for w, img in zip(works, pixels):
        Image.fromarray(img).save(path[w])
    return sales.assign(image_path=sales["artwork_id"].map(path))


@pytest.fixture(scope="module")
def saved(market, tmp_path_factory):
    config = resolve(deep_merge(CONFIG, SAMPLE))
    out = {}
    for name in ("multimodal", "mlp"):
        model, split = fit_model(name, market, config)
        folder = tmp_path_factory.mktemp(name)
        summary = save_artifacts(model, market, split, folder, map_works=60, gradcam_works=20, seed=1, seconds=2.5)
        out[name] = (model, split, folder, summary)
    return config, out


def test_every_model_saves_its_model_curves_and_summary(saved, market):
    config, out = saved
    for name, (model, split, folder, summary) in out.items():
        assert {"model.keras", "history.csv", "summary.json", "timing.json"} <= {p.name for p in folder.iterdir()}
        history = pd.read_csv(folder / "history.csv")
        assert list(history.columns) == ["epoch", "loss", "val_loss"]
        assert history["epoch"].tolist() == list(range(1, len(history) + 1)) and len(history) <= 2
        on_disk = read_summary(folder)  # summary.json with the wall times of timing.json
        assert on_disk == summary and on_disk["model"] == name and on_disk["seconds"] == 2.5
        import keras
        assert on_disk["backend"] == keras.backend.backend() and on_disk["epochs_run"] == len(history)
        # the saved model predicts what the fitted one does
        reloaded = load_model(folder / "model.keras")
        test = market.loc[split.test]
        from artstudy.models.deep.training import mean_and_sd, predict
        mean, sd = mean_and_sd(predict(reloaded, model._inputs(test)))
        np.testing.assert_allclose(mean, model.predict(test), rtol=1e-5, atol=1e-5)
        if model.predictive == "gaussian":  # the Gaussian head's sd, as the fitted model gives it
            np.testing.assert_allclose(sd * on_disk["sd_scale"], model.predict_distribution(test)[1], rtol=1e-5,
                                       atol=1e-5)
    assert not (out["mlp"][2] / "gradcam.npz").exists() and not (out["mlp"][2] / "embeddings.csv").exists()


def test_image_samples_hold_only_scored_test_works(saved, market):
    _, out = saved
    model, split, folder, summary = out["multimodal"]
    assert (folder / "encoder_history.csv").exists() and summary["fusion"] == "embeddings"
    scored = set(lot_ids(market)[split.scored])
    emb = pd.read_csv(folder / "embeddings.csv", dtype={"lot_id": str})
    assert list(emb.columns) == ["lot_id", "artist", "log_price", "segment", "unseen_artist", "map_x", "map_y"]
    assert len(emb) == 60 and set(emb["lot_id"]) <= scored
    works = market.set_index(lot_ids(market))["artwork_id"]
    assert works.loc[emb["lot_id"]].is_unique  # one point per work
    assert set(emb["segment"]) <= {"repeat", "fresh"} and np.isfinite(emb[["map_x", "map_y"]]).all().all()
    assert summary["map_method"] == "tsne"
    cam = np.load(folder / "gradcam.npz")
    assert cam["image"].shape == (20, 8, 8, 3) and cam["image"].dtype == np.uint8
    assert cam["heatmap"].shape == (20, 8, 8) and 0 <= cam["heatmap"].min() and cam["heatmap"].max() <= 1 + 1e-6
    assert set(cam["lot_id"]) <= scored and len(set(cam["lot_id"])) == 20
    truth = pd.Series(np.log(market["price"].to_numpy()), index=lot_ids(market))
    np.testing.assert_allclose(cam["log_price"], truth.loc[cam["lot_id"]].to_numpy())
    # the stored pictures are those of the lots named
    first = market.loc[lot_ids(market) == cam["lot_id"][0]]
    np.testing.assert_array_equal(cam["image"][0], model._images(first)[0])
    pictures = np.load(folder / "picture_embeddings.npz")
    assert set(pictures["image_path"]) == set(market["image_path"]) and pictures["embedding"].shape[1] == 4


def test_samples_are_seeded(saved, market, tmp_path):
    """Seeded samples; and saving again after Grad-CAM ran on the model works (Grad-CAM leaves its graph alone)."""
    _, out = saved
    model, split, folder, _ = out["multimodal"]
    save_artifacts(model, market, split, tmp_path, map_works=60, gradcam_works=20, seed=1)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "embeddings.csv"), pd.read_csv(folder / "embeddings.csv"))
    np.testing.assert_array_equal(np.load(tmp_path / "gradcam.npz")["lot_id"], np.load(folder / "gradcam.npz")["lot_id"])


def test_save_needs_a_fitted_deep_model(market, tmp_path):
    from artstudy.models.deep.estimators import TabularMLP

    config = resolve(CONFIG)
    model, split = fit_model("hedonic", market, config)
    with pytest.raises(InputError, match="not a fitted deep model"):
        save_artifacts(model, market, split, tmp_path)
    with pytest.raises(InputError, match="not a fitted deep model"):
        save_artifacts(TabularMLP(), market, split, tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_model(tmp_path / "none.keras")


def test_cli_save_writes_the_folder_and_refuses_other_models(market, tmp_path, capsys):
    from artstudy.cli import main

    table = tmp_path / "sales.csv"
    market.to_csv(table, index=False)
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(deep_merge(CONFIG, SAMPLE)))
    out = tmp_path / "pred.csv"
    assert main(["valuation-fit", str(table), "--model", "mlp", "--out", str(out), "--config", str(cfg),
                 "--save", str(tmp_path / "mlp")]) == 0
    assert (tmp_path / "mlp" / "model.keras").exists() and len(pd.read_csv(out)) > 0
    capsys.readouterr()
    assert main(["valuation-fit", str(table), "--model", "hedonic", "--out", str(out), "--config", str(cfg),
                 "--save", str(tmp_path / "h")]) == 2
    assert "--save applies to the deep models (mlp, cnn, multimodal, lstm, cnn_lstm), not 'hedonic'" in capsys.readouterr().err
    assert main(["valuation-fit", str(table), "--model", "cnn", "--out", str(out), "--config", str(cfg),
                 "--encoder", str(tmp_path / "mlp" / "model.keras")]) == 2
    assert "--encoder applies to the multimodal model, not 'cnn'" in capsys.readouterr().err


def test_gradcam_maps_are_those_of_the_fitted_model(saved, market):
    """The saved heat maps are the fitted model's own (the copy Grad-CAM runs on has its normalisation too)."""
    from artstudy.models.deep.gradcam import grad_cam

    _, out = saved
    model, split, folder, _ = out["multimodal"]
    cam = np.load(folder / "gradcam.npz")
    rows = market.loc[pd.Index(lot_ids(market)).get_indexer(cam["lot_id"][:5])]
    reloaded = load_model(folder / "model.keras")
    direct = grad_cam(reloaded, model._images(rows), tabular=model.encoder_.transform(rows))
    np.testing.assert_allclose(cam["heatmap"][:5], direct, atol=1e-4)
    np.testing.assert_allclose(cam["pred"][:5], model.predict(rows), rtol=1e-5, atol=1e-5)
