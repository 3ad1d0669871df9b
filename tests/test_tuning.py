"""compare_optimizers: tuned on some seeds, reported on others, against a plain loop."""

import numpy as np
import pytest
import torch
from conftest import reference_mlp
from torch import nn

import optimlab
from optimlab import SweepResult, TrainingConfig
from optimlab.tuning import TunedComparison, _scores, compare_optimizers


def standardized(seed):
    return optimlab.exercise_data(seed, standardize=True)


def plain_curve(optimizer_cls, kwargs, seed, epochs):
    """Validation RMSE per epoch: plain torch, fixed batch order, batches of 16."""
    (X, Y), (Xv, Yv) = standardized(seed)
    model = reference_mlp(123 + seed)
    opt = optimizer_cls(model.parameters(), **kwargs)
    curve = []
    for _ in range(epochs):
        for start in range(0, len(X), 16):
            opt.zero_grad()
            nn.functional.mse_loss(model(X[start : start + 16]), Y[start : start + 16]).backward()
            opt.step()
        with torch.no_grad():
            curve.append(nn.functional.mse_loss(model(Xv), Yv).sqrt().item())
    return np.array(curve)


def test_choice_and_report_match_a_plain_loop():
    lrs = [0.003, 0.03]
    result = compare_optimizers(
        ["adamw", "sgd"], lrs, epochs=2, tuning_seeds=[0, 1], held_out_seeds=[2, 3],
        data=standardized,
    )  # fmt: skip
    classes = {
        "adamw": (torch.optim.AdamW, {"weight_decay": 0.01}),
        "sgd": (torch.optim.SGD, {"weight_decay": 0.01}),
    }
    for row, (label, (cls, extra)) in enumerate(classes.items()):
        finals = np.array(
            [[plain_curve(cls, {"lr": lr, **extra}, s, 2)[-1] for s in (0, 1)] for lr in lrs]
        )
        np.testing.assert_allclose(result.tuning_scores[row], np.median(finals, axis=1), rtol=1e-6)
        best = lrs[int(np.argmin(np.median(finals, axis=1)))]
        assert result.chosen_lr[label] == best
        for column, seed in enumerate((2, 3)):
            reference = plain_curve(cls, {"lr": best, **extra}, seed, 2)
            np.testing.assert_allclose(result.held_out[row].runs[0, column], reference, rtol=1e-6)
    assert result.held_out[0].seeds == (2, 3)
    assert result.tuning[0].seeds == (0, 1)


def test_result_fields_budget_and_medians():
    result = compare_optimizers(
        ["adam", ("sgd", {"momentum": 0.9})], [0.001, 0.01, 0.1], epochs=2,
        tuning_seeds=2, held_out_seeds=3, data=standardized,
    )  # fmt: skip
    assert isinstance(result, TunedComparison)
    assert result.labels == ("adam", "sgd (momentum=0.9)")
    assert result.tuning_seeds == (0, 1)
    assert result.held_out_seeds == (2, 3, 4)  # the seeds after the tuning ones
    assert result.budget == {
        "grid": 3, "tuning_seeds": 2, "epochs": 2, "runs_per_optimizer": 6, "runs": 12,
        "epochs_trained": 24, "held_out_runs": 6,
    }  # fmt: skip
    assert "3 learning rates x 2 seeds = 6 runs of 2 epochs" in result.describe_budget()
    runs = np.stack([r.runs[0] for r in result.held_out])
    np.testing.assert_array_equal(result.valid_rmse, np.median(runs, axis=1))
    np.testing.assert_array_equal(result.final, runs[:, :, -1])
    assert result.held_out[1].configs[0].options == {"momentum": 0.9}
    assert result.held_out[1].configs[0].lr == result.chosen_lr["sgd (momentum=0.9)"]
    with pytest.raises(ValueError, match="read-only"):
        result.tuning_scores[0, 0] = 0.0


def test_score_counts_a_diverged_run_as_inf():
    runs = np.array(
        [[[1.0, 0.5], [1.0, np.nan], [1.0, 0.7]], [[1.0, np.inf], [1, np.nan], [1, 0.2]]]
    )
    sweep = SweepResult("lr", (0.1, 1.0), runs, TrainingConfig(epochs=2), seeds=(0, 1, 2))
    np.testing.assert_array_equal(_scores(sweep), [0.7, np.inf])


