"""Train the exercise's five comparisons on a Dask cluster.

Run it as ``python cluster_sweep.py`` to start a local cluster of two worker processes,
or as ``python cluster_sweep.py tcp://scheduler:8786`` to use a running cluster.
``tests/test_executors.py`` runs :func:`sweep_on_cluster` on a local cluster and checks
every curve, bit for bit, against the plain training loop.
"""

import sys

from distributed import Client, LocalCluster

import optimlab

#: The five comparisons of the exercise; every other setting keeps its default.
FIVE_SWEEPS = [
    {"lr": [1, 0.1, 0.01, 0.001]},
    {"batch_size": [2, 4, 8, 16, 32, 64]},
    {"weight_decay": [0.5, 0.25, 0.125, 0.0625, 0.03125]},
    {"beta1": [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]},
    {"beta2": [0.99, 0.999, 0.9999]},
]


def sweep_on_cluster(address=None, sweeps=FIVE_SWEEPS, seeds=10):
    """Run ``sweeps`` under ``seeds`` on the cluster at ``address`` (None: a local one)."""
    if address is None:
        # One thread per worker: each chunk of the sweep is one thread's work.
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        address = cluster.scheduler_address
    else:
        cluster = None
    try:
        with Client(address) as client:
            executor = client.get_executor(pure=False)
            return optimlab.compare_sweeps(sweeps, seeds=seeds, executor=executor)
    finally:
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":  # Dask starts worker processes: guard the script
    results = sweep_on_cluster(*sys.argv[1:2])
    for result in results:  # the median over seeds of the last epoch's validation RMSE
        for label, rmse in zip(result.labels, result.valid_rmse[:, -1], strict=True):
            print(f"{label}: {rmse:.3f}")
