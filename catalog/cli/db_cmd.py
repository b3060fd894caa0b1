"""``modelcat db info`` and ``modelcat db rebuild``."""

from __future__ import annotations

import dataclasses

import typer

from catalog.cli.common import FormatOpt, open_catalog
from catalog.render import Column, Format, emit

db_app = typer.Typer(
    help="Where the store is, what it holds; rebuild it from the curated files.",
    no_args_is_help=True,
)


@db_app.command("info")
def info(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Show where the database is and what it holds."""
    cat = open_catalog(ctx)
    data = dataclasses.asdict(cat.info())
    data["curated_files"] = list(data["curated_files"])
    emit(
        list(data.items()),
        [Column("field", lambda r: r[0]), Column("value", lambda r: r[1])],
        fmt,
        json_payload=data,
        title="store",
    )


@db_app.command("rebuild")
def rebuild(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Rebuild the curated part of the store from the YAML files now."""
    cat = open_catalog(ctx)
    cat.rebuild()
    info_data = cat.info()
    if fmt is Format.json:
        emit(
            [],
            [],
            fmt,
            json_payload={
                "rebuilt": True,
                "models": info_data.curated_models,
                "licenses": info_data.licenses,
            },
        )
    else:
        print(
            f"Rebuilt {info_data.curated_models} curated models and {info_data.licenses} licenses."
        )
