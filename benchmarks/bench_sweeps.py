"""Time the five seed sweeps: the sweep engine against the plain loop, in the same run.

Run it with ``nox -s bench`` (or ``python benchmarks/bench_sweeps.py``). The five
comparisons of the exercise (30 epochs, 24 configurations, AdamW, raw inputs) are
trained

* by the **engine**: one :func:`optimlab.compare_sweeps` call, with its default worker
  processes (one per core, one torch thread each);
* by the engine as **five calls**, one :func:`optimlab.compare_configs` per sweep;
* by the **plain loop**: :func:`optimlab.train_valid` once per configuration of each
  sweep, as ``compare_configs`` did before the engine (24 runs, torch's default threads);
* by the engine again under **ten seeds** (``compare_sweeps(..., seeds=10)``, 240 runs,
  210 distinct), the cost of the gallery's bands, compared with one seed of the plain loop.

Then each optimizer of the engine (AdamW, Adam, SGD, RMSprop, Adagrad, optimlab's
Momentum) on a workload of the same shape, on standardised inputs (SGD diverges on the
raw ones): the sweeps over ``lr``, ``batch_size`` and ``weight_decay``, and two sweeps
of its own coefficients in place of ``beta1`` and ``beta2`` (SGD: momentum and
dampening; RMSprop: alpha and momentum; Adagrad: lr_decay and the initial accumulator;
Momentum: beta, and lr at beta 0.5) -- one engine call against the plain loop, each.
And AdamW under learning-rate schedules (``schedules``): the five schedules at three
learning rates, a batch-size sweep under cosine and a beta1 sweep under one-cycle.

The plain loop runs with torch's default threads: on some machines its curves then
differ from the one-thread curves (which the engine reproduces bit for bit) in the last
bit for a few configurations, as MKL splits some products differently on two threads.

Then the engine's ``torch.func`` **fast path**, on a model the exact kernel cannot take:
a tanh MLP 4-32-32-1 (``tanh_mlp``) on standardised inputs, 24 AdamW configurations of
one batch size (six values each of ``lr``, ``weight_decay``, ``beta1`` and ``beta2``), one
engine call against the plain loop. Its curves are not bitwise equal to the plain loop's;
the reported difference is the largest over the 24 curves.

Each pair alternates, ``--repeats`` times, after one untimed warm-up of each (imports,
and the engine's once-per-process self-check; the engine's first, cold call is timed and
reported on its own). Reported: median and min-max wall time of each, the ratio of the
medians, the largest difference between the two sets of curves (0 means bitwise equal)
and peak memory.

Then the **limits** the engine's time cannot go below, measured, not assumed. Each
workload's *work* is its time trained in a fresh process on one core (``n_jobs=1``: every
group, one after another), and its *longest run* is the run with the most optimizer steps
(the smallest batch) trained alone: its steps follow one another, so no split over cores
shortens it. Each is the least of ``--repeats`` timings. An engine call on ``c`` cores
takes at least ``max(longest run, work / c)`` (more, as splitting a group repeats its
per-step overhead and workers take time to start), and the plain loop's median over
that is the largest ratio the engine can reach (five calls: the sum of each call's
bound). The same work is then timed in a fresh process with subnormal floats flushed to
zero (``torch.set_flush_denormal``): that changes the curves, so the engine never runs
so; it is timed only to measure how much of the work is the processor's slow arithmetic
on subnormal numbers (weights and optimizer moments that decay below 2**-126, as dead
ReLU units and strong weight decay make them), which the reference loop computes too and
the engine must reproduce bit for bit.

Peak memory is the peak resident set size (``getrusage`` ``ru_maxrss``) of a fresh
process that makes one engine call, and of the largest of its worker processes (loky
starts each as a fresh interpreter that imports torch); the sum of the parent and every
worker at their peaks bounds the physical memory the call used.

The figures go to ``bench-results/bench.json`` (git-ignored). The load average is
recorded too: other work on the machine slows both sides, not always equally.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

import optimlab
from optimlab import DivergenceWarning, TrainingConfig, compare_configs, compare_sweeps, make_mlp
from optimlab.engine import RunSpec, train_runs
from optimlab.lr_schedules import LR_SCHEDULES

#: The five comparisons of the exercise; every other argument takes its default.
SWEEPS = [
    {"lr": [1, 0.1, 0.01, 0.001]},
    {"batch_size": [2, 4, 8, 16, 32, 64]},
    {"weight_decay": [0.5, 0.25, 0.125, 0.0625, 0.03125]},
    {"beta1": [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]},
    {"beta2": [0.99, 0.999, 0.9999]},
]

#: The sweeps every optimizer shares, then two of its own coefficients (as pairs
#: ``(optimizer, options)``), in place of the beta sweeps: 24 configurations each.
SHARED = SWEEPS[:3]
SIX = [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]


def _own(name: str, base: dict, key: str, values: list) -> dict:
    return {"optimizer": [(name, {**base, key: value}) for value in values]}


WORKLOADS = {
    "adamw": [*SHARED, *SWEEPS[3:]],
    "adam": [{**sweep, "optimizer": "adam"} for sweep in SWEEPS],
    "sgd": [
        *(
            {**sweep, "optimizer": "sgd", "optimizer_options": {"momentum": 0.9}}
            for sweep in SHARED
        ),
        _own("sgd", {}, "momentum", SIX),
        _own("sgd", {"momentum": 0.9}, "dampening", [0.0, 0.5, 0.9]),
    ],
    "rmsprop": [
        *({**sweep, "optimizer": "rmsprop"} for sweep in SHARED),
        _own("rmsprop", {}, "alpha", SIX),
        _own("rmsprop", {}, "momentum", [0.1, 0.5, 0.9]),
    ],
    "adagrad": [
        *({**sweep, "optimizer": "adagrad"} for sweep in SHARED),
        _own("adagrad", {}, "lr_decay", [0.0, 1e-4, 1e-3, 1e-2, 0.1, 1.0]),
        _own("adagrad", {}, "initial_accumulator_value", [0.0, 0.1, 1.0]),
    ],
    "momentum": [
        *({**sweep, "optimizer": "momentum"} for sweep in SHARED),
        {"optimizer": "momentum", "beta1": SIX},
        {"optimizer": "momentum", "beta1": 0.5, "lr": [0.1, 0.03, 0.003]},
    ],
    # AdamW under every learning-rate schedule: each coefficient made from lr is per step.
    "schedules": [
        *({"lr_schedule": list(LR_SCHEDULES), "lr": lr} for lr in (0.03, 0.01, 0.003)),
        {"batch_size": [2, 4, 8, 16, 32, 64], "lr_schedule": "cosine"},
        {"beta1": [0.85, 0.9, 0.95], "lr_schedule": "onecycle"},
    ],
}


#: The fast path's workload: 24 AdamW configurations, all of batch size 16, so that they
#: train as one group.
FAST_PATH = [
    {"lr": [0.0003, 0.001, 0.003, 0.01, 0.02, 0.03]},
    {"weight_decay": [0.0, 0.001, 0.01, 0.03, 0.1, 0.3]},
    {"beta1": SIX},
    {"beta2": [0.9, 0.95, 0.99, 0.995, 0.999, 0.9999]},
]


def tanh_mlp(seed: int) -> nn.Module:
    """A model the exact kernel cannot take (tanh, not ReLU): it trains in the fast path."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)
    )


