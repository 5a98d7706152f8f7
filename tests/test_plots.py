"""Figures for print: axis labels with units, legends clear of the data, panels and fonts large enough."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from artstudy.study import plots  # noqa: E402


def _ability():
    rows = []
    for k, name in enumerate(["A", "B", "C", "D"]):
        for w in range(6):
            rows.append((name, 1951 + 5 * w, 0.1 * w + k, 0.2, 0.1 * w + k - 0.3))
    return pd.DataFrame(rows, columns=["artist", "window_start", "mean", "sd", "truth"])


def _figures():
    trace = pd.DataFrame({"log_area": np.linspace(0.6, 0.65, 10), "popularity": np.linspace(1.0, 1.4, 10),
                          "sigma2": np.ones(10)}, index=pd.RangeIndex(1, 11, name="iteration"))
    years = pd.DataFrame({"estimate": [0.3, 0.4, 0.5], "std_error_marginal": [0.05, 0.05, 0.06],
                          "truth": [0.31, 0.42, 0.5]}, index=["year[2010]", "year[2011]", "year[2012]"])
    summary = pd.DataFrame({"parameter": ["intercept", "popularity"], "coverage": [0.39, 0.75],
                            "coverage_marginal": [0.9, 0.98]})
    r2 = pd.DataFrame({"model": ["naive", "pam"], "value": [0.3, 0.5], "ci_low": [0.25, 0.45], "ci_high": [0.35, 0.55]})
    return {
        "traces": plots.plot_traces(trace, ["log_area", "popularity", "sigma2"], pd.Series({"popularity": 1.38})),
        "abilities": plots.plot_ability_paths(plots_centred(_ability()), ["A", "B", "C", "D"], "truth_centred"),
        "coverage": plots.plot_coverage(summary),
        "years": plots.plot_year_effects(years, "log USD", truth_col="truth"),
        "histogram": plots.plot_estimate_histogram(np.linspace(1.2, 1.5, 40), 1.38, "estimated γ"),
        "scatter": plots.plot_truth_scatter([("coefficients", [0.1, 0.5], [0.12, 0.48], "truth", "estimate")]),
        "forecast": plots.plot_forecast(r2, {"pam": "popularity-ability"}),
    }


def plots_centred(ability):
    from artstudy.study.artnet import centred_truth

    return centred_truth(ability)


@pytest.fixture(scope="module")
def figures():
    figs = _figures()
    for fig in figs.values():
        fig.canvas.draw()
    yield figs
    plt.close("all")


def _data_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_every_axis_is_labelled(figures):
    for name, fig in figures.items():
        for ax in _data_axes(fig):
            assert ax.get_xlabel() and ax.get_ylabel(), name


def test_units_on_price_axes(figures):
    assert "log USD" in figures["years"].axes[0].get_ylabel()
    assert figures["abilities"].axes[0].get_ylabel() == "ability (log price scale)"
    assert "%" in figures["coverage"].axes[0].get_xlabel()


def test_legends_are_outside_the_axes(figures):
    for name, fig in figures.items():
        assert all(ax.get_legend() is None for ax in fig.axes), name
        renderer = fig.canvas.get_renderer()
        for legend in fig.legends:
            box = legend.get_window_extent(renderer)
            for ax in _data_axes(fig):
                assert not box.overlaps(ax.get_window_extent(renderer)), name


def test_fonts_and_panels_are_large_enough(figures):
    for name, fig in figures.items():
        for text in fig.findobj(matplotlib.text.Text):
            if text.get_text() and text.get_visible():
                assert text.get_fontsize() >= 10, (name, text.get_text())
    fig = figures["abilities"]
    width, height = fig.get_size_inches()
    assert len(_data_axes(fig)) == 4
    for ax in _data_axes(fig):
        box = ax.get_position()
        assert box.width * width >= 2.8 and box.height * height >= 2.0
    assert width / 3 >= 3.2 and height / 2 >= 3.2


def test_ability_truth_is_drawn_centred():
    fig = plots.plot_ability_paths(plots_centred(_ability()), ["A"], "truth_centred")
    truth_line = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"][0]
    assert truth_line.get_ydata() == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert "truth (centred)" in [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)
