"""``python -m optimlab``: the ``optimlab`` command (:mod:`optimlab.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
