"""Load and validate the curated files, ``models.yaml`` and ``licenses.yaml``.

The shipped files are read first; a user folder (``--data DIR`` or ``MODELCAT_DATA``) may hold
its own ``models.yaml``/``licenses.yaml`` whose entries replace shipped entries with the same id.
Every problem is reported at once, each naming file, line, entry and field, so a user can fix a
file in one pass instead of one error per run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.errors import DataFileError, Problem
from catalog.paths import shipped_data_dir

MODELS_FILE = "models.yaml"
LICENSES_FILE = "licenses.yaml"
DATA_ENV = "MODELCAT_DATA"
MAX_PROBLEMS = 100
"""Problems listed in one report; the rest are counted."""


@dataclass(frozen=True)
class CuratedData:
    """The validated, merged contents of the curated files."""

    models: dict[str, Any]
    """Model id -> ``catalog.schema.ModelEntry``."""
    licenses: dict[str, Any]
    """License id -> ``catalog.schema.LicenseEntry``."""
    digest: str
    """Content hash of every file that went in; the store rebuilds when it changes."""
    files: tuple[Path, ...]


def data_dirs(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders to read, shipped first, then the user's overlay if any."""
    dirs = [shipped_data_dir()]
    overlay = data_dir if data_dir is not None else os.environ.get(DATA_ENV) or None
    if overlay is not None:
        path = Path(overlay).expanduser()
        if not path.is_dir():
            raise DataFileError([Problem(str(path), None, None, None, "data folder not found")])
        if path.resolve() != dirs[0].resolve():
            dirs.append(path)
    return dirs


