"""``modelcat shortlist``: the ranked shortlist, and ``list|show|delete`` for saved ones.

``shortlist --save NAME`` stores a shortlist in the store; these subcommands manage them as
``license policy`` manages saved policies.
"""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.cli import models_cmd
from catalog.cli.common import FormatOpt, err, open_catalog
from catalog.columns import MODEL_COLUMNS
from catalog.errors import UsageError
from catalog.render import Column, Format, emit
from catalog.units import plural

shortlist_app = typer.Typer(invoke_without_command=True)
shortlist_app.callback()(models_cmd.shortlist)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The saved shortlist's name.")]


@shortlist_app.command("list")
def list_saved(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The saved shortlists: name, how many models, when and from which filters."""
    from catalog.cli.saved_shortlist import describe_query

    cat = open_catalog(ctx)
    saved = cat.saved_list_entries()
    emit(
        saved,
        [
            Column("name", lambda s: s.name),
            Column("models", lambda s: len(s.model_ids), "right"),
            Column("saved", lambda s: f"{s.updated_at:%Y-%m-%d %H:%M}"),
            Column("from", lambda s: describe_query(s.query) or "hand-picked"),
        ],
        fmt,
        json_payload=[s.to_json() for s in saved],
        csv_from_json=True,
        title=plural(len(saved), "saved shortlist"),
    )
    if not saved and fmt is Format.table:
        err("Save one with `modelcat shortlist ... --save NAME`.")


@shortlist_app.command("show")
def show_saved(ctx: typer.Context, name: NameArg, fmt: FormatOpt = Format.table) -> None:
    """The models of a saved shortlist, in saved order (as `shortlist --load NAME`)."""
    from catalog.cli.saved_shortlist import load_shortlist

    cat = open_catalog(ctx)
    models, title = load_shortlist(cat, name, fmt)
    emit(models, MODEL_COLUMNS, fmt, json_payload=[m.to_json() for m in models], title=title,
         csv_from_json=True)  # fmt: skip


@shortlist_app.command("delete")
def delete_saved(ctx: typer.Context, name: NameArg) -> None:
    """Remove a saved shortlist."""
    cat = open_catalog(ctx)
    if not cat.delete_list(name):
        names = ", ".join(cat.saved_lists()) or "none"
        raise UsageError(f"no saved shortlist named {name!r} (saved: {names})")
    err(f"deleted shortlist {name!r}")
