"""The ``modelcat`` command: a Typer app whose commands live one module each, loaded lazily.

A command's module is imported, and its click command built, only when that command runs (or
for ``--help``, which lists them all): building every command means importing every command
module and evaluating the annotations of every option, a third of a read command's start-up.
Command modules also import their heavy dependencies inside the command functions, so
``modelcat --help`` loads neither the database layer nor torch, transformers, textual or
huggingface_hub.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from catalog.cli.common import ModelcatGroup, settings
from catalog.errors import UsageError
from catalog.render import silence_stdout

COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("catalog.cli.models_cmd", "list_models"),
    "shortlist": ("catalog.cli.shortlist_cmd", "shortlist_app"),
    "show": ("catalog.cli.models_cmd", "show"),
    "export": ("catalog.cli.models_cmd", "export"),
    "estimate": ("catalog.cli.estimate_cmd", "estimate_command"),
    "sync": ("catalog.cli.sync_cmd", "sync_command"),
    "local": ("catalog.cli.local_cmd", "local_command"),
    "bench": ("catalog.cli.bench_cmd", "bench_command"),
    "advise": ("catalog.cli.advise_cmd", "advise_command"),
    "license": ("catalog.cli.license_cmd", "license_app"),
    "db": ("catalog.cli.db_cmd", "db_app"),
}
"""Command name -> (module, attribute): a command function or a Typer app of subcommands."""

_SETTINGS: dict[str, Any] = {
    "pretty_exceptions_show_locals": False,
    "add_completion": False,
    # Plain click help: typer's rich help imports rich.markdown and markdown-it on every
    # --help (180 ms instead of 100 ms for `modelcat --help`).
    "rich_markup_mode": None,
}


class LazyGroup(ModelcatGroup):
    """The root group: builds each command of ``COMMANDS`` the first time it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in COMMANDS:
            for name in COMMANDS:  # a mistyped name: Typer suggests from the built commands
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = _build(cmd_name)
            self.add_command(command, cmd_name)
        return command


def _build(name: str) -> Any:
    """The click command of ``name``, built by Typer exactly as for a registered command."""
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(**_SETTINGS)
    holder.callback()(_no_options)  # a callback makes Typer build a group around the command
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return group.commands[name]


def _no_options() -> None:
    """The holder group's callback (never run: only the command it holds is used)."""


app = typer.Typer(
    name="modelcat",
    cls=LazyGroup,
    help="Pick a base language model: license, access, tunability, fit and local speed.",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    **_SETTINGS,
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
            from catalog.cli.models_cmd import list_models

            ctx.invoke(list_models, ctx)


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


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    finally:
        try:
            sys.stdout.flush()  # what is still buffered, while a closed pipe can be handled
        except BrokenPipeError:
            silence_stdout()  # the reader has gone: not an error (see ModelcatGroup.invoke)

        # What the imports built (SQLAlchemy, pydantic, the tables) lives until the process
        # ends, and the interpreter's last garbage collection would walk all of it: ~100 ms,
        # a fifth of a read command. Frozen objects are left out of that walk; the shutdown
        # still flushes and closes every file, and the store was closed with the command.
        gc.freeze()
