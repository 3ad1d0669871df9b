"""The learning-rate range test: schedule, steps, smoothing and suggestion, by hand."""

import math

import numpy as np
import pytest
import torch
from conftest import reference_mlp
from torch import nn

import optimlab
from optimlab.lr_range import LRRangeResult, lr_range_test, lr_schedule, smooth, suggest_lr


def standardized(seed):
    return optimlab.exercise_data(seed, standardize=True)


def test_schedule_by_hand():
    lrs = lr_schedule(1e-4, 0.5, 7)
    by_hand = [1e-4 * (0.5 / 1e-4) ** (i / 6) for i in range(7)]
    np.testing.assert_allclose(lrs, by_hand, rtol=1e-12)
    assert lrs[0] == 1e-4 and lrs[-1] == 0.5
    np.testing.assert_allclose(np.diff(np.log(lrs)), math.log(5000) / 6, rtol=1e-9)


def test_one_sgd_step_by_hand():
    (X, Y), _ = standardized(0)
    result = lr_range_test(
        "sgd", lr_min=0.05, lr_max=0.5, steps=2, seeds=[0], data=standardized,
        smoothing=0.0, stop_factor=None, weight_decay=0.0, skip_start=0,
    )  # fmt: skip
    model = reference_mlp(123)
    loss0 = nn.functional.mse_loss(model(X[:16]), Y[:16])
    grads = torch.autograd.grad(loss0, list(model.parameters()))
    with torch.no_grad():
        for param, grad in zip(model.parameters(), grads, strict=True):
            param -= 0.05 * grad  # the first rate, lr_min
        loss1 = nn.functional.mse_loss(model(X[16:32]), Y[16:32])
    np.testing.assert_allclose(result.losses[0], [loss0.item(), loss1.item()], rtol=1e-6)
    np.testing.assert_array_equal(result.smoothed, result.losses)  # smoothing 0: none


