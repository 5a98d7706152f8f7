"""PIT values, their histogram and the coverage curve against hand-computed answers and a calibrated sample."""

import numpy as np
import pytest

from artstudy.errors import InputError
from artstudy.evaluation.calibration import coverage_curve, pit, pit_histogram


def test_pit_by_hand_and_invalid_rows_dropped():
    u = pit([1.0, 2.0, 0.0, np.nan, 5.0], [1.0, 1.0, 1.0, 0.0, 5.0], [1.0, 1.0, 2.0, 1.0, 0.0])
    np.testing.assert_allclose(u, [0.5, 0.8413447, 0.3085375], rtol=1e-6)  # the NaN price and sd 0 are dropped


def test_a_calibrated_predictive_gives_uniform_pit_and_nominal_coverage():
    rng = np.random.default_rng(0)
    n = 20000
    mean, sd = rng.normal(size=n), rng.uniform(0.5, 2.0, n)
    y = mean + sd * rng.normal(size=n)
    hist = pit_histogram(pit(y, mean, sd), bins=10)
    assert hist["count"].sum() == n and np.abs(hist["share"] - 0.1).max() < 0.01
    curve = coverage_curve(y, mean, sd)
    band = 4 * np.sqrt(curve["level"] * (1 - curve["level"]) / n)
    assert (np.abs(curve["coverage"] - curve["level"]) < band).all()
    # intervals too narrow (sd halved): coverage below nominal and a U-shaped PIT
    narrow = coverage_curve(y, mean, sd / 2, levels=[0.8])
    assert narrow["coverage"].iloc[0] < 0.55
    u_shape = pit_histogram(pit(y, mean, sd / 2), bins=4)["share"].to_numpy()
    assert u_shape[0] > 0.3 and u_shape[-1] > 0.3 and u_shape[1] < 0.2


def test_coverage_curve_by_hand_and_errors():
    curve = coverage_curve([0.0, 1.0, 3.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], levels=[0.5, 0.9])
    # |z| = 0, 1, 3; half-widths 0.674 and 1.645
    np.testing.assert_allclose(curve["coverage"], [1 / 3, 2 / 3])
    assert list(curve.columns) == ["level", "coverage", "n"] and (curve["n"] == 3).all()
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        coverage_curve([0.0], [0.0], [1.0], levels=[1.0])
    with pytest.raises(InputError, match="2 prices, 1 means"):
        pit([0.0, 1.0], [0.0], [1.0])
    with pytest.raises(InputError, match="no sale"):
        pit([np.nan], [0.0], [1.0])
