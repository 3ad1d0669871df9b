"""Classification results: metrics computed by hand, stored, tabled, saved, plotted; and the
bundled scikit-learn data the gallery's real-data pages use."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from optimlab import SweepResult, TrainingConfig, compare_configs, train_valid
from optimlab.training import learning_curves


class FixedScores(nn.Module):
    """Class scores = the inputs themselves; one parameter that gets no gradient.

    Training cannot change it (its gradient is 0, and AdamW's decay of 0 stays 0), so the
    validation metrics are those of the inputs as scores, computable by hand.
    """

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x + 0 * self.unused


SCORES = [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 1.0, 0.0]]
LABELS = [0, 2, 2, 1]


def tiny():
    X = torch.tensor(SCORES)
    y = torch.tensor(LABELS)
    return (X, y), (X.clone(), y.clone())


def by_hand():
    """Mean of -log softmax(scores)[label], and the share of rows whose argmax is the label.

    Row 3 ties classes 0 and 1; argmax takes the first, 0, so it counts as wrong.
    """
    losses = []
    for scores, label in zip(SCORES, LABELS, strict=True):
        log_total = math.log(sum(math.exp(s) for s in scores))
        losses.append(log_total - scores[label])
    right = [0, None, 2, None]  # rows 0 and 2 right; row 1 predicts class 1, row 3 class 0
    return sum(losses) / len(losses), sum(r is not None for r in right) / len(right)


def test_reference_loop_metrics_match_the_hand_computation():
    log_loss, accuracy = by_hand()
    curves = learning_curves(FixedScores(), tiny(), epochs=2, batch_size=2, loss="cross_entropy")
    np.testing.assert_allclose(curves["valid_log_loss"], [log_loss] * 2, rtol=1e-6)
    assert curves["valid_accuracy"].tolist() == [accuracy] * 2 == [0.5, 0.5]
    rmse_free = train_valid(FixedScores(), tiny(), epochs=2, batch_size=2, loss="cross_entropy")
    np.testing.assert_array_equal(rmse_free, curves["valid_log_loss"])


def test_sweep_records_log_loss_and_accuracy_by_hand():
    log_loss, accuracy = by_hand()
    result = compare_configs(
        epochs=3,
        batch_size=2,
        lr=[0.1, 0.2],
        model=lambda seed: FixedScores(),
        data=tiny(),
        loss="cross_entropy",
        seeds=2,
        n_jobs=1,
    )
    assert result.metric == "valid_log_loss"
    np.testing.assert_allclose(result.runs, np.full((2, 2, 3), log_loss), rtol=1e-6)
    np.testing.assert_array_equal(result.accuracy, np.full((2, 2, 3), accuracy))
    np.testing.assert_array_equal(result.curves_of("valid_accuracy"), np.full((2, 3), accuracy))


def classification_result():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(60, 5, generator=g)
    y = (X[:, 0] + X[:, 1] > 0).long() + (X[:, 2] > 1).long()
    data = ((X[:40], y[:40]), (X[40:], y[40:]))

    def model(seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))

    return compare_configs(
        epochs=3, lr=[0.01, 0.1], model=model, data=data, loss="cross_entropy", seeds=2, n_jobs=1
    )


def test_classification_result_saves_and_loads_exactly(tmp_path):
    result = classification_result()
    path = tmp_path / "digits.npz"
    result.save(path)
    again = SweepResult.load(path)
    assert again.metric == "valid_log_loss"
    np.testing.assert_array_equal(again.runs, result.runs)
    np.testing.assert_array_equal(again.accuracy, result.accuracy)
    assert again.provenance == result.provenance


def test_regression_result_loads_with_its_metric(tmp_path):
    result = SweepResult("lr", (0.1, 0.2), np.ones((2, 1, 3)), TrainingConfig(epochs=3))
    result.save(tmp_path / "r.npz")
    again = SweepResult.load(tmp_path / "r.npz")
    assert again.metric == "valid_rmse" and again.accuracy is None


def test_classification_table_names_its_metrics():
    result = classification_result()
    columns = result.table()
    assert "valid_rmse" not in columns
    np.testing.assert_array_equal(columns["valid_log_loss"], result.runs.ravel())
    np.testing.assert_array_equal(columns["valid_accuracy"], result.accuracy.ravel())


def test_valid_rmse_of_a_classification_result_points_to_curves():
    result = classification_result()
    with pytest.raises(ValueError, match=r"use \.curves"):
        result.valid_rmse  # noqa: B018
    np.testing.assert_array_equal(result.curves, np.median(result.runs, axis=1))


def test_plots_label_the_y_axis_with_the_metric():
    result = classification_result()
    ax = result.plot()
    assert ax.get_ylabel() == "Validation log loss"
    assert ax.get_legend().get_title().get_text().startswith("median of 2 seeds")
    ax = result.plot(metric="valid_accuracy")
    assert ax.get_ylabel() == "Validation accuracy"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), np.median(result.accuracy[0], 0))
    with pytest.raises(ValueError, match="metric must be one this result recorded"):
        result.plot(metric="valid_rmse")


def test_result_checks_its_metric_and_accuracy():
    runs = np.ones((2, 1, 3))
    config = TrainingConfig(epochs=3)
    with pytest.raises(ValueError, match="metric must be one of"):
        SweepResult("lr", (0.1, 0.2), runs, config, metric="valid_mae")
    with pytest.raises(ValueError, match="accuracy is recorded for classification only"):
        SweepResult("lr", (0.1, 0.2), runs, config, accuracy=runs)
    with pytest.raises(ValueError, match="accuracy must have the shape of runs"):
        SweepResult(
            "lr", (0.1, 0.2), runs, config, metric="valid_log_loss", accuracy=np.ones((2, 3))
        )


def test_bundled_scikit_learn_data_need_no_download():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_diabetes(return_X_y=True)
    assert X.shape == (442, 10) and np.isfinite(X).all()
    X, y = datasets.load_digits(return_X_y=True)
    assert X.shape == (1797, 64) and sorted(set(y.tolist())) == list(range(10))
    # Integer labels from NumPy go straight in: one quick run of a linear classifier.
    data = ((X[:100] / 16, y[:100]), (X[100:150] / 16, y[100:150]))
    result = compare_configs(
        epochs=1, lr=[0.01, 0.1], model=lambda seed: nn.Linear(64, 10), data=data,
        loss="cross_entropy", n_jobs=1,
    )  # fmt: skip
    assert ((result.accuracy >= 0) & (result.accuracy <= 1)).all()
