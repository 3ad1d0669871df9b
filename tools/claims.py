"""Check the gallery's claims: in one build's records, or under every variant of the machine.

``python tools/claims.py records FOLDER`` reads the records that the gallery pages wrote
(``optimlab.Claims`` writes ``<page>.json`` to ``OPTIMLAB_CLAIMS_DIR``), lists every
failed claim and exits 1 if there is one (``--report`` lists them and exits 0). The docs
session reports with it; the test command and the Pages workflow fail with it.

``python tools/claims.py variants [PAGE ...]`` is the robustness check (``nox -s
claims``). It runs every gallery page, or the pages whose file names contain one of the
given words, under each variant below, each page in a fresh process with the variant's
variables set before torch is imported, and the page's code as a reader copies it:

- ``as is``: this machine and torch build as they are;
- ``ATen default``: ``ATEN_CPU_CAPABILITY=default``, ATen's kernels without AVX2/AVX-512;
- ``MKL compatible``: ``MKL_CBWR=COMPATIBLE``, MKL's processor-independent code path;
- ``seeds 1000+`` and ``seeds 2000+``: ``OPTIMLAB_SEED_OFFSET``, which shifts every
  counted set of seeds (``seeds=50`` means seeds 1000 to 1049); the exercise's own run
  (seed 0) is the same in every variant. These two seed sets were fixed before any page
  was run on them.

A small sweep run in every variant checks that each one changes the numbers: the check
fails if two variants train bitwise-equal curves. It prints one table, claim by variant,
with the count in each (stated claims first, then those only shown, "varies"), writes it
with the figures to ``claims-results/claims.json``, and fails on any stated claim that
fails in any variant, or a page that stops with an error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from verdict_records import VARIES, load_record, mark  # noqa: E402

VARIANTS: dict[str, dict[str, str]] = {
    "as is": {},
    "ATen default": {"ATEN_CPU_CAPABILITY": "default"},
    "MKL compatible": {"MKL_CBWR": "COMPATIBLE"},
    "seeds 1000+": {"OPTIMLAB_SEED_OFFSET": "1000"},
    "seeds 2000+": {"OPTIMLAB_SEED_OFFSET": "2000"},
}

# Run in every variant: four batch sizes over three counted seeds, five epochs.
PROBE = """
import hashlib, numpy as np, optimlab
result = optimlab.compare_configs(epochs=5, batch_size=[8, 16, 32, 64], seeds=3)
print(hashlib.sha256(np.ascontiguousarray(result.runs).tobytes()).hexdigest())
"""


def read_records(folder: Path) -> dict[str, dict]:
    """Every page's record in ``folder``, by page name."""
    records = {}
    for path in sorted(folder.glob("*.json")):
        record = load_record(folder, path.stem)
        if record is not None:
            records[path.stem] = record
    return records


def failed(records: dict[str, dict]) -> list[str]:
    """A line for each recorded claim that does not hold."""
    lines = []
    for page, record in records.items():
        for verdict in record["verdicts"]:
            if verdict["holds"]:
                continue
            world = verdict["data"].get("world")
            where = f"{page}" + (f" [{world}]" if world else "")
            counted = ""
            if verdict["count"] is not None:
                count, total = verdict["count"], verdict["total"]
                counted = f" ('{verdict['word']}': {count} of {total} seeds)"
            lines.append(f"{where}: {verdict['statement']}{counted}")
    return lines


def check_records(folder: Path, report: bool) -> int:
    if not folder.is_dir():
        print(f"no claims were recorded: {folder} does not exist (did the gallery run?)")
        return 0 if report else 1
    records = read_records(folder)
    lines = failed(records)
    total = sum(len(record["verdicts"]) for record in records.values())
    if lines:
        print(f"✗ {len(lines)} of {total} claims failed on {len(records)} pages:")
        print("\n".join(f"  ✗ {line}" for line in lines))
        if report:
            print("The site shows them; the test command (nox) fails on them.")
    else:
        print(f"✓ all {total} claims of {len(records)} pages hold")
    return 1 if lines and not report else 0


def scripts(words: list[str]) -> list[Path]:
    every = sorted((ROOT / "gallery").glob("*/plot_*.py"), key=lambda path: path.name)
    chosen = [path for path in every if not words or any(word in path.stem for word in words)]
    if not chosen:
        raise SystemExit(f"no gallery page matches {words}")
    return chosen


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "MPLBACKEND": "Agg", **env}
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=900, check=False)  # fmt: skip


