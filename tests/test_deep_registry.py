"""The deep models in the registry: built from the config's ``deep`` section, not run by default."""

from __future__ import annotations

import pytest

from artstudy.errors import InputError
from artstudy.evaluation.settings import DEFAULT_MODELS
from artstudy.models.deep.estimators import ImageRegressor, MultiModalRegressor, TabularMLP
from artstudy.models.deep.settings import DeepSettings
from artstudy.models.registry import DISPLAY_NAMES, REGISTRY, display_name, make_model
from artstudy.settings import resolve

CONFIG = {"deep": {"image_size": 16, "epochs": 7, "batch_size": 16, "patience": 2, "learning_rate": 0.01,
                   "validation_share": 0.2, "filters": [4, 8], "embedding_dim": 8, "hidden": [12],
                   "head": [6], "dropout": 0.0, "shift": 0.1},
          "evaluation": {"covariates": ["log_area", "signed"], "artist_prior_weight": 4.0},
          "model": {"popularity": {"kind": "relative"}}}


def test_deep_models_are_registered_with_names_but_not_run_by_default():
    for name, shown in [("mlp", "tabular MLP"), ("cnn", "image CNN"),
                        ("multimodal", "multi-modal (image + tabular)")]:
        assert name in REGISTRY and name in DISPLAY_NAMES and display_name(name) == shown
        assert name not in DEFAULT_MODELS
    assert "deep" not in resolve().evaluation.models


@pytest.mark.parametrize("name, cls", [("mlp", TabularMLP), ("cnn", ImageRegressor),
                                       ("multimodal", MultiModalRegressor)])
def test_make_model_takes_the_configs_deep_settings(name, cls):
    model = make_model(name, CONFIG, random_state=3)
    assert type(model) is cls and model.random_state == 3
    assert (model.image_size, model.epochs, model.batch_size, model.patience) == (16, 7, 16, 2)
    assert model.learning_rate == 0.01 and model.validation_share == 0.2
    if name == "mlp":
        assert model.network == {"hidden": [12], "dropout": 0.0}
    else:
        assert model.network["filters"] == [4, 8] and model.network["embedding_dim"] == 8
        assert model.network["shift"] == 0.1 and model.network["backbone"] == "small_cnn"
    if name == "multimodal":
        assert model.network["head"] == [6] and model.network["hidden"] == [12]
    assert model.covariates == ("log_area", "signed")
    if name == "cnn":
        assert "hidden" not in model.network and "head" not in model.network
    else:
        assert model.prior_weight == 4.0
        assert model.popularity.kind == "relative"


def test_defaults_come_from_the_settings_class():
    settings = DeepSettings()
    model = MultiModalRegressor()
    assert model.epochs == settings.epochs and model.image_size == settings.image_size
    assert model.learning_rate == settings.learning_rate and model.batch_size == settings.batch_size
    assert model.network["filters"] == settings.filters and model.network["dropout"] == settings.dropout
    assert make_model("multimodal").network == model.network


@pytest.mark.parametrize("deep, words", [({"epoch": 3}, "deep.epoch: unknown key"),
                                         ({"validation_share": 1.0}, "deep.validation_share"),
                                         ({"filters": []}, "deep.filters")])
def test_a_bad_deep_setting_is_rejected_with_one_line(deep, words):
    with pytest.raises(InputError, match=words) as info:
        make_model("mlp", {"deep": deep})
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match=words):
        TabularMLP.from_settings(deep)
