"""friedman3 against its formula on the same uniforms; the split; the exercise data."""

import numpy as np
import pytest
import torch

from optimlab import exercise_data, standardize
from optimlab.data import friedman3, train_valid_split


def friedman3_reference(n, sd, seed):
    """The Friedman #3 formula in float64, on the same random draws.

    x1 ~ U(0, 100), x2 ~ U(40 pi, 560 pi), x3 ~ U(0, 1), x4 ~ U(1, 11),
    y = arctan((x2 x3 - 1 / (x2 x4)) / x1) + sd * N(0, 1).
    """
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=(n, 4))
    eps = rng.standard_normal(n)
    x1 = 100 * u[:, 0]
    x2 = 40 * np.pi + (560 - 40) * np.pi * u[:, 1]
    x3 = u[:, 2]
    x4 = 1 + 10 * u[:, 3]
    y = np.arctan((x2 * x3 - 1 / (x2 * x4)) / x1) + sd * eps
    return np.column_stack([x1, x2, x3, x4]), y


@pytest.mark.parametrize(("n", "sd", "seed"), [(1000, 0.1, 0), (50, 0.0, 7), (3, 2.5, 123)])
def test_friedman3_matches_formula(n, sd, seed):
    X, Y = friedman3(n, sd, seed=seed)
    X_ref, y_ref = friedman3_reference(n, sd, seed)
    assert X.shape == (n, 4) and Y.shape == (n, 1)
    assert X.dtype == torch.float32 and Y.dtype == torch.float32
    np.testing.assert_allclose(X.numpy(), X_ref, rtol=1e-6)
    np.testing.assert_allclose(Y.numpy()[:, 0], y_ref, rtol=1e-5, atol=1e-6)


def test_friedman3_ranges():
    X, _ = friedman3(5000, seed=3)
    low = torch.tensor([0, 40 * np.pi, 0, 1], dtype=torch.float32)
    high = torch.tensor([100, 560 * np.pi, 1, 11], dtype=torch.float32)
    assert bool(((X >= low) & (X <= high)).all())
    assert X[:, 1].max() > 1700  # the raw scale the lessons rely on


def test_friedman3_seeding():
    a, b, c = friedman3(seed=1), friedman3(seed=1), friedman3(seed=2)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_friedman3_noise_level():
    (_, Y0), (_, Y1) = friedman3(2000, 0.0, seed=4), friedman3(2000, 0.1, seed=4)
    noise = (Y1 - Y0).numpy().ravel()
    assert 0.09 < noise.std() < 0.11


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, r"n must be a positive integer, got 0"),
        ({"n": 10.0}, TypeError, r"n must be a positive integer, got 10\.0 of type float"),
        ({"n": True}, TypeError, r"n must be a positive integer, got True of type bool"),
        ({"sd": "0.1"}, TypeError, r"sd must be a non-negative finite number, got '0.1'"),
        ({"seed": -1}, ValueError, r"seed must be a non-negative integer, got -1"),
        ({"sd": -1}, ValueError, r"sd must be a non-negative finite number, got -1"),
    ],
)
def test_friedman3_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        friedman3(**kwargs)


def test_split_is_a_seeded_partition():
    X = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    Y = torch.arange(10, dtype=torch.float32).reshape(10, 1)
    (X_train, Y_train), (X_valid, Y_valid) = train_valid_split(X, Y, 7, seed=5)
    assert len(X_train) == 7 and len(X_valid) == 3
    rows = torch.cat([Y_train, Y_valid]).ravel().sort().values
    assert torch.equal(rows, torch.arange(10, dtype=torch.float32))
    # Rows stay paired: X row i is (2i, 2i+1) and Y row i is i.
    assert torch.equal(X_train[:, 0], 2 * Y_train[:, 0])
    again = train_valid_split(X, Y, 7, seed=5)
    assert torch.equal(again[0][1], Y_train)
    other = train_valid_split(X, Y, 7, seed=6)
    assert not torch.equal(other[0][1], Y_train)


@pytest.mark.parametrize(
    ("n_train", "match"),
    [(0, r"n_train must be a positive integer, got 0"), (10, r"n_train must be smaller")],
)
def test_split_bad_input(n_train, match):
    X, Y = friedman3(10)
    with pytest.raises(ValueError, match=match):
        train_valid_split(X, Y, n_train)


def test_split_mismatched_rows():
    with pytest.raises(ValueError, match=r"same number of rows, got 4 and 3"):
        train_valid_split(torch.zeros(4, 4), torch.zeros(3, 1))


def test_exercise_data():
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data()
    assert X_train.shape == (700, 4) and Y_train.shape == (700, 1)
    assert X_valid.shape == (300, 4) and Y_valid.shape == (300, 1)
    _, Y = friedman3(1000, 0.1, seed=0)
    all_rows = torch.cat([Y_train, Y_valid]).ravel().sort().values
    assert torch.equal(all_rows, Y.ravel().sort().values)


def test_standardize_uses_training_statistics_only():
    data = exercise_data(seed=3)
    (X_train, Y_train), (X_valid, Y_valid) = data
    (S_train, T_train), (S_valid, T_valid) = standardize(data)
    X64 = X_train.double()
    mean, std = X64.mean(dim=0), X64.std(dim=0)
    np.testing.assert_allclose(S_train.numpy(), ((X64 - mean) / std).numpy(), atol=1e-5)
    np.testing.assert_allclose(
        S_valid.numpy(), ((X_valid.double() - mean) / std).numpy(), atol=1e-5
    )
    assert T_train is Y_train and T_valid is Y_valid  # targets untouched
    assert S_train.dtype == torch.float32
    assert torch.equal(exercise_data(seed=3, standardize=True)[1][0], S_valid)


def test_standardize_bad_input():
    with pytest.raises(TypeError, match=r"data must be \(\(X_train, Y_train\)"):
        standardize("data")
    (X_train, Y_train), valid = exercise_data()
    constant = X_train.clone()
    constant[:, 2] = 1.0
    with pytest.raises(ValueError, match=r"every input column to vary"):
        standardize(((constant, Y_train), valid))
    with pytest.raises(TypeError, match=r"standardize must be True or False, got 1"):
        exercise_data(standardize=1)
