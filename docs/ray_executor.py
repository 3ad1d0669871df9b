"""A ``concurrent.futures`` executor on Ray, for the ``executor=`` of optimlab's sweeps.

Each submitted call becomes a Ray task of one CPU; Ray's ``ObjectRef.future()`` gives the
``concurrent.futures.Future`` that the sweep engine waits on. Cancelling such a future
does not stop its Ray task.
"""

import concurrent.futures

import ray


def _call(fn, *args, **kwargs):
    return fn(*args, **kwargs)


class RayExecutor(concurrent.futures.Executor):
    """Run each submitted call as a Ray task of ``num_cpus`` CPUs."""

    def __init__(self, num_cpus=1):
        self._remote = ray.remote(num_cpus=num_cpus)(_call)

    def submit(self, fn, /, *args, **kwargs):
        return self._remote.remote(fn, *args, **kwargs).future()
