"""How much of a tensor operation's time is Python, and how much torch's own dispatch.

The sweep engine's batch-size-2 run is a chain of about 26 small tensor operations per
step, so its time is the per-operation cost times the steps. This script measures that
cost for the operations of one step, on the shapes of the critical run (one run, batch
size 2, the exercise's 4-50-50-1 MLP, its 2,851 parameters in one flat buffer): called
from a Python loop, as the engine calls them, and from a C++ loop that calls the same
ATen operations, as a compiled engine would. The inputs hold normal numbers only, so
that the time is the call's, not the processor's slow arithmetic on subnormal floats.

If the C++ figures were several times smaller, a compiled engine could lift the
engine's ceiling; they are not: most of an operation's time is torch's dispatcher and
its TensorIterator, which a compiled caller pays too.

Run it with ``python benchmarks/bench_dispatch.py`` (about a minute, most of it
compiling): it needs a C++ compiler and ninja (``torch.utils.cpp_extension``), and is
not part of ``nox -s bench``. It prints a table and writes
``bench-results/dispatch.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

#: The operations of one step, as the engine writes them: (name, C++ statement). In C++,
#: ``a``, ``b``, ``c``, ``x``, ``w``, ``h`` and ``out`` are the tensors that
#: :func:`operands` makes, in that order.
OPERATIONS = {
    "bmm": "at::bmm_out(out_h, x, w)",
    "relu_": "at::relu_(h)",
    "mul_": "a.mul_(-1.0)",
    "add_": "a.add_(b, 0.5)",
    "lerp_": "a.lerp_(b, 0.1)",
    "addcmul_": "a.addcmul_(b, b, 0.001)",
    "sqrt": "at::sqrt_out(out, c)",
    "addcdiv_": "a.addcdiv_(b, c, -0.001)",
}

_SOURCE = r"""
#include <torch/extension.h>
#include <chrono>

double seconds_per_call(int64_t which, int64_t n, torch::Tensor a, torch::Tensor b,
                        torch::Tensor c, torch::Tensor x, torch::Tensor w, torch::Tensor h,
                        torch::Tensor out, torch::Tensor out_h) {
  torch::NoGradGuard no_grad;
  auto start = std::chrono::steady_clock::now();
  switch (which) {
%(cases)s
  }
  auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(stop - start).count() / n;
}
"""


def operands() -> dict[str, torch.Tensor]:
    """Tensors of the critical run's shapes, positive and normal (no zeros, no subnormals)."""
    generator = torch.Generator().manual_seed(0)

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=generator) + 0.5

    return {
        "a": uniform(1, 2851),
        "b": uniform(1, 2851),
        "c": uniform(1, 2851),
        "x": uniform(1, 2, 50),
        "w": uniform(1, 50, 50),
        "h": uniform(1, 2, 50),
        "out": torch.empty(1, 2851),
        "out_h": torch.empty(1, 2, 50),
    }


def python_calls(n: int, tensors: dict[str, torch.Tensor]) -> dict[str, float]:
    """Seconds per call of each operation, from a Python loop."""
    a, b, c, x, w, h, out, out_h = tensors.values()
    calls = {
        "bmm": lambda: torch.bmm(x, w, out=out_h),
        "relu_": lambda: torch.relu_(h),
        "mul_": lambda: a.mul_(-1.0),  # -1: the values stay normal
        "add_": lambda: a.add_(b, alpha=0.5),
        "lerp_": lambda: a.lerp_(b, 0.1),
        "addcmul_": lambda: a.addcmul_(b, b, value=0.001),
        "sqrt": lambda: torch.sqrt(c, out=out),
        "addcdiv_": lambda: a.addcdiv_(b, c, value=-0.001),
    }
    seconds = {}
    with torch.no_grad():
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(n):
                call()
            seconds[name] = (time.perf_counter() - start) / n
    return seconds


def compiled_calls(n: int, tensors: dict[str, torch.Tensor], build: Path) -> dict[str, float]:
    """Seconds per call of each operation, from a C++ loop over the same ATen calls."""
    from torch.utils.cpp_extension import load_inline

    cases = "\n".join(
        f"    case {i}: for (int64_t k = 0; k < n; ++k) {{ {statement}; }} break;"
        for i, statement in enumerate(OPERATIONS.values())
    )
    module = load_inline(
        "optimlab_bench_dispatch",
        cpp_sources=_SOURCE % {"cases": cases},
        functions=["seconds_per_call"],
        extra_cflags=["-O2"],
        build_directory=str(build),
    )
    return {
        name: module.seconds_per_call(i, n, *tensors.values()) for i, name in enumerate(OPERATIONS)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per timing")
    parser.add_argument("--repeats", type=int, default=5, help="timings; the least is kept")
    parser.add_argument("--out", type=Path, default=Path("bench-results/dispatch.json"))
    args = parser.parse_args()
    missing = [tool for tool in ("c++", "ninja") if shutil.which(tool) is None]
    if missing:
        print(f"bench_dispatch: needs {' and '.join(missing)} on PATH", file=sys.stderr)
        return 2
    torch.set_num_threads(1)  # as the engine's workers run
    tensors = operands()
    with tempfile.TemporaryDirectory(prefix="optimlab-dispatch-") as build:
        compiled_calls(10, operands(), Path(build))  # compile, and warm up
        python_calls(1_000, operands())
        python: dict[str, float] = {}
        compiled: dict[str, float] = {}
        for _ in range(args.repeats):  # alternate, so that load on the machine hits both
            for name, t in python_calls(args.calls, tensors).items():
                python[name] = min(t, python.get(name, float("inf")))
            for name, t in compiled_calls(args.calls, tensors, Path(build)).items():
                compiled[name] = min(t, compiled.get(name, float("inf")))
    print("microseconds per call")
    print(f"{'operation':<10} {'Python':>9} {'C++':>9} {'C++/Python':>11}")
    for name in OPERATIONS:
        print(
            f"{name:<10} {python[name] * 1e6:9.2f} {compiled[name] * 1e6:9.2f} "
            f"{compiled[name] / python[name]:11.2f}"
        )
    total_python, total_compiled = sum(python.values()), sum(compiled.values())
    print(
        f"{'all':<10} {total_python * 1e6:9.2f} {total_compiled * 1e6:9.2f} "
        f"{total_compiled / total_python:11.2f}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "what": "seconds per call of one step's operations, critical-run shapes, one thread",
        "torch": torch.__version__,
        "calls": args.calls,
        "repeats": args.repeats,
        "python_s": python,
        "cpp_s": compiled,
        "cpp_over_python": total_compiled / total_python,
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