def test_adam_over_batches_that_wrap_around_matches_a_plain_loop():
    """700 rows in batches of 300: batches 300, 300, 100, then the first one again."""
    steps, seed = 8, 3
    result = lr_range_test(
        "adam", lr_min=1e-4, lr_max=1e-1, steps=steps, seeds=[seed], batch_size=300,
        stop_factor=None, weight_decay=0.0, smoothing=0.5, skip_start=0,
    )  # fmt: skip
    (X, Y), _ = optimlab.exercise_data(seed)
    model = reference_mlp(123 + seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    starts = [0, 300, 600] * 3
    losses = []
    for step in range(steps):
        opt.param_groups[0]["lr"] = 1e-4 * 1000 ** (step / (steps - 1))
        opt.zero_grad()
        rows = slice(starts[step], starts[step] + 300)
        loss = nn.functional.mse_loss(model(X[rows]), Y[rows])
        losses.append(loss.item())
        loss.backward()
        opt.step()
    np.testing.assert_allclose(result.losses[0], losses, rtol=1e-5)
    average, smoothed = 0.0, []
    for i, value in enumerate(result.losses[0]):
        average = 0.5 * average + 0.5 * value
        smoothed.append(average / (1 - 0.5 ** (i + 1)))
    np.testing.assert_allclose(result.smoothed[0], smoothed, rtol=1e-12)


def test_smooth_by_hand():
    np.testing.assert_allclose(
        smooth(np.array([2.0, 4.0, 1.0]), 0.5),
        # a = 1, 2.5, 1.75; divided by 1 - 0.5, 1 - 0.25, 1 - 0.125
        [1 / 0.5, 2.5 / 0.75, 1.75 / 0.875],
    )
    np.testing.assert_array_equal(smooth(np.array([3.0, 1.0]), 0.0), [3.0, 1.0])


def test_suggestion_rules_on_synthetic_curves():
    lrs = 10.0 ** np.linspace(-4, 0, 41)  # 0.1 decade apart
    u = np.log10(lrs)
    # Falls fastest at lr 1e-2 (the inflection of tanh), rises after 10**-0.5.
    curve = -np.tanh(2 * (u + 2)) + 3 * np.maximum(0, u + 0.5) ** 2
    assert suggest_lr(lrs, curve) == pytest.approx(1e-2)
    v_shape = np.abs(u + 1)  # lowest at lr 0.1
    assert suggest_lr(lrs, v_shape, "minimum") == pytest.approx(1e-2)
    # Only the finite beginning counts: a steeper fall after a NaN is ignored.
    cut = curve.copy()
    cut[25:] = np.nan
    cut[30] = -100.0
    assert suggest_lr(lrs, cut) == pytest.approx(1e-2)
    # A curve that only rises suggests its first rate.
    assert suggest_lr(lrs, u) == lrs[0]
    # A noisy drop in the first steps is skipped (skip_start=10 by default), not taken.
    noisy = curve.copy()
    noisy[1] = noisy[0] - 5.0
    noisy[2:] -= 5.0
    assert suggest_lr(lrs, noisy) == pytest.approx(1e-2)
    assert suggest_lr(lrs, noisy, skip_start=0) == lrs[0]
    # A minimum inside the skipped steps is itself the suggestion.
    assert suggest_lr(lrs, np.abs(u + 3.7)) == pytest.approx(10**-3.7)


def test_stop_rule_and_suggestions_per_seed():
    result = lr_range_test("sgd", lr_min=1e-6, lr_max=1.0, steps=60, seeds=3)  # raw inputs
    assert isinstance(result, LRRangeResult)
    for losses, smoothed in zip(result.losses, result.smoothed, strict=True):
        last = int(np.flatnonzero(np.isfinite(losses))[-1])
        assert last < 59 and np.isnan(losses[last + 1 :]).all()  # stopped, then NaN
        best = np.minimum.accumulate(smoothed[: last + 1])
        assert (smoothed[:last] <= 4 * best[:last]).all()
        assert not smoothed[last] <= 4 * best[last]  # the step that stopped it
    expected = [suggest_lr(result.lrs, s) for s in result.smoothed]
    np.testing.assert_array_equal(result.suggest(), expected)
    minimum = [suggest_lr(result.lrs, s, "minimum", skip_start=3) for s in result.smoothed]
    np.testing.assert_array_equal(result.suggest("minimum", skip_start=3), minimum)
    np.testing.assert_array_equal(result.suggested, expected)
    assert result.spread == max(expected) / min(expected)
    assert result.optimizer == "sgd"


def test_median_band_and_plot():
    result = lr_range_test(
        ("sgd", {"momentum": 0.9}), lr_min=1e-4, lr_max=1.0, steps=30, seeds=[1, 4, 6],
        data=standardized,
    )  # fmt: skip
    assert result.optimizer == "sgd (momentum=0.9)" and result.seeds == (1, 4, 6)
    ax = result.plot()
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), result.median_smoothed)
    finite = np.isfinite(result.smoothed).all(axis=0)
    np.testing.assert_allclose(
        result.median_smoothed[finite], np.median(result.smoothed[:, finite], axis=0)
    )
    assert ax.get_xscale() == "log"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr_min": 1.0, "lr_max": 0.1}, ValueError, "lr_min < lr_max"),
        ({"steps": 1}, ValueError, "steps >= 2"),
        ({"steps": 10}, ValueError, r"skip_start must be smaller than steps \(10\)"),
        ({"skip_start": -1}, ValueError, "skip_start must be a non-negative integer"),
        ({"steps": 10.0}, TypeError, "steps must be a positive integer"),
        ({"lr_min": 0}, ValueError, "lr_min must be a positive finite number"),
        ({"lr_max": "1"}, TypeError, "lr_max"),
        ({"seeds": []}, ValueError, "seeds must hold at least one seed"),
        ({"seeds": 0}, ValueError, "seeds must be a positive"),
        ({"smoothing": 1.0}, ValueError, r"smoothing must be a number in \[0, 1\)"),
        ({"stop_factor": 1.0}, ValueError, "stop_factor must be larger than 1"),
        ({"stop_factor": "4"}, TypeError, "stop_factor"),
        ({"rule": "valley"}, ValueError, "rule must be one of"),
        ({"optimizer": "lion"}, ValueError, "optimizer must be one of"),
        ({"optimizer": ("sgd", {"nesterov": 1, "foo": 2})}, TypeError, "no option 'foo'"),
        ({"lr": 0.1}, TypeError, r"settings has unknown training settings \[.lr.\]"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"data": ((1, 2), (3, 4))}, TypeError, "X_train must be a torch.Tensor"),
    ],
)
def test_bad_input_is_refused_before_any_training(monkeypatch, kwargs, error, match):
    def no_training(*args, **kw):
        raise AssertionError("trained before checking")

    monkeypatch.setattr("optimlab.lr_range._one_seed", no_training)
    with pytest.raises(error, match=match):
        lr_range_test(**kwargs)


def test_bad_curves_for_suggest_lr():
    with pytest.raises(ValueError, match="one length"):
        suggest_lr(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="no finite loss"):
        suggest_lr(np.ones(2), np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match="rule must be one of"):
        suggest_lr(np.ones(2), np.ones(2), "steep")


def test_takes_the_data_compare_configs_takes():
    # Three standardised features as a NumPy float64 split: the test builds the exercise's
    # MLP for three inputs and trains as it does on the same numbers as float32 tensors.
    (X_train, Y_train), (X_valid, Y_valid) = standardized(0)
    arrays = (
        (X_train[:, :3].double().numpy(), Y_train[:, 0].double().numpy()),
        (X_valid[:, :3].double().numpy(), Y_valid[:, 0].double().numpy()),
    )
    tensors = ((X_train[:, :3], Y_train), (X_valid[:, :3], Y_valid))
    settings = dict(lr_min=1e-3, lr_max=0.1, steps=12, seeds=[0], stop_factor=None)
    from_arrays = lr_range_test("sgd", data=arrays, **settings)
    from_tensors = lr_range_test("sgd", data=tensors, **settings)
    np.testing.assert_array_equal(from_arrays.losses, from_tensors.losses)
    assert np.isfinite(from_arrays.losses).all()


def test_data_the_exercise_mlp_cannot_fit_is_refused():
    (X_train, Y_train), (X_valid, Y_valid) = standardized(0)
    two_outputs = ((X_train, Y_train.repeat(1, 2)), (X_valid, Y_valid.repeat(1, 2)))
    with pytest.raises(ValueError, match="outputs shape"):
        lr_range_test("sgd", data=two_outputs, steps=12, seeds=[0])
