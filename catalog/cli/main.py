"""The ``modelcat`` command: a Typer app whose command groups live one per module.

Command modules import their heavy dependencies inside the command functions, so
``modelcat --help`` loads neither the database layer nor torch, transformers, textual or
huggingface_hub.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from catalog.cli import models_cmd
from catalog.cli.advise_cmd import advise_command
from catalog.cli.bench_cmd import bench_command
from catalog.cli.common import ModelcatGroup, settings
from catalog.cli.db_cmd import db_app
from catalog.cli.estimate_cmd import estimate_command
from catalog.cli.license_cmd import license_app
from catalog.cli.local_cmd import local_command
from catalog.cli.shortlist_cmd import shortlist_app
from catalog.cli.sync_cmd import sync_command
from catalog.errors import UsageError

app = typer.Typer(
    name="modelcat",
    cls=ModelcatGroup,
    help="Pick a base language model: license, access, tunability, fit and local speed.",
    invoke_without_command=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    # Plain click help: typer's rich help imports rich.markdown and markdown-it on every
    # --help (180 ms instead of 100 ms for `modelcat --help`).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="MODELCAT_DB", help="Database: a SQLite path or SQLAlchemy URL."
        ),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            envvar="MODELCAT_DATA",
            help="Folder with models.yaml/licenses.yaml merged over the shipped ones.",
        ),
    ] = None,
) -> None:
    """modelcat: which base model may we use, can we tune it, will it fit, how fast is it here?"""
    s = settings(ctx)
    s.db, s.data = db, data
    if ctx.invoked_subcommand is None:
        # The terminal UI is the main way in; piped (no terminal), list the catalog instead.
        if sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(tui, ctx)
        else:
            ctx.invoke(models_cmd.list_models, ctx)


@app.command("tui")
def tui(
    ctx: typer.Context,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            envvar="MODELCAT_THEME",
            help="Textual theme (ansi-dark or ansi-light use the terminal's own colours).",
        ),
    ] = None,
) -> None:
    """Open the terminal UI (also what `modelcat` alone does on a terminal)."""
    if not sys.stdout.isatty():
        # Textual would write escape codes into the pipe and wait for keys that never come.
        raise UsageError(
            "the terminal UI needs a terminal, and stdout is piped or redirected; "
            "use `modelcat list` (or any command with --format) for output to a pipe"
        )
    # Imported here so `modelcat --help` and every other command never load textual.
    from tui.app import make_app, run

    s = settings(ctx)
    run(make_app(db=s.db, data_dir=s.data, theme=theme))


app.command("list")(models_cmd.list_models)
app.add_typer(shortlist_app, name="shortlist")
app.command("show")(models_cmd.show)
app.command("export")(models_cmd.export)
app.command("estimate")(estimate_command)
app.command("sync")(sync_command)
app.command("local")(local_command)
app.command("bench")(bench_command)
app.command("advise")(advise_command)
app.add_typer(license_app, name="license")
app.add_typer(db_app, name="db")


def run() -> None:
    """Console-script entry point."""
    app()