def engine_fast_path(epochs: int = 30) -> np.ndarray:
    """The 24 curves of the fast path's workload from one compare_sweeps call."""
    sweeps = with_epochs(FAST_PATH, epochs)
    results = compare_sweeps(sweeps, model=tanh_mlp, data=standardized)
    assert {"func"} == {t for r in results for row in r.provenance.trained_by for t in row}
    return np.concatenate([result.valid_rmse for result in results])


def plain_loop_fast_path(epochs: int = 30) -> np.ndarray:
    data = standardized(0)
    return np.stack(
        [
            optimlab.train_valid(tanh_mlp(123), data, config.replace(epochs=epochs))
            for config in configs_of(FAST_PATH)
        ]
    )


def standardized(seed: int):
    return optimlab.exercise_data(seed, standardize=True)


def with_epochs(sweeps: list[dict], epochs: int) -> list[dict]:
    return [{**sweep, "epochs": epochs} for sweep in sweeps]


def engine(epochs: int = 30) -> np.ndarray:
    """All 24 curves from one compare_sweeps call, ``[24, epochs]``."""
    results = compare_sweeps(with_epochs(SWEEPS, epochs))
    return np.concatenate([result.valid_rmse for result in results])


def engine_five_calls(epochs: int = 30) -> np.ndarray:
    """The same 24 curves from five compare_configs calls, one per sweep."""
    sweeps = with_epochs(SWEEPS, epochs)
    return np.concatenate([compare_configs(**sweep).valid_rmse for sweep in sweeps])


