"""The ``modelcat`` console script: a piped listing whose plan is kept is replayed
(``catalog.replay``) before typer, SQLAlchemy or pydantic are imported; everything else runs
the Typer app (``catalog.cli.main``)."""

from __future__ import annotations

import sys


def run() -> None:
    """Console-script entry point."""
    from catalog import replay

    if replay.answer(sys.argv[1:]):
        return
    from catalog.cli.main import run as run_app

    run_app()
