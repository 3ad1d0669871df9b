"""baseline_rmse and climb against values worked out by hand."""

import math

import numpy as np
import pytest
import torch

from optimlab import baseline_rmse, climb


def test_baseline_rmse_by_hand():
    X_train, X_valid = torch.zeros(3, 4), torch.zeros(2, 4)
    Y_train = torch.tensor([[1.0], [2.0], [3.0]])  # mean 2
    Y_valid = torch.tensor([[2.0], [5.0]])  # errors 0 and 3
    assert baseline_rmse(((X_train, Y_train), (X_valid, Y_valid))) == pytest.approx(
        math.sqrt(9 / 2)
    )


def test_baseline_rmse_checks_its_data():
    with pytest.raises(TypeError, match=r"data must be \(\(X_train, Y_train\)"):
        baseline_rmse("not data")


def test_climb_by_hand():
    assert climb([3.0, 2.0, 1.0]) == 0.0  # only falls
    assert climb([1.0, 2.0, 1.5, 4.0]) == pytest.approx(1.0 + 2.5)
    curves = np.array([[[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]], [[0.0, 2.0, 5.0], [2.0, 1.0, 3.0]]])
    np.testing.assert_allclose(climb(curves), [[1.0, 0.0], [5.0, 2.0]])
    assert np.isnan(climb([1.0, np.nan, 2.0]))


def test_baseline_rmse_takes_the_data_compare_configs_takes():
    # Two features, NumPy float64 and a 1-D target, as compare_configs accepts them.
    X_train, X_valid = np.zeros((3, 2)), np.zeros((2, 2))
    Y_train, Y_valid = np.array([1.0, 2.0, 3.0]), np.array([2.0, 5.0])
    assert baseline_rmse(((X_train, Y_train), (X_valid, Y_valid))) == pytest.approx(
        math.sqrt(9 / 2)
    )
