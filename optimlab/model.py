"""The exercise's network: a 4-50-50-1 ReLU multilayer perceptron with seeded initial weights."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from ._validation import check_nonnegative_int, check_positive_int
from .config import init_seed

__all__ = ["dead_units", "make_mlp"]

#: Held while initial weights are drawn from torch's global generator: seeding it and
#: drawing from it is one step only if no other thread of a thread-pool sweep does the same
#: in between. Re-entrant, since a model function may call :func:`make_mlp`.
GLOBAL_RNG_LOCK = threading.RLock()


@contextmanager
def global_rng_seeded(seed: int) -> Iterator[None]:
    """Seed torch's global generator with ``seed``, restoring its state afterwards.

    Thread safe: the lock keeps other threads from seeding or drawing in between.
    """
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def make_mlp(
    *, seed: int = init_seed(0), n_hidden: int = 50, n_features: int = 4
) -> nn.Sequential:
    """Build ``Linear(4, 50) -> ReLU -> Linear(50, 50) -> ReLU -> Linear(50, 1)``.

    The weights get PyTorch's default initialisation drawn under ``torch.manual_seed(seed)``
    inside :func:`torch.random.fork_rng`, so the same seed gives the same network and the
    global random state is left untouched (like R torch's ``with_torch_manual_seed``), also
    when threads build networks at the same time.

    Parameters
    ----------
    seed : int, default=123
        Seed of the initial weights; the exercise uses 123 for every configuration
        (seed ``s`` of a sweep uses ``123 + s``: ``optimlab.config.init_seed``).
    n_hidden : int, default=50
        Width of both hidden layers.
    n_features : int, default=4
        Number of inputs.

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from optimlab import make_mlp
    >>> a, b = make_mlp(), make_mlp()
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    >>> make_mlp()(torch.zeros(3, 4)).shape
    torch.Size([3, 1])
    """
    seed = check_nonnegative_int("seed", seed)
    n_hidden = check_positive_int("n_hidden", n_hidden)
    n_features = check_positive_int("n_features", n_features)
    with global_rng_seeded(seed):
        return nn.Sequential(
            nn.Linear(n_features, n_hidden),
            nn.ReLU(),
            nn.Linear(n_hidden, n_hidden),
            nn.ReLU(),
            nn.Linear(n_hidden, 1),
        )


def dead_units(model: nn.Sequential, X: torch.Tensor) -> list[int]:
    """Count the ReLU units that output zero for every row of ``X``, layer by layer.

    Such a unit passes no gradient to its incoming weights for these inputs, so
    gradient descent cannot revive it from this data: it is dead.

    Parameters
    ----------
    model : torch.nn.Sequential
        A network such as :func:`make_mlp` builds.
    X : torch.Tensor
        Inputs, shape ``(n, n_features)``.

    Returns
    -------
    list of int
        One count per ``ReLU`` layer, in order.

    Examples
    --------
    >>> import torch
    >>> from optimlab import dead_units, make_mlp
    >>> model = make_mlp()
    >>> len(dead_units(model, torch.rand(10, 4)))  # one count per hidden layer
    2
    >>> with torch.no_grad():
    ...     _ = model[0].bias.fill_(-1e6)  # push every first-layer unit below zero
    >>> dead_units(model, torch.rand(10, 4))[0]
    50
    """
    counts = []
    with torch.no_grad():
        hidden = X
        for layer in model:
            hidden = layer(hidden)
            if isinstance(layer, nn.ReLU):
                counts.append(int((hidden.amax(dim=0) <= 0).sum()))
    return counts
