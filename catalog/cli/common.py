"""What every command shares: global settings, the catalog it opens, options and errors."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from catalog.errors import CatalogError, DataFileError, exit_code_for
from catalog.render import Format, silence_stdout
from catalog.units import plural

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.licenses import IntendedUse


@dataclass
class Settings:
    """Options given before the command (``modelcat --db URL list``)."""

    db: str | None = None
    data: str | None = None


class ModelcatGroup(TyperGroup):
    """Turns every ``CatalogError`` into a one-line message on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader of stdout has gone (`modelcat list -f jsonl | head`): not an error,
            # and nothing more can be said there. Click would exit 1, a failed verdict here.
            silence_stdout()
            raise typer.Exit(0) from None
        except CatalogError as exc:
            report_error(exc)
            raise typer.Exit(int(exit_code_for(exc))) from None
        except Exception as exc:
            # A database that refuses a write (full disk, read-only file) is a located line.
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(exc, SQLAlchemyError):
                raise
            from catalog.paths import default_db_url, to_db_url
            from catalog.store.engine import storage_error

            db = settings(ctx).db
            error = storage_error(exc, to_db_url(db) if db else default_db_url())
            report_error(error)
            raise typer.Exit(int(exit_code_for(error))) from None


def report_error(exc: CatalogError) -> None:
    """Print ``exc`` for a human: every data-file problem on its own line."""
    if isinstance(exc, DataFileError):
        err(f"modelcat: {plural(len(exc.problems), 'problem')} in the curated data:")
        for problem in exc.problems:
            err(f"  {problem}")
    else:
        err(f"modelcat: {exc}")


def err(message: str) -> None:
    """A diagnostic line on stderr (stdout is for data); data in it cannot drive the terminal."""
    from catalog.text import printable

    print(printable(message, keep_layout=True), file=sys.stderr)


def settings(ctx: typer.Context) -> Settings:
    """The global settings, wherever the command sits in the group tree."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def open_catalog(ctx: typer.Context) -> Catalog:
    """Open the catalog named by ``--db``/``--data`` (or their environment variables)."""
    from catalog.api import Catalog

    s = settings(ctx)
    cat = Catalog.open(s.db, data_dir=s.data)
    if cat.recovered_from:
        err(f"modelcat: the database was corrupt; moved it to {cat.recovered_from} and rebuilt it")
    ctx.call_on_close(cat.close)
    return cat


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]


class ListingFormat(StrEnum):
    """Output formats of the model listings (``list``, ``shortlist``, ``export``): every
    command's, and JSON Lines (one model per line, for pipelines)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"

    @property
    def streamed(self) -> bool:
        """Written model by model as the store is read (JSON, JSON Lines, CSV)."""
        return self in (ListingFormat.json, ListingFormat.jsonl, ListingFormat.csv)

    def plain(self) -> Format:
        """The format of every command this one is (JSON for JSON Lines)."""
        return Format.json if self is ListingFormat.jsonl else Format(self.value)


ListingFormatOpt = Annotated[
    ListingFormat,
    typer.Option(
        "--format", "-f", help="Output format (jsonl: one model per line).", case_sensitive=False
    ),
]
CompactOpt = Annotated[
    bool,
    typer.Option(
        "--compact",
        help="Compact JSON on a terminal too (JSON to a pipe or a file always is; a terminal "
        "gets it indented).",
    ),
]
FamilyOpt = Annotated[
    list[str] | None,
    typer.Option("--family", help="Model family, e.g. 'Llama 2' or llama-2 (repeatable)."),
]
LicenseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--license",
        help="License: catalog id, SPDX id, ScanCode key or Hub tag (llama2, Apache-2.0, "
        "llama-2-license-2023; repeatable).",
    ),
]
AccessOpt = Annotated[
    list[str] | None,
    typer.Option("--access", help="Access mode: open, gated, request, api (repeatable)."),
]
TunableOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tunable",
        help="Tuning method that must be possible: full, lora, qlora, prompt-tuning, api-finetune.",
    ),
]
CommercialOpt = Annotated[
    bool, typer.Option("--commercial", help="Only licenses that allow commercial use.")
]
MauOpt = Annotated[
    str | None,
    typer.Option(
        "--mau",
        help="Monthly active users of your product (900M, 1.5B): licenses must allow commercial "
        "use at that many users.",
    ),
]
MinParamsOpt = Annotated[
    str | None, typer.Option("--min-params", help="At least this many parameters (350M, 8B).")
]
MaxParamsOpt = Annotated[
    str | None, typer.Option("--max-params", help="At most this many parameters (350M, 8B).")
]
SearchOpt = Annotated[
    str | None, typer.Option("--search", "-s", help="Text in id, name, family or publisher.")
]
TierOpt = Annotated[
    list[str] | None,
    typer.Option("--tier", help="curated (reviewed) or hub (discovered on the Hub)."),
]
SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        help="Sort key with optional direction: params, params:desc, release_date, score, ...",
    ),
]
TopOpt = Annotated[int | None, typer.Option("--top", "-n", min=1, help="Show at most N models.")]


class UseChoice(StrEnum):
    commercial = "commercial"
    research = "research"
    personal = "personal"


class DistributeChoice(StrEnum):
    none = "none"
    weights = "weights"
    derivatives = "derivatives"


# The intended use, declared once for `shortlist`, `license check` and `advise`.
UseOpt = Annotated[
    UseChoice | None,
    typer.Option("--use", help="The kind of use (default: commercial).", case_sensitive=False),
]
ModifyOpt = Annotated[
    bool, typer.Option("--modify", help="You will fine-tune or otherwise change the weights.")
]
DistributeOpt = Annotated[
    DistributeChoice | None,
    typer.Option(
        "--distribute",
        help="You will redistribute the original weights or derived (fine-tuned) weights.",
        case_sensitive=False,
    ),
]
TrainOnOutputsOpt = Annotated[
    bool | None,
    typer.Option(
        "--train-on-outputs", help="You will use the model's outputs to train another model."
    ),
]
HostApiOpt = Annotated[
    bool | None,
    typer.Option(
        "--host-api",
        help="You will offer the model itself to third parties as an inference or fine-tuning "
        "service.",
    ),
]


def intended_use(
    *,
    use: UseChoice | None,
    mau: str | None,
    modify: bool,
    distribute: DistributeChoice | None,
    train_on_outputs: bool | None,
    host_api: bool | None,
) -> IntendedUse:
    """The intended use the flags describe (commercial, nothing else, when none is given)."""
    from catalog.licenses import IntendedUse

    return IntendedUse.from_options(
        use=(use or UseChoice.commercial).value,
        mau=mau,
        modify=modify,
        distribute=(distribute or DistributeChoice.none).value,
        train_on_outputs=bool(train_on_outputs),
        host_api=bool(host_api),
    )