def curated_files(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every curated file that exists, in merge order."""
    files: list[Path] = []
    for folder in data_dirs(data_dir):
        for name in (LICENSES_FILE, MODELS_FILE):
            if (folder / name).is_file():
                files.append(folder / name)
    return files


def digest_of(files: list[Path]) -> str:
    """A cheap content hash of the curated files (no YAML parsing), for staleness checks."""
    h = hashlib.sha256(b"modelcat-curated-v1\0")
    for path in files:
        h.update(str(path.name).encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def load_curated(data_dir: str | os.PathLike[str] | None = None) -> CuratedData:
    """Read, validate and merge the curated files.

    Args:
        data_dir: a folder whose files are merged over the shipped ones; defaults to
            ``$MODELCAT_DATA`` when set.

    Returns:
        The merged entries and their digest.

    Raises:
        DataFileError: listing every problem found, each with file, line, entry and field.
    """
    reader = CuratedReader(data_dir)
    models = {entry.id: entry for entry in reader.models()}
    reader.check()
    return CuratedData(
        models=models, licenses=reader.licenses, digest=reader.digest, files=reader.files
    )


class CuratedReader:
    """The curated files read as a stream: every license at once (they are few), then the
    models one at a time, so a 50 MB overlay never sits in memory whole.

    Iterate :meth:`models` once, then call :meth:`check`: problems are collected along the
    way (each model entry is validated, and its license looked up, as it is read).
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        """Read the licenses of every folder; a problem in them is reported by :meth:`check`.

        Raises:
            DataFileError: the overlay folder does not exist.
        """
        from catalog.schema import LicenseEntry

        self.folders = data_dirs(data_dir)
        self.files = tuple(curated_files(data_dir))
        self.digest = digest_of(list(self.files))
        self.problems = _Problems()
        self.licenses: dict[str, Any] = {}
        """License id -> ``catalog.schema.LicenseEntry``, overlay entries replacing shipped ones."""
        for folder in self.folders:
            path = folder / LICENSES_FILE
            if path.is_file():
                for entry in _entries(path, "licenses", LicenseEntry, self.problems):
                    self.licenses[entry.value.id] = entry.value
            elif folder == self.folders[0]:
                self.problems.add(Problem(str(path), None, None, None, "file not found"))

    def models(self) -> Iterator[Any]:
        """Each valid ``ModelEntry`` as it is read, shipped ones first: a later entry with the
        same id (from the overlay) replaces an earlier one."""
        from catalog.schema import ModelEntry
        from catalog.text import shown

        for folder in self.folders:
            path = folder / MODELS_FILE
            if not path.is_file():
                if folder == self.folders[0]:
                    self.problems.add(Problem(str(path), None, None, None, "file not found"))
                continue
            for entry in _entries(path, "models", ModelEntry, self.problems):
                model = entry.value
                if model.license in self.licenses:
                    yield model
                    continue
                why = f"unknown license id {shown(model.license)} (not in {LICENSES_FILE})"
                self.problems.add(Problem(str(path), entry.license_line, model.id, "license", why))

    def check(self) -> None:
        """Raise what was found wrong so far.

        Raises:
            DataFileError: listing every problem, each with file, line, entry and field.
        """
        if self.problems:
            raise DataFileError(self.problems.listed())


class _Problems:
    """Problems found so far; past :data:`MAX_PROBLEMS` only counted, so a broken 50 MB file
    costs neither memory nor a screenful per entry."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, problem: Problem) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem)
        else:
            self.more += 1

    def listed(self) -> list[Problem]:
        if not self.more:
            return self.items
        last = self.items[-1].file
        return [
            *self.items,
            Problem(last, None, None, None, f"{self.more} more problems not shown"),
        ]


@dataclass(frozen=True)
class _Located:
    value: Any
    line: int | None
    license_line: int | None


def _entries(path: Path, key: str, schema: Any, problems: _Problems) -> Iterator[_Located]:
    """Validate each entry of the list under ``key``, read one at a time; record problems."""
    import yaml

    from catalog._yaml_lines import DATA_FILE, LimitError, TopLevelError, error_line, stream_list

    name = str(path)
    seen: dict[str, int | None] = {}
    try:
        for item in stream_list(path, key, limits=DATA_FILE):
            located = _entry(name, key, schema, item, seen, problems)
            if located is not None:
                yield located
    except TopLevelError as exc:
        problems.add(Problem(name, exc.line, None, key, exc.problem))
    except LimitError as exc:
        problems.add(Problem(name, error_line(exc), None, None, str(exc.problem)))
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
        problems.add(Problem(name, error_line(exc), None, None, f"YAML syntax error: {reason}"))
    except UnicodeDecodeError as exc:
        problems.add(Problem(name, None, None, None, f"not UTF-8 text: {exc.reason}"))
    except OSError as exc:
        problems.add(Problem(name, None, None, None, f"cannot read: {exc.strerror or exc}"))


def _entry(
    name: str,
    key: str,
    schema: Any,
    item: Any,
    seen: dict[str, int | None],
    problems: _Problems,
) -> _Located | None:
    from pydantic import ValidationError

    from catalog.text import shown

    index, position, raw = item.index, item.position, item.value
    line = index.line_of((key, position))
    for dup in index.duplicate_keys:
        problems.add(Problem(name, dup.line, dup.entry, dup.key, "duplicate key"))
    entry_id = raw.get("id") if isinstance(raw, dict) else None
    label = shown(entry_id).strip("'") if entry_id is not None else f"#{position + 1}"
    if not isinstance(raw, dict):
        problems.add(Problem(name, line, label, None, "entry must be a mapping"))
        return None
    if isinstance(entry_id, str) and entry_id in seen:
        first = seen[entry_id]
        problems.add(
            Problem(name, line, label, "id", f"duplicate id (first defined at line {first})")
        )
        return None
    try:
        value = schema.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.add(
                Problem(
                    name,
                    index.line_of((key, position, *loc)) or line,
                    label,
                    ".".join(str(p) for p in loc) or None,
                    _friendly(err),
                )
            )
        return None
    if index.duplicate_keys:
        return None
    if isinstance(entry_id, str):
        seen[entry_id] = line
    return _Located(value, line, index.line_of((key, position, "license")))


_COUNT_EXAMPLE = "write the full integer, e.g. 7000000000"
_NUMBER_EXAMPLES = {
    "context_length": "write the window in tokens as a full integer, e.g. 4096 or 131072",
    "mau_limit": "write the full integer, e.g. 700000000",
    **dict.fromkeys(
        ("input_per_mtok", "output_per_mtok", "training_per_mtok"),
        "write dollars per million tokens, e.g. 2.5",
    ),
}
"""How to write a number, per field; parameter counts otherwise (the usual mistake: ``7B``)."""


def _friendly(err: Any) -> str:
    """Turn a pydantic error into a sentence a data curator understands."""
    from catalog.text import clip, shown

    kind = err["type"]
    value = shown(err.get("input"))
    field = str(err["loc"][-1]) if err["loc"] else ""
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see catalog/schema.py)"
    if kind in {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"}:
        return f"not a number: {value} ({_NUMBER_EXAMPLES.get(field, _COUNT_EXAMPLE)})"
    if kind in {"greater_than", "greater_than_equal"}:
        return f"must be positive, got {value}"
    if kind.startswith(("date", "datetime")):
        return f"bad date {value} (expected YYYY-MM-DD)"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        noun = "access mode" if field == "access" else field.replace("_", " ") or "value"
        return f"unknown {noun} {value} (expected {expected})"
    if kind == "string_pattern_mismatch" and field != "id":
        return f"not an http(s) URL: {value}"
    message = str(err["msg"])
    return clip(message.removeprefix("Value error, "))
