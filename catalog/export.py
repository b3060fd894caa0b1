"""Write a list of models (a shortlist) to a file as JSON, CSV or Markdown.

The same writers and columns as ``modelcat list --format``, so an exported shortlist reads like
the CLI's output.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from catalog.errors import UsageError

if TYPE_CHECKING:
    from catalog.domain import Model

ExportFormat = Literal["json", "csv", "md"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)


def export_models(models: Sequence[Model], *, fmt: ExportFormat, path: Path) -> Path:
    """Write ``models`` to ``path`` in ``fmt``; parent folders are created.

    Args:
        models: the models, in the order to write them.
        fmt: ``json`` (the full ``Model.to_json()`` documents), ``csv`` (the same documents
            flattened, exact figures) or ``md`` (the CLI columns, rounded for reading).
        path: the file to (over)write; ``~`` is expanded.

    Returns:
        The absolute path written.

    Raises:
        UsageError: an unknown format, or a path that cannot be written.
    """
    from catalog.columns import MODEL_COLUMNS
    from catalog.render import Format, emit

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    target = path.expanduser().resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as out:
            emit(
                models,
                MODEL_COLUMNS,
                Format(fmt),
                json_payload=[m.to_json() for m in models],
                csv_from_json=True,
                out=out,
            )
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


__all__ = ["EXPORT_FORMATS", "ExportFormat", "export_models"]
