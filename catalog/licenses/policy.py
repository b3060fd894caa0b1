"""Team policy files: an intended use plus allowed/denied licenses, kept in a repository for CI.

Example ``policy.yaml`` (every key but ``use`` is optional)::

    use: commercial            # commercial | research | personal
    mau: 900M                  # monthly active users (900M, 1.5B, 5000)
    modify: true               # you fine-tune or change the weights
    distribute: derivatives    # none | weights | derivatives
    train_on_outputs: false    # you train another model on its outputs
    host_api: false            # you offer the model itself as a hosted API
    allow_licenses: [apache-2.0, mit]   # anything else is forbidden
    deny_licenses: [llama2]             # always forbidden

The intended use may also be one mapping (``use: {use: commercial, mau: 900M}``), the form
``license policy show`` prints; the two forms are not mixed in one file.

License ids may be written in any spelling ``catalog.licenses.identifiers`` understands
(``Apache-2.0``, ``llama-2-license-2023``). Every problem is reported at once, with the file,
line and field.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from catalog.errors import UsageError
from catalog.licenses.compliance import DISTRIBUTIONS, USE_KINDS, IntendedUse, Reason, Verdict
from catalog.schema import LicenseEntry
from catalog.text import clip, shown

TOP_KEYS: tuple[str, ...] = ("use", "allow_licenses", "deny_licenses")
USE_KEYS: tuple[str, ...] = ("use", "mau", "modify", "distribute", "train_on_outputs", "host_api")
_BOOL_KEYS = ("modify", "train_on_outputs", "host_api")
MAX_PROBLEMS = 50
"""Problems listed in one message; the rest are counted."""

_Report = Callable[[tuple[str | int, ...], str], None]
"""Records one problem at a path of keys in the file."""


@dataclass(frozen=True)
class Policy:
    """A team's intended use and which license ids it allows or denies."""

    use: IntendedUse
    allow_licenses: frozenset[str] | None = None
    """When set, every license not listed is forbidden."""
    deny_licenses: frozenset[str] = frozenset()
    path: str | None = None
    """The file the policy came from, cited in policy reasons."""

    def apply(self, verdict: Verdict) -> Verdict:
        """``verdict``, made ``forbidden`` when one of its licenses is denied or not allowed."""
        where = f" ({self.path})" if self.path else ""
        blocked: list[Reason] = []
        for license_id in verdict.licenses or (verdict.license,):
            if license_id in self.deny_licenses:
                detail = f"license {license_id} is on the team policy's deny list{where}"
            elif self.allow_licenses is not None and license_id not in self.allow_licenses:
                detail = f"license {license_id} is not on the team policy's allow list{where}"
            else:
                continue
            blocked.append(Reason("policy", detail, self.path, "forbidden"))
        if not blocked:
            return verdict
        return replace(verdict, verdict="forbidden", reasons=[*blocked, *verdict.reasons])


def load_policy(path: str | os.PathLike[str], *, licenses: Mapping[str, LicenseEntry]) -> Policy:
    """Read and validate a policy file.

    Args:
        path: the YAML file.
        licenses: the license table, to check (and normalise) the listed license ids.

    Raises:
        UsageError: the file is missing or not valid YAML, or has unknown keys, bad values or
            unknown license ids; the message lists every problem with file, line and field.
    """
    import yaml

    from catalog._yaml_lines import SMALL_FILE, LimitError, at_line, load_with_lines
    from catalog.text import printable

    file = Path(path)
    name = str(path)
    if not file.exists():
        raise UsageError(f"policy file {name} not found")
    try:
        data, index = load_with_lines(file, limits=SMALL_FILE)
    except LimitError as exc:
        raise UsageError(f"{name}{at_line(exc)}: policy file refused: {exc.problem}") from None
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
        raise UsageError(
            f"{name}{at_line(exc)}: policy file is not valid YAML: {printable(clip(str(reason)))}"
        ) from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: policy file is not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise UsageError(f"cannot read policy file {name}: {exc.strerror or exc}") from None

    problems: list[str] = []

    def problem(where: tuple[str | int, ...], message: str) -> None:
        line = index.line_of(where)
        location = f"{name}:{line}" if line is not None else name
        field = clip(".".join(str(p) for p in where), 80)
        text = f"{location}: field {field!r}: {message}" if field else f"{location}: {message}"
        problems.append(printable(clip(text, 300)))

    for dup in index.duplicate_keys:
        problems.append(printable(f"{name}:{dup.line}: field {clip(dup.key, 80)!r}: duplicate key"))
    if not isinstance(data, dict):
        raise UsageError(f"{name}:1: a policy file must be a mapping with a 'use:' section")
    use = _read_use(data, problem)
    allow = _read_ids(data, "allow_licenses", licenses, problem)
    deny = _read_ids(data, "deny_licenses", licenses, problem) or frozenset()
    for both in sorted((allow or frozenset()) & deny):
        problem(("deny_licenses",), f"license {shown(both)} is both allowed and denied")
    if problems or use is None:
        shown_problems = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown_problems.append(f"{len(problems) - MAX_PROBLEMS} more problems not shown")
        raise UsageError("invalid policy file:\n  " + "\n  ".join(shown_problems))
    return Policy(use=use, allow_licenses=allow, deny_licenses=deny, path=name)


