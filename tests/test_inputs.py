"""compare_inputs: the same comparison on raw and standardised inputs, with the yardsticks."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import optimlab
from optimlab import compare_configs, compare_inputs, exercise_data


def _standardized_by_hand(seed):
    """Each input column scaled by the training rows' mean and standard deviation."""
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(seed)
    mean, std = X_train.mean(dim=0), X_train.std(dim=0)
    return ((X_train - mean) / std, Y_train), ((X_valid - mean) / std, Y_valid)


def test_both_worlds_equal_their_own_sweeps_and_the_yardsticks_are_the_mean_predictors():
    worlds = compare_inputs(epochs=3, lr=[0.1, 0.01], seeds=[0, 4], n_jobs=1)
    raw = compare_configs(epochs=3, lr=[0.1, 0.01], seeds=[0, 4], n_jobs=1)
    scaled = compare_configs(
        epochs=3, lr=[0.1, 0.01], seeds=[0, 4], data=_standardized_by_hand, n_jobs=1
    )
    np.testing.assert_array_equal(worlds.raw.runs, raw.runs)
    np.testing.assert_allclose(worlds.standardized.runs, scaled.runs, rtol=0, atol=1e-6)
    assert not np.allclose(worlds.raw.runs, worlds.standardized.runs)
    for seed, yardstick in zip([0, 4], worlds.yardsticks, strict=True):
        (_, Y_train), (_, Y_valid) = exercise_data(seed)
        by_hand = torch.sqrt(((Y_valid - Y_train.mean()) ** 2).mean()).item()
        assert yardstick == pytest.approx(by_hand, rel=1e-6)
    # Every mse result records them, the reader's own data included; the targets are
    # the same in both worlds, so are the yardsticks.
    for result in (worlds.standardized, raw, scaled):
        np.testing.assert_array_equal(result.yardsticks, worlds.yardsticks)
    assert (worlds.raw.inputs, worlds.standardized.inputs) == ("raw", "standardized")
    assert raw.inputs == "raw" and scaled.inputs is None  # a function of one's own
    assert dict(worlds) == {"raw": worlds.raw, "standardized": worlds.standardized}
    with pytest.raises(KeyError, match="'raw' and 'standardized'"):
        worlds["standardised"]


def test_measured_time_is_shared_and_the_summary_and_figures_name_each_world():
    worlds = compare_inputs(epochs=2, batch_size=[32, 64], seeds=2, measure_time=True)
    np.testing.assert_array_equal(
        worlds.raw.seconds_per_epoch, worlds.standardized.seconds_per_epoch
    )
    lines = worlds.summary().splitlines()
    assert lines[0].startswith("raw: median final RMSE batch_size = 32 ")
    assert lines[1].startswith("standardized: median final RMSE batch_size = 32 ")
    median = np.median(worlds.standardized.final[1])
    assert lines[1].endswith(f"batch_size = 64 {median:.3f}")
    figures = worlds.plot("Batch size")
    titles = [[ax.get_title() for ax in figure.axes[:2]] for figure in figures]
    assert titles == [
        ["Batch size, raw inputs", "Raw inputs: every seed after epoch 2"],
        ["Batch size, standardized inputs", "Standardized inputs: every seed after epoch 2"],
    ]
    (alone,) = worlds.plot("Batch size", worlds=["standardized"])
    assert [ax.get_title() for ax in alone.axes[:2]] == titles[1]
    for line, want in zip(alone.axes[0].lines, figures[1].axes[0].lines, strict=True):
        np.testing.assert_array_equal(line.get_ydata(), want.get_ydata())
    for worlds_, error in [(["raw", "raw"], ValueError), (["scaled"], ValueError),
                           ("raw", TypeError), ([], TypeError)]:  # fmt: skip
        with pytest.raises(error, match="worlds"):
            worlds.plot("Batch size", worlds=worlds_)
    plt.close("all")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: compare_inputs(lr=[0.1], batch_size=[8, 16]), ValueError, "exactly one"),
        (lambda: compare_inputs(lr=[0.1], seeds=0), ValueError, "seeds"),
        (lambda: compare_inputs(lr=[0.1], data=None), TypeError, "takes no data"),
        (lambda: compare_inputs(lr=[0.1], momentum=0.9), TypeError, "unexpected keyword"),
        (lambda: optimlab.plotting.plot_inputs("raw", "x"), TypeError, "InputComparison"),
    ],
)
def test_bad_input_fails_before_training(call, error, match, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training started before the input was checked")

    monkeypatch.setattr(optimlab.sweep, "train_runs", refuse)
    with pytest.raises(error, match=match):
        call()


def test_a_comparison_by_hand_needs_two_results_with_yardsticks():
    import numpy as np

    result = optimlab.SweepResult("lr", (0.1,), np.ones((1, 1, 30)))  # by hand: no yardsticks
    with pytest.raises(TypeError, match="raw must be a SweepResult, got 'raw'"):
        optimlab.InputComparison("raw", result)
    with pytest.raises(ValueError, match="raw must record its yardsticks"):
        optimlab.InputComparison(result, result)
