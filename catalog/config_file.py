"""The user's modelcat config file: folders ``modelcat local`` searches besides the HF cache.

``$MODELCAT_CONFIG`` names the file; otherwise ``<user config dir>/modelcat/config.yaml``
(platformdirs) is read when it exists. The file is small YAML::

    paths:
      - ~/models
      - ~/.lmstudio/models   # LM Studio: publisher/repo/file.gguf

Relative paths are relative to the file's folder. Anything else in the file is an error that
names the file, the line and what is wrong, so a typo never goes unnoticed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.errors import UsageError
from catalog.text import shown

CONFIG_ENV = "MODELCAT_CONFIG"
KNOWN_KEYS = ("paths",)


@dataclass(frozen=True)
class UserConfig:
    """What the config file says (empty when there is none)."""

    paths: tuple[Path, ...] = ()
    source: Path | None = None
    """The file read, or None when none exists."""


def config_path() -> Path:
    """``$MODELCAT_CONFIG``, else ``config.yaml`` in the user config folder (not created)."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_config_path

    return Path(user_config_path("modelcat", appauthor=False)) / "config.yaml"


def load_config(path: Path | None = None) -> UserConfig:
    """Read and validate the config file.

    Args:
        path: the file; defaults to ``config_path()``.

    Returns:
        The settings; an empty ``UserConfig`` when the default file does not exist.

    Raises:
        UsageError: a file named by ``$MODELCAT_CONFIG`` (or ``path``) is missing, or the
            file is not valid YAML or not of the expected shape (file and line given).
    """
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    file = path or config_path()
    if not file.exists():
        if explicit:
            raise UsageError(f"config file {file} not found (named by ${CONFIG_ENV})")
        return UserConfig()
    import yaml

    from catalog._yaml_lines import SMALL_FILE, LimitError, at_line, load_with_lines
    from catalog.text import clip, printable

    try:
        data, index = load_with_lines(file, limits=SMALL_FILE)
    except OSError as exc:
        raise UsageError(f"cannot read the config file {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"config file {file} is not UTF-8 text: {exc.reason}") from None
    except LimitError as exc:
        raise UsageError(f"config file {file}{at_line(exc)}: refused: {exc.problem}") from None
    except yaml.YAMLError as exc:
        reason = printable(clip(str(exc)))
        raise UsageError(f"config file {file} is not valid YAML: {reason}") from None

    def problem(where: tuple[str | int, ...], message: str) -> UsageError:
        line = index.line_of(where)
        at = f"{file}:{line}" if line else str(file)
        return UsageError(f"config file {at}: {message}")

    if data is None:
        return UserConfig(source=file)
    if not isinstance(data, dict):
        raise problem((), "expected a mapping with a 'paths' list at the top level")
    for key in data:
        if key not in KNOWN_KEYS:
            raise problem((str(key),), f"unknown key {shown(key)} (known: {', '.join(KNOWN_KEYS)})")
    return UserConfig(paths=_paths(data.get("paths"), file, problem), source=file)


def _paths(value: Any, file: Path, problem: Any) -> tuple[Path, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise problem(("paths",), "'paths' must be a list of folders")
    out: list[Path] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise problem(("paths", i), f"paths[{i}] must be a folder path, not {shown(item)}")
        folder = Path(os.path.expandvars(item.strip())).expanduser()
        out.append(folder if folder.is_absolute() else file.parent / folder)
    return tuple(out)


MAX_JSON_BYTES = 4 * 1024 * 1024
"""A config.json larger than this is not a config file; it is refused before it is read."""
MAX_JSON_DIGITS = 40
"""Integers of more digits are no architecture number (and Python would refuse past 4300)."""


class JsonFileError(ValueError):
    """A JSON file (a model's config.json) that cannot be used; the message says why and where."""


def read_json_object(
    path: str | os.PathLike[str], *, what: str = "config", max_bytes: int = MAX_JSON_BYTES
) -> dict[str, Any]:
    """Read a JSON file that must hold an object, whatever the file turns out to be.

    Only a regular file is read (a FIFO or a device would block or never end), at most
    ``max_bytes``; NaN and Infinity, integers of more than :data:`MAX_JSON_DIGITS` digits and
    nesting deeper than Python can parse are errors with the line, never a traceback.

    Args:
        what: what the file is, for the messages (``config``).

    Raises:
        JsonFileError: any of these, or the file cannot be opened or is not a JSON object.
    """
    import json

    from catalog._yaml_lines import open_regular

    where = f"{what} {str(path)!r}"
    try:
        with open_regular(Path(path)) as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as exc:
        raise JsonFileError(f"cannot read {where}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise JsonFileError(f"{where} is larger than {max_bytes} bytes: not a config file")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_int=_bounded_int)
    except UnicodeDecodeError as exc:
        raise JsonFileError(f"{where} cannot be read as JSON: not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise JsonFileError(
            f"{where} is not JSON (cannot be read as JSON): {exc.msg} at line {exc.lineno}"
        ) from None
    except ValueError as exc:
        raise JsonFileError(f"{where} cannot be read as JSON: {exc}") from None
    except RecursionError:
        raise JsonFileError(f"{where} is nested too deeply to be a config file") from None
    if not isinstance(data, dict):
        raise JsonFileError(
            f"{where} must be a JSON object (not a JSON object: {type(data).__name__})"
        )
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a config can hold")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits is no config number")
    return int(text)
