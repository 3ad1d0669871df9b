"""One seeds check for every counted set of seeds, shifted by ``OPTIMLAB_SEED_OFFSET``.

The robustness check of the site's claims reruns every page on other seeds by setting
the variable; a page's code stays as a reader copies it. An integer count of seeds is
shifted; an explicit list, ``seeds=None`` (the exercise's single run, seed 0) and seeds
counted from an explicit ``start`` are not.
"""

import numpy as np
import pytest

from optimlab import compare_configs, lr_range_test
from optimlab._validation import SEED_OFFSET, check_seeds, seed_offset
from optimlab.tuning import compare_optimizers


@pytest.fixture
def no_offset(monkeypatch):
    monkeypatch.delenv(SEED_OFFSET, raising=False)


def test_the_variable_name():
    assert SEED_OFFSET == "OPTIMLAB_SEED_OFFSET"


@pytest.mark.usefixtures("no_offset")
def test_check_seeds_without_offset():
    assert seed_offset() == 0
    assert check_seeds("seeds", 3) == (0, 1, 2)
    assert check_seeds("seeds", [4, 9]) == (4, 9)
    assert check_seeds("seeds", (np.int64(2), 0)) == (2, 0)
    assert all(type(seed) is int for seed in check_seeds("seeds", (np.int64(2), 0)))
    assert check_seeds("held_out_seeds", 2, start=7) == (7, 8)


@pytest.mark.parametrize(("text", "offset"), [("5", 5), (" 12 ", 12), ("0", 0), ("", 0)])
def test_check_seeds_with_offset(monkeypatch, text, offset):
    monkeypatch.setenv(SEED_OFFSET, text)
    assert seed_offset() == offset
    assert check_seeds("seeds", 3) == (offset, offset + 1, offset + 2)
    assert check_seeds("seeds", 1) == (offset,)
    # An explicit list is the reader's own choice: unchanged.
    assert check_seeds("seeds", [0, 1]) == (0, 1)
    # Counted from an explicit start, without the offset.
    assert check_seeds("held_out_seeds", 2, start=3) == (3, 4)
    assert check_seeds("held_out_seeds", 2, start=0) == (0, 1)


@pytest.mark.parametrize(
    ("seeds", "error", "match"),
    [
        (0, ValueError, "tuning_seeds must be a positive integer"),
        (-2, ValueError, "tuning_seeds must be a positive integer"),
        (True, TypeError, "tuning_seeds must be a positive integer or a list of seeds"),
        (2.0, TypeError, "tuning_seeds must be a positive integer or a list of seeds"),
        ("3", TypeError, "tuning_seeds must be a positive integer or a list of seeds"),
        ([], ValueError, r"tuning_seeds must hold at least one seed"),
        ([1, 1], ValueError, r"tuning_seeds must not repeat a seed, got \[1, 1\]"),
        ([0, -1], ValueError, r"tuning_seeds\[1\] must be a non-negative integer"),
        ([0, 1.5], TypeError, r"tuning_seeds\[1\]"),
    ],
)
def test_check_seeds_rejects(monkeypatch, seeds, error, match):
    monkeypatch.setenv(SEED_OFFSET, "5")
    with pytest.raises(error, match=match):
        check_seeds("tuning_seeds", seeds)


@pytest.mark.parametrize("text", ["x", "-1", "1.5", "+3", "1e3", "5 6"])
def test_a_malformed_offset_is_an_error_naming_the_variable(monkeypatch, text):
    monkeypatch.setenv(SEED_OFFSET, text)
    with pytest.raises(ValueError, match="OPTIMLAB_SEED_OFFSET must be a non-negative integer"):
        seed_offset()
    with pytest.raises(ValueError, match="OPTIMLAB_SEED_OFFSET"):
        check_seeds("seeds", 3)
    with pytest.raises(ValueError, match="OPTIMLAB_SEED_OFFSET"):
        compare_configs(epochs=1, lr=[0.01], seeds=2)
    # Where no count is shifted, the variable is not read.
    assert check_seeds("seeds", [0, 1]) == (0, 1)
    assert check_seeds("seeds", 2, start=0) == (0, 1)