def engine_ten_seeds(epochs: int = 30) -> np.ndarray:
    """Every run of the five sweeps under ten seeds (the gallery's bands), ``[24, 10, epochs]``."""
    results = compare_sweeps(with_epochs(SWEEPS, epochs), seeds=10)
    return np.concatenate([result.runs for result in results])


def engine_optimizer(name: str, epochs: int = 30) -> np.ndarray:
    """The 24 curves of ``name``'s workload from one compare_sweeps call."""
    results = compare_sweeps(with_epochs(WORKLOADS[name], epochs), data=standardized)
    return np.concatenate([result.valid_rmse for result in results])


def configs_of(sweeps: list[dict]) -> list[TrainingConfig]:
    """Every configuration of ``sweeps``, as compare_sweeps would make them."""
    configs = []
    for sweep in sweeps:
        ((param, values),) = [(k, v) for k, v in sweep.items() if isinstance(v, list)]
        fixed = {k: v for k, v in sweep.items() if k != param}
        configs += [TrainingConfig(**fixed, **{param: value}) for value in values]
    return configs


def plain_loop(sweeps: list[dict] = SWEEPS, epochs: int = 30, data=None) -> np.ndarray:
    """Every curve of ``sweeps`` from train_valid, one configuration after another."""
    data = optimlab.exercise_data() if data is None else data
    return np.stack(
        [
            optimlab.train_valid(make_mlp(seed=123), data, config.replace(epochs=epochs))
            for config in configs_of(sweeps)
        ]
    )


def timed(function) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    curves = function()
    return time.perf_counter() - start, curves


def max_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b|, with inf and nan required in the same places (else inf)."""
    if not np.array_equal(~np.isfinite(a), ~np.isfinite(b)) or not np.array_equal(
        np.isnan(a), np.isnan(b)
    ):
        return float("inf")
    finite = np.isfinite(a)
    return float(np.max(np.abs(a[finite] - b[finite]), initial=0.0))


def memory_probe() -> None:
    """Make one engine call in this fresh process; print peak RSS of it and its workers."""
    engine()
    kib = 1024  # ru_maxrss is in KiB on Linux
    print(
        json.dumps(
            {
                "parent_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
                "largest_worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
            }
        )
    )


def work(configs: list[TrainingConfig], data=None) -> float:
    """Seconds to train ``configs`` in this process on one core: the work to share out."""
    specs = [RunSpec(config, data=data) for config in configs]
    start = time.perf_counter()
    train_runs(specs, n_jobs=1)
    return time.perf_counter() - start


def longest_run(configs: list[TrainingConfig]) -> TrainingConfig:
    """The configuration with the most optimizer steps: the smallest batch."""
    return min(configs, key=lambda config: config.batch_size)


def workloads(epochs: int, optimizers: list[str]) -> dict[str, tuple[list, object]]:
    """Each workload's configurations (one list per sweep of the exercise) and its data."""
    exercise = [configs_of([sweep]) for sweep in with_epochs(SWEEPS, epochs)]
    return {
        "exercise": (exercise, None),
        **{
            name: ([configs_of(with_epochs(WORKLOADS[name], epochs))], standardized(0))
            for name in optimizers
        },
    }


