"""``modelcat license policy save|list|show|delete``: team policies kept in the shared store.

``modelcat license check --policy NAME`` then uses a saved policy as it would a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalog.cli.common import FormatOpt, err, open_catalog
from catalog.errors import UsageError
from catalog.render import Column, Format, emit
from catalog.units import plural

policy_app = typer.Typer(
    help="License policies saved in the store under a name, shared by everyone using it.",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The policy's name.")]


@policy_app.command("save")
def save(
    ctx: typer.Context,
    name: NameArg,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A policy YAML (see `license check --policy`).")
    ],
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate a policy file and save it under NAME (replacing a policy of that name)."""
    from catalog.licenses.policy import load_policy

    cat = open_catalog(ctx)
    # Validated as a file first, so problems cite the file and its lines.
    load_policy(file, licenses={entry.id: entry for entry in cat.licenses()})
    saved = cat.save_policy(name, file.read_text(encoding="utf-8"))
    if fmt is Format.json:
        emit([], [], fmt, json_payload=saved.to_json())
    else:
        err(
            f"saved policy {saved.name!r} (use it with: modelcat license check --policy {saved.name})"
        )


@policy_app.command("list")
def list_policies(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The saved policies: name, intended use and when each was saved."""
    from catalog.saved_policies import parse_policy_text

    cat = open_catalog(ctx)
    licenses = {entry.id: entry for entry in cat.licenses()}
    rows = []
    for saved in cat.saved_policies():
        try:
            use = parse_policy_text(saved.text, name=saved.name, licenses=licenses).use.to_json()
        except UsageError:
            use = None  # no longer valid against today's licenses; `show` says why
        rows.append({**saved.to_json(), "use": use})
    emit(
        rows,
        [
            Column("name", lambda r: r["name"]),
            Column("use", lambda r: _use_text(r["use"])),
            Column("saved", lambda r: r["updated_at"][:19].replace("T", " ")),
        ],
        fmt,
        json_payload=rows,
        title=plural(len(rows), "saved policy", "saved policies"),
    )


@policy_app.command("show")
def show(ctx: typer.Context, name: NameArg, fmt: FormatOpt = Format.table) -> None:
    """A saved policy's YAML as saved (JSON: with the parsed intended use and license lists)."""
    from catalog.saved_policies import load_policy_named

    cat = open_catalog(ctx)
    saved = cat.saved_policy(name)
    if saved is None:
        raise UsageError(f"no saved policy named {name!r}")
    if fmt is not Format.json:
        typer.echo(saved.text.rstrip("\n"))
        return
    policy = load_policy_named(cat, saved.name)
    allow = sorted(policy.allow_licenses) if policy.allow_licenses is not None else None
    emit([], [], fmt, json_payload={
        **saved.to_json(), "use": policy.use.to_json(),
        "allow_licenses": allow, "deny_licenses": sorted(policy.deny_licenses),
    })  # fmt: skip


@policy_app.command("delete")
def delete(ctx: typer.Context, name: NameArg) -> None:
    """Remove a saved policy."""
    cat = open_catalog(ctx)
    if not cat.delete_policy(name):
        raise UsageError(f"no saved policy named {name!r}")
    err(f"deleted policy {name!r}")


def _use_text(use: dict[str, object] | None) -> str:
    if use is None:
        return "(invalid now: see `license policy show`)"
    parts = [str(use["use"])]
    if use.get("mau") is not None:
        parts.append(f"{use['mau']:,} MAU")
    parts += [
        key.replace("_", " ") for key in ("modify", "train_on_outputs", "host_api") if use.get(key)
    ]
    if use.get("distribute") not in (None, "none"):
        parts.append(f"distribute {use['distribute']}")
    return ", ".join(parts)
