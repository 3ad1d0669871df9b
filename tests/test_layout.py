"""The README's module table names every module of the package, and only those."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_module_table_matches_the_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| module | what it holds |", 1)[1].split("\n\n", 1)[0]
    listed = set()
    for cell in re.findall(r"^\| ([^|]+) \|", table, flags=re.MULTILINE):
        listed.update(name.rstrip("/") for name in re.findall(r"`([\w/]+)`", cell))
    package = ROOT / "optimlab"
    actual = {
        path.stem if path.is_file() else path.name
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem not in {"__init__", "__main__"})
        or (path.is_dir() and (path / "__init__.py").is_file())
    }
    assert listed == actual