def measure(configs: list[TrainingConfig], data, repeats: int) -> dict:
    """The work of ``configs`` and of their longest run: the least of ``repeats`` timings
    each, as the machine's noise only ever adds time."""
    return {
        "work_s": min(work(configs, data) for _ in range(repeats)),
        "longest_run_s": min(work([longest_run(configs)], data) for _ in range(repeats)),
    }


def work_probe(epochs: int, optimizers: list[str], repeats: int, flush: bool) -> None:
    """Print, as JSON, :func:`measure` of each workload (and of each sweep of the
    exercise, for its five calls), in this fresh process."""
    torch.set_flush_denormal(flush)
    figures: dict[str, dict] = {}
    for name, (sweeps, data) in workloads(epochs, optimizers).items():
        every = [config for sweep in sweeps for config in sweep]
        work(every[:1], data)  # warm-up: imports, the engine's self-check, first kernels
        figures[name] = measure(every, data, repeats)
        if len(sweeps) > 1:  # the exercise: each sweep is one compare_configs call
            figures[name]["calls"] = [measure(sweep, data, repeats) for sweep in sweeps]
    print(json.dumps(figures))


def run_probe(*flags: str) -> dict:
    """Run this script with ``flags`` in a fresh process; the JSON of its last line."""
    probe = subprocess.run(
        [sys.executable, __file__, *flags], capture_output=True, text=True, check=True
    )
    return json.loads(probe.stdout.strip().splitlines()[-1])


def probe_work(args: argparse.Namespace, flush: bool) -> dict:
    flags = ["--work-probe", "--epochs", str(args.epochs), "--repeats", str(args.repeats)]
    flags += ["--optimizers", *args.optimizers, *(["--flush-denormal"] if flush else [])]
    return run_probe(*flags)


def bound(entry: dict, cores: int) -> float:
    """The least time an engine call can take on ``cores`` cores, from its measured work."""
    return max(entry["longest_run_s"], entry["work_s"] / cores)


def limits(args: argparse.Namespace, cores: int, plain: dict[str, float]) -> dict:
    """Each workload's bound and largest reachable ratio; the share of subnormal arithmetic.

    ``plain``: the plain loop's median seconds for each workload.
    """
    measured, flushed = probe_work(args, flush=False), probe_work(args, flush=True)
    result = {}
    for name, entry in measured.items():
        least = bound(entry, cores)
        figures = {
            **entry,
            "least_s": least,
            "largest_ratio": plain[name] / least,
            "work_flushed_s": flushed[name]["work_s"],
            "subnormal_share_of_work": 1 - flushed[name]["work_s"] / entry["work_s"],
        }
        if "calls" in entry:
            least_five = sum(bound(call, cores) for call in entry["calls"])
            figures["five_calls_least_s"] = least_five
            figures["five_calls_largest_ratio"] = plain[name] / least_five
        result[name] = figures
    return result


def summary(times: list[float]) -> dict:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def compare(engine_call, plain_call, repeats: int, label: str) -> dict:
    """Alternate ``engine_call`` and ``plain_call`` ``repeats`` times after a warm-up each."""
    cold, first = timed(engine_call)
    engine_times, plain_times, differences = [], [], []
    for repeat in range(repeats):
        seconds, curves = timed(engine_call)
        engine_times.append(seconds)
        assert np.array_equal(curves, first, equal_nan=True), f"{label}: engine not repeatable"
        seconds, reference = timed(plain_call)
        plain_times.append(seconds)
        differences.append(max_difference(curves, reference))
        print(
            f"{label} repeat {repeat + 1}/{repeats}: engine {engine_times[-1]:.2f} s, "
            f"plain loop {plain_times[-1]:.2f} s, max curve difference {differences[-1]:g}",
            flush=True,
        )
    engine_stats, plain_stats = summary(engine_times), summary(plain_times)
    return {
        "engine": {**engine_stats, "times_s": engine_times, "first_call_s": cold},
        "plain_loop": {**plain_stats, "times_s": plain_times},
        "ratio_of_medians": plain_stats["median_s"] / engine_stats["median_s"],
        "max_curve_difference": max(differences),
        "bitwise_equal": max(differences) == 0.0,
    }


