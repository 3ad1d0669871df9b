"""make_mlp: 4-50-50-1 ReLU network with PyTorch's default initialisation under seed 123."""

import torch
from torch import nn

from optimlab import dead_units, make_mlp


def test_architecture_and_init_match_torch_under_seed():
    torch.manual_seed(123)
    reference = nn.Sequential(
        nn.Linear(4, 50), nn.ReLU(), nn.Linear(50, 50), nn.ReLU(), nn.Linear(50, 1)
    )
    model = make_mlp()
    assert [type(m) for m in model] == [type(m) for m in reference]
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        assert ours.shape == theirs.shape
        assert torch.equal(ours, theirs)


def test_seed_controls_weights_and_global_rng_is_untouched():
    torch.manual_seed(0)
    expected_next = torch.rand(3)
    torch.manual_seed(0)
    a = make_mlp(seed=1)
    assert torch.equal(torch.rand(3), expected_next)
    b, c = make_mlp(seed=1), make_mlp(seed=2)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a[0].weight, c[0].weight)


def test_hidden_size():
    model = make_mlp(n_hidden=8)
    assert model[0].weight.shape == (8, 4) and model[4].weight.shape == (1, 8)


def test_dead_units_counts_units_silent_on_every_row():
    model = make_mlp(n_hidden=3)
    X = torch.rand(20, 4)
    with torch.no_grad():
        model[0].weight.zero_()
        model[0].bias.copy_(torch.tensor([-1.0, 0.0, 2.0]))  # units 0 and 1 output 0
        model[2].weight.copy_(torch.eye(3))
        model[2].bias.copy_(torch.tensor([0.0, 1.0, -5.0]))  # unit 0 gets 0, unit 2 gets -3
    assert dead_units(model, X) == [2, 2]
    # A unit that fires on a single row is alive.
    with torch.no_grad():
        model[0].weight[0, 0] = 100.0
    X[0, 0] = 1.0
    assert dead_units(model, X)[0] == 1


def test_threads_building_at_once_get_the_serial_weights():
    # A thread-pool sweep builds its networks in several threads at once; seeding torch's
    # global generator and drawing from it must not interleave between them.
    from concurrent.futures import ThreadPoolExecutor

    seeds = list(range(200))
    serial = [make_mlp(seed=s, n_hidden=200) for s in seeds]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda s: make_mlp(seed=s, n_hidden=200), seeds))
    for a, b in zip(serial, threaded, strict=True):
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