def _read_use(data: dict[Any, Any], problem: _Report) -> IntendedUse | None:
    """The intended use, from a ``use:`` mapping or from keys at the top level (flat form)."""
    from catalog.units import parse_count

    nested = isinstance(data.get("use"), dict)
    beside = [str(k) for k in data if k in USE_KEYS and k != "use"]
    allowed = TOP_KEYS if nested else (*TOP_KEYS, *USE_KEYS[1:])
    for key in data:
        if key in beside and nested:
            problem(
                (str(key),),
                f"sits beside a `use:` mapping: write it inside (use: {{use: ..., {key}: ...}}) "
                "or write `use: commercial` with every use key at the top level",
            )
        elif key not in allowed:
            problem((str(key),), f"unknown key (expected {', '.join(allowed)})")
    at: tuple[str, ...] = ("use",) if nested else ()
    if nested:
        raw = data["use"]
    elif "use" in data or beside:
        raw = {k: data[k] for k in USE_KEYS if k in data}
    else:
        problem(("use",), "missing required key: the intended use (e.g. `use: commercial`)")
        return None
    ok = True
    for key in raw if nested else ():
        if key not in USE_KEYS:
            problem((*at, str(key)), f"unknown key (expected {', '.join(USE_KEYS)})")
            ok = False
    values: dict[str, Any] = {}
    kind = raw.get("use", "commercial")
    if kind not in USE_KINDS:
        problem((*at, "use"), f"unknown use {shown(kind)} (expected {', '.join(USE_KINDS)})")
        ok = False
    values["use"] = kind
    distribute = raw.get("distribute", "none")
    if distribute not in DISTRIBUTIONS:
        problem(
            (*at, "distribute"),
            f"unknown distribution {shown(distribute)} (expected {', '.join(DISTRIBUTIONS)})",
        )
        ok = False
    values["distribute"] = distribute
    for key in _BOOL_KEYS:
        flag = raw.get(key, False)
        if not isinstance(flag, bool):
            problem((*at, key), f"expected true or false, got {shown(flag)}")
            ok = False
        values[key] = flag
    mau = raw.get("mau")
    if mau is not None:
        try:
            if isinstance(mau, bool) or not isinstance(mau, str | int):
                raise UsageError("invalid mau")
            values["mau"] = parse_count(mau, field="mau")
        except UsageError:
            problem((*at, "mau"), f"not a user count: {shown(mau)} (write e.g. 900M, 1.5B or 5000)")
            ok = False
    return IntendedUse(**values) if ok else None


def _read_ids(
    data: dict[str, Any], key: str, licenses: Mapping[str, LicenseEntry], problem: _Report
) -> frozenset[str] | None:
    from catalog.licenses.identifiers import LicenseIdentifiers

    if key not in data:
        return None
    raw = data[key]
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problem((key,), "expected a list of license ids")
        return None
    table = LicenseIdentifiers.from_licenses(licenses)
    found: set[str] = set()
    for position, item in enumerate(raw):
        resolved = table.resolve(item) if isinstance(item, str) else None
        if resolved is None:
            close = difflib.get_close_matches(clip(str(item), 80).lower(), list(licenses), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problem((key, position), f"unknown license id {shown(item)}{hint}")
            continue
        found.add(resolved)
    return frozenset(found)