def fast_path_line(figures: dict) -> str:
    return (
        f"fast path   engine {figures['engine']['median_s']:6.2f} s, plain loop "
        f"{figures['plain_loop']['median_s']:6.2f} s: {figures['ratio_of_medians']:5.1f}x, "
        f"max difference {figures['max_curve_difference']:g} (tanh MLP, 24 configs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (>= 3)")
    parser.add_argument(
        "--optimizers",
        nargs="*",
        default=list(WORKLOADS),
        choices=list(WORKLOADS),
        help="the workloads timed: each optimizer's, and AdamW's under schedules (default: all)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=30,
        help="epochs of every run (default 30; fewer to time a loaded machine faster)",
    )
    parser.add_argument(
        "--fast-path-only",
        action="store_true",
        help="time only the torch.func fast path against the plain loop",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results/bench.json"))
    parser.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--flush-denormal", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DivergenceWarning)  # lr = 1 diverges, as expected
    if args.memory_probe:
        memory_probe()
        return
    if args.work_probe:
        work_probe(args.epochs, args.optimizers, args.repeats, args.flush_denormal)
        return
    if args.repeats < 3:
        parser.error(f"--repeats must be at least 3, got {args.repeats}")

    load_before = os.getloadavg()
    epochs = args.epochs
    fast_path = compare(
        lambda: engine_fast_path(epochs),
        lambda: plain_loop_fast_path(epochs),
        args.repeats,
        "fast path",
    )
    fast_path["what"] = (
        f"tanh MLP 4-32-32-1, standardised inputs, 24 AdamW configs, {epochs} epochs: "
        "the engine's torch.func fast path (not bitwise)"
    )
    if args.fast_path_only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"fast_path": fast_path}, indent=2) + "\n")
        print(fast_path_line(fast_path))
        return
    cold, reference_engine = timed(lambda: engine(epochs))  # also the engine's warm-up
    plain_loop(epochs=1)  # the plain loop's warm-up: imports, first kernels
    engine_times, five_call_times, plain_times, ten_seed_times, differences = [], [], [], [], []
    for repeat in range(args.repeats):
        seconds, curves = timed(lambda: engine(epochs))
        engine_times.append(seconds)
        assert np.array_equal(curves, reference_engine, equal_nan=True), "engine not repeatable"
        seconds, separate = timed(lambda: engine_five_calls(epochs))
        five_call_times.append(seconds)
        assert np.array_equal(separate, curves, equal_nan=True), "five calls differ from one"
        seconds, runs = timed(lambda: engine_ten_seeds(epochs))
        ten_seed_times.append(seconds)
        assert np.array_equal(runs[:, 0], curves, equal_nan=True), "seed 0 is not the sweep"
        seconds, reference = timed(lambda: plain_loop(epochs=epochs))
        plain_times.append(seconds)
        differences.append(max_difference(curves, reference))
        print(
            f"repeat {repeat + 1}/{args.repeats}: engine {engine_times[-1]:.2f} s, "
            f"five calls {five_call_times[-1]:.2f} s, "
            f"engine ten seeds {ten_seed_times[-1]:.2f} s, "
            f"plain loop {plain_times[-1]:.2f} s, max curve difference {differences[-1]:g}",
            flush=True,
        )
    optimizers = {
        name: compare(
            lambda name=name: engine_optimizer(name, epochs),
            lambda name=name: plain_loop(WORKLOADS[name], epochs, standardized(0)),
            args.repeats,
            name,
        )
        for name in args.optimizers
    }
    jobs = len(os.sched_getaffinity(0))  # the engine's default number of workers
    plain_medians = {
        "exercise": statistics.median(plain_times),
        **{name: figures["plain_loop"]["median_s"] for name, figures in optimizers.items()},
    }
    bounds = limits(args, jobs, plain_medians)
    load_after = os.getloadavg()

    memory = run_probe("--memory-probe")
    memory["upper_bound_mib"] = memory["parent_mib"] + jobs * memory["largest_worker_mib"]

    engine_stats, plain_stats = summary(engine_times), summary(plain_times)
    five_call_stats, ten_seed_stats = summary(five_call_times), summary(ten_seed_times)
    results = {
        "what": f"the exercise's five sweeps, AdamW, raw inputs, 24 configs, {epochs} epochs",
        "engine": {**engine_stats, "times_s": engine_times, "first_call_s": cold},
        "engine_five_calls": {**five_call_stats, "times_s": five_call_times},
        "plain_loop": {**plain_stats, "times_s": plain_times},
        "ratio_of_medians": plain_stats["median_s"] / engine_stats["median_s"],
        "five_calls_ratio_of_medians": plain_stats["median_s"] / five_call_stats["median_s"],
        "engine_ten_seeds": {**ten_seed_stats, "times_s": ten_seed_times},
        "ten_seeds_engine_over_one_seed_plain": ten_seed_stats["median_s"]
        / plain_stats["median_s"],
        "max_curve_difference": max(differences),
        "bitwise_equal": max(differences) == 0.0,
        "optimizers": {
            "what": "each optimizer's workload of 24 configurations, standardised inputs",
            **optimizers,
        },
        "fast_path": fast_path,
        "limits": {
            "what": (
                "least engine time on these cores from the measured work (one core) and "
                "longest run; the share of that work that is subnormal arithmetic"
            ),
            **bounds,
        },
        "peak_memory": memory,
        "machine": {
            "cores": jobs,
            "engine_workers": jobs,
            "torch": torch.__version__,
            "torch_threads_plain_loop": torch.get_num_threads(),
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "load_average_before": load_before,
            "load_average_after": load_after,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")

    def line(name: str, stats: dict) -> str:
        return (
            f"{name:<11} median {stats['median_s']:7.2f} s   "
            f"min-max {stats['min_s']:.2f}-{stats['max_s']:.2f} s"
        )

    print()
    print(line("engine", engine_stats) + f"   (first, cold call {cold:.2f} s)")
    print(line("five calls", five_call_stats))
    print(line("plain loop", plain_stats))
    print(
        f"ratio       {results['ratio_of_medians']:.1f}x faster as one call, "
        f"{results['five_calls_ratio_of_medians']:.1f}x as five calls (plain / engine medians)"
    )
    print(
        line("ten seeds", ten_seed_stats)
        + f"   = {results['ten_seeds_engine_over_one_seed_plain']:.2f} x one plain-loop seed"
    )
    print(
        f"curves      max difference {results['max_curve_difference']:g}"
        + (" (bitwise equal)" if results["bitwise_equal"] else "")
    )
    for name, figures in optimizers.items():
        print(
            f"{name:<11} engine {figures['engine']['median_s']:6.2f} s, plain loop "
            f"{figures['plain_loop']['median_s']:6.2f} s: {figures['ratio_of_medians']:5.1f}x, "
            f"max difference {figures['max_curve_difference']:g}"
        )
    print(fast_path_line(fast_path))
    for name, figures in bounds.items():
        five = (
            f"; five calls >= {figures['five_calls_least_s']:.2f} s, at most "
            f"{figures['five_calls_largest_ratio']:.1f}x"
            if "five_calls_least_s" in figures
            else ""
        )
        share = figures["subnormal_share_of_work"]  # within the noise when near 0
        print(
            f"{'limits' if name == 'exercise' else '':<11} {name}: work {figures['work_s']:.2f} s "
            f"on one core, longest run {figures['longest_run_s']:.2f} s, so one call "
            f">= {figures['least_s']:.2f} s on {jobs} cores, at most "
            f"{figures['largest_ratio']:.1f}x{five}; subnormal arithmetic: "
            + (f"{share:.0%} of the work" if share >= 0.05 else "none measured")
        )
    print(
        f"memory      engine process {memory['parent_mib']:.0f} MiB, largest worker "
        f"{memory['largest_worker_mib']:.0f} MiB, upper bound {memory['upper_bound_mib']:.0f} MiB"
    )
    if max(load_before[0], load_after[0]) > jobs:
        print(
            f"note        load average {load_before[0]:.1f} -> {load_after[0]:.1f} on {jobs} cores"
        )
    print(f"written to  {args.out}")


if __name__ == "__main__":
    main()