def test_every_lr_diverged_is_an_error():
    with pytest.raises(ValueError, match="every learning rate of the grid diverged for sgd"):
        compare_optimizers(["sgd"], [1.0, 10.0], epochs=1, tuning_seeds=1, held_out_seeds=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"optimizers": "adamw"}, TypeError, "optimizers must be a list"),
        ({"optimizers": []}, ValueError, "at least one optimizer"),
        ({"optimizers": ["adamw", "adamw"]}, ValueError, "must not repeat"),
        ({"optimizers": ["adamw", "lion"]}, ValueError, r"optimizers\[1\]: optimizer must be"),
        ({"optimizers": [42]}, TypeError, r"optimizers\[0\]"),
        ({"lrs": 0.1}, TypeError, "lrs must be a non-empty, strictly increasing list"),
        ({"lrs": []}, ValueError, r"lrs must be a non-empty.*got \[\]"),
        ({"lrs": [0.1, 0.01]}, ValueError, "strictly increasing"),
        ({"lrs": [-0.1, 0.1]}, ValueError, r"lrs\[0\] must be a positive finite number"),
        ({"lrs": ["0.1"]}, TypeError, r"lrs\[0\]"),
        ({"tuning_seeds": [0, 1], "held_out_seeds": [1, 2]}, ValueError, "disjoint: seeds"),
        ({"tuning_seeds": [3], "held_out_seeds": [3]}, ValueError, r"\[3\] are in both"),
        ({"tuning_seeds": 0}, ValueError, "tuning_seeds must be a positive"),
        ({"held_out_seeds": []}, ValueError, "held_out_seeds must hold at least one seed"),
        ({"held_out_seeds": [5, 5]}, ValueError, "must not repeat a seed"),
        ({"tuning_seeds": "0"}, TypeError, "tuning_seeds must be"),
        ({"tuning_seeds": [0.5]}, TypeError, r"tuning_seeds\[0\]"),
        ({"lr": [0.1]}, TypeError, r"settings has unknown training settings \[.lr.\]"),
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"beta1": 0.5, "optimizers": ["sgd"]}, ValueError, "has no beta1 setting"),
    ],
)
def test_bad_input_is_refused_before_any_training(monkeypatch, kwargs, error, match):
    def no_training(*args, **kw):
        raise AssertionError("trained before checking")

    monkeypatch.setattr("optimlab.tuning.compare_sweeps", no_training)
    arguments = {"optimizers": ["adamw"], "lrs": [0.01, 0.1], **kwargs}
    with pytest.raises(error, match=match):
        compare_optimizers(arguments.pop("optimizers"), arguments.pop("lrs"), **arguments)


def test_plots(monkeypatch):
    from optimlab.plotting import plot_tuned

    result = compare_optimizers(
        ["adamw", "sgd"], [0.01, 0.1], epochs=3, tuning_seeds=1, held_out_seeds=3,
        data=standardized,
    )  # fmt: skip
    ax = plot_tuned(result)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"{name}, lr {result.chosen_lr[name]:g}" for name in ("adamw", "sgd")]
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), result.valid_rmse[1])
    assert len(ax.collections) == 2  # one band per optimizer
    dots = ax.get_lines()[2:]  # one column of dots per optimizer: each held-out final RMSE
    for column, final in zip(dots, result.final, strict=True):
        np.testing.assert_array_equal(column.get_ydata(), final)
        assert (column.get_xdata() > result.epochs).all()
    assert len(plot_tuned(result, seeds=False).get_lines()) == 2
    with pytest.raises(TypeError, match="seeds must be True or False"):
        plot_tuned(result, seeds=1)
    ax = result.plot(kind="scores")
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), result.tuning_scores[0])
    with pytest.raises(TypeError, match="result must be a TunedComparison"):
        plot_tuned(result.held_out[0])
    with pytest.raises(ValueError, match="band"):
        plot_tuned(result, band=(0.9, 0.1))
