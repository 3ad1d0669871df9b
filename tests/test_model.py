"""make_mlp: the architecture of SPEC section 2 and the default initialisation under seed 123."""

import torch
from torch import nn

from optimlab import make_mlp


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