# -- The functions that count seeds --------------------------------------------------------


def test_compare_configs_counts_its_seeds_from_the_offset(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET, "5")
    shifted = compare_configs(epochs=1, lr=[0.01, 0.1], batch_size=64, seeds=2)
    listed = compare_configs(epochs=1, lr=[0.01, 0.1], batch_size=64, seeds=[5, 6])
    assert shifted.seeds == listed.seeds == (5, 6)
    np.testing.assert_array_equal(shifted.runs, listed.runs)
    monkeypatch.delenv(SEED_OFFSET)
    plain = compare_configs(epochs=1, lr=[0.01, 0.1], batch_size=64, seeds=2)
    assert plain.seeds == (0, 1)
    assert not np.array_equal(plain.runs, shifted.runs)  # other seeds, other curves


def test_compare_configs_single_run_stays_seed_zero(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET, "5")
    single = compare_configs(epochs=1, lr=[0.01], batch_size=64)
    assert single.seeds == (0,)
    monkeypatch.delenv(SEED_OFFSET)
    np.testing.assert_array_equal(
        single.runs, compare_configs(epochs=1, lr=[0.01], batch_size=64, seeds=[0]).runs
    )


def test_compare_optimizers_held_out_seeds_follow_the_shifted_tuning_seeds(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET, "5")
    kwargs = {"epochs": 1, "batch_size": 64}
    shifted = compare_optimizers(["adamw"], [0.01, 0.1], tuning_seeds=2, held_out_seeds=2,
                                 **kwargs)  # fmt: skip
    # The offset shifts the tuning seeds once; the held-out ones follow them: 7, 8, not 12.
    assert shifted.tuning_seeds == (5, 6)
    assert shifted.held_out_seeds == (7, 8)
    listed = compare_optimizers(["adamw"], [0.01, 0.1], tuning_seeds=[5, 6],
                                held_out_seeds=[7, 8], **kwargs)  # fmt: skip
    assert listed.chosen_lr == shifted.chosen_lr
    np.testing.assert_array_equal(listed.tuning_scores, shifted.tuning_scores)
    np.testing.assert_array_equal(listed.valid_rmse, shifted.valid_rmse)
    # Listed tuning seeds: the held-out count follows them, with no offset.
    mixed = compare_optimizers(["adamw"], [0.01], tuning_seeds=[0, 1], held_out_seeds=2,
                               **kwargs)  # fmt: skip
    assert (mixed.tuning_seeds, mixed.held_out_seeds) == ((0, 1), (2, 3))
    # Counted tuning seeds with listed held-out seeds that overlap them are still refused.
    with pytest.raises(ValueError, match=r"disjoint: seeds \[5\]"):
        compare_optimizers(["adamw"], [0.01], tuning_seeds=2, held_out_seeds=[5, 9], **kwargs)


@pytest.mark.usefixtures("no_offset")
def test_compare_optimizers_without_offset():
    result = compare_optimizers(["adamw"], [0.01], epochs=1, batch_size=64, tuning_seeds=2,
                                held_out_seeds=3)  # fmt: skip
    assert (result.tuning_seeds, result.held_out_seeds) == ((0, 1), (2, 3, 4))


def test_lr_range_test_counts_its_seeds_from_the_offset(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET, "3")
    shifted = lr_range_test(steps=12, skip_start=2, seeds=2)
    listed = lr_range_test(steps=12, skip_start=2, seeds=[3, 4])
    assert shifted.seeds == listed.seeds == (3, 4)
    np.testing.assert_array_equal(shifted.losses, listed.losses)


def test_a_superscript_offset_is_an_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv(SEED_OFFSET, "\N{SUPERSCRIPT TWO}")
    with pytest.raises(ValueError, match="OPTIMLAB_SEED_OFFSET"):
        seed_offset()