def check_variants(words: list[str], out: Path, only: list[str] | None = None) -> int:
    pages = scripts(words)
    variants = {name: VARIANTS[name] for name in only or VARIANTS}
    commit = _commit()  # the tree the pages are read from, before a long run
    started = time.perf_counter()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="optimlab-claims-") as scratch:
        scratch = Path(scratch)
        digests = {}
        for name, env in variants.items():
            probe = run([sys.executable, "-c", PROBE], env, scratch)
            if probe.returncode:
                problems.append(f"the probe failed in variant {name!r}:\n{probe.stderr}")
            digests[name] = probe.stdout.strip()
        names = list(variants)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if digests[first] and digests[first] == digests[second]:
                    problems.append(f"variants {first!r} and {second!r} train bitwise-equal "
                                    "curves: one of them varies nothing")  # fmt: skip

        def one(job: tuple[str, Path]) -> tuple[str, Path, subprocess.CompletedProcess, float]:
            name, script = job
            folder = scratch / "records" / name
            cwd = scratch / "cwd" / name / script.stem
            cwd.mkdir(parents=True)
            env = {**variants[name], "OPTIMLAB_CLAIMS_DIR": str(folder)}
            tic = time.perf_counter()
            done = run([sys.executable, str(script)], env, cwd)
            return name, script, done, time.perf_counter() - tic

        jobs = [(name, script) for name in variants for script in pages]
        # Two at a time: a page's runs mostly wait on one core of the two.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for name, script, done, seconds in pool.map(one, jobs):
                mark = "ok" if done.returncode == 0 else f"exit {done.returncode}"
                print(f"  {name:>14}  {script.stem:<40} {seconds:6.1f} s  {mark}", flush=True)
                if done.returncode:
                    problems.append(f"{script.stem} stopped in variant {name!r}:\n"
                                    + textwrap.indent(done.stderr[-3000:], "    "))  # fmt: skip
        records = {name: read_records(scratch / "records" / name) for name in variants}
    rows = table_rows(records)
    stated = [row for row in rows if row["stated"]]
    shown = [row for row in rows if not row["stated"]]
    failures = [row for row in stated if any(cell["holds"] is False for cell in row["cells"])]
    missing = [row for row in rows if any(cell["holds"] is None for cell in row["cells"])]
    print()
    print(render(stated, "Stated claims", names))
    print()
    print(render(shown, "Shown, not asserted (varies with the seeds)", names))
    print()
    for row in failures:
        problems.append(f"stated claim fails: {row['page']}: {row['statement']}")
    for row in missing:
        problems.append(f"not recorded in every variant: {row['page']}: {row['statement']}")
    minutes = (time.perf_counter() - started) / 60
    summary = {
        "date": datetime.date.today().isoformat(),
        "commit": commit,
        "pages": len(pages),
        "variants": variants,
        "probe_digests": digests,
        "stated_claims": len(stated),
        "shown_claims": len(shown),
        "failed_claims": len(failures),
        "minutes": round(minutes, 1),
        "problems": problems,
        "rows": rows,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "claims.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")  # fmt: skip
    print(f"{len(pages)} pages, {len(variants)} variants, {len(stated)} stated claims "
          f"({len(failures)} failing), {len(shown)} shown only; {minutes:.1f} min; "
          f"written to {out / 'claims.json'}")  # fmt: skip
    for problem in problems:
        print(f"✗ {problem}")
    return 1 if problems else 0


def table_rows(records: dict[str, dict[str, dict]]) -> list[dict]:
    """One row per (page, claim), in the order of the first variant that recorded it."""
    order: dict[tuple[str, str], dict] = {}
    for by_page in records.values():
        for page, record in by_page.items():
            for verdict in record["verdicts"]:
                order.setdefault((page, verdict["key"]), verdict)
    rows = []
    for (page, key), first in order.items():
        cells = []
        for by_page in records.values():
            verdicts = by_page.get(page, {"verdicts": []})["verdicts"]
            verdict = next((v for v in verdicts if v["key"] == key), None)
            if verdict is None:
                cells.append({"text": "missing", "holds": None})
                continue
            count = "" if verdict["count"] is None else f"{verdict['count']}/{verdict['total']} "
            cells.append({"text": count + mark(verdict), "holds": verdict["holds"]})
        world = first["data"].get("world")
        statement = first["statement"] + (f" [{world}]" if world else "")
        if first["count"] is not None and first["word"] != VARIES:
            statement += f" ({first['word']})"
        rows.append({"page": page, "key": key, "statement": statement,
                     "stated": first["word"] != VARIES, "cells": cells})  # fmt: skip
    return rows


def render(rows: list[dict], title: str, variants: list[str], width: int = 60) -> str:
    columns = [max(len(name), 9) + 2 for name in variants]
    head = "".join(name.ljust(n) for name, n in zip(variants, columns, strict=True))
    lines = [f"{title} ({len(rows)})", " " * (width + 2) + head]
    page = None
    for row in rows:
        if row["page"] != page:
            page = row["page"]
            lines.append(f"{page}:")
        wrapped = textwrap.wrap(row["statement"], width - 2) or [""]
        cells = "".join(
            cell["text"].ljust(n) for cell, n in zip(row["cells"], columns, strict=True)
        )
        lines.append(("  " + wrapped[0]).ljust(width + 2) + cells)
        lines.extend("    " + part for part in wrapped[1:])
    return "\n".join(line.rstrip() for line in lines)


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    records = commands.add_parser("records", help="list the failed claims of one build")
    records.add_argument("folder", type=Path)
    records.add_argument("--report", action="store_true", help="list them, exit 0")
    variants = commands.add_parser("variants", help="run the pages under every variant")
    variants.add_argument("pages", nargs="*", help="words of the pages' file names")
    variants.add_argument("--out", type=Path, default=ROOT / "claims-results")
    variants.add_argument(
        "--only",
        nargs="+",
        choices=list(VARIANTS),
        metavar="VARIANT",
        help=f"only these variants, of {', '.join(map(repr, VARIANTS))}",
    )
    args = parser.parse_args(argv)
    if args.command == "records":
        return check_records(args.folder, args.report)
    return check_variants(args.pages, args.out, args.only)


if __name__ == "__main__":
    sys.exit(main())
