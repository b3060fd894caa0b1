"""``modelcat db info``, ``db rebuild``, ``db upgrade`` and ``db copy``."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from catalog.cli.common import FormatOpt, err, open_catalog, settings
from catalog.render import Column, Format, emit

db_app = typer.Typer(
    help="Where the store is, what it holds; rebuild, upgrade or copy it.",
    no_args_is_help=True,
)


@db_app.command("info")
def info(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Show where the database is, what it holds and its schema revision."""
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


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Bring the store's schema to this modelcat's revision (Alembic migrations; nothing is dropped).

    Every command does this on its own when the store is behind; this one says what it did.
    """
    from catalog.store.upgrade import HEAD_REVISION

    before = _revision_before(_url(ctx))
    cat = open_catalog(ctx)
    after = cat.info().schema_revision
    payload = {
        "before": before,
        "after": after,
        "upgraded": before != after,
        "head": HEAD_REVISION,
    }
    if fmt is Format.json:
        emit([], [], fmt, json_payload=payload)
    elif before == after:
        print(f"The store is already at schema revision {after}.")
    else:
        print(f"Upgraded the store from schema revision {before or '(none)'} to {after}.")


@db_app.command("copy")
def copy(
    source: Annotated[
        str, typer.Option("--from", help="The store to copy: a SQLAlchemy URL or a SQLite file.")
    ],
    target: Annotated[
        str, typer.Option("--to", help="The store to write: a SQLAlchemy URL or a SQLite file.")
    ],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Overwrite a target that holds data of its own (sync, benchmarks...)."
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", help="With --replace: delete the target's benchmarks and saved items unasked."
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Copy a whole catalog between stores (SQLite <-> PostgreSQL), every table, nothing lost.

    The source is only read: it must be an existing modelcat store with models in it.

    Example: modelcat db copy --from ~/.local/share/modelcat/modelcat.db
    --to postgresql+psycopg://team@db/modelcat
    """
    import sys

    from catalog.paths import to_db_url
    from catalog.store.copy import copy_store

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            return False
        return typer.confirm(f"{question}. Go ahead?", default=False, err=True)

    report = copy_store(
        source=to_db_url(source), target=to_db_url(target), replace=replace, confirm=confirm
    )
    if fmt is Format.json:
        emit([], [], fmt, json_payload=report.to_json())
        return
    emit(
        list(report.tables.items()),
        [Column("table", lambda r: r[0]), Column("rows", lambda r: r[1], "right")],
        fmt,
        title=f"copied {report.rows} rows",
    )
    if fmt is Format.table:
        err(f"from {report.source}\nto   {report.target}")


def _url(ctx: typer.Context) -> str:
    from catalog.paths import default_db_url, to_db_url

    db = settings(ctx).db
    return to_db_url(db) if db is not None else default_db_url()


def _revision_before(url: str) -> str | None:
    """The store's revision before any upgrade (None: new, pre-Alembic or unreadable)."""
    from sqlalchemy.exc import DBAPIError

    from catalog.errors import StorageError
    from catalog.store.engine import make_engine
    from catalog.store.upgrade import current_revision

    try:
        engine = make_engine(url)
    except StorageError:
        return None  # open_catalog reports it
    try:
        with engine.connect() as conn:
            return current_revision(conn)
    except DBAPIError:
        return None
    finally:
        engine.dispose()
