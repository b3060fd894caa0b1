"""Turn the many spellings of a license into our license ids.

Model cards, SPDX documents and scanners name the same license differently: the Hub tag
``llama2`` (or ``other`` plus a ``license_name``), the SPDX id ``Apache-2.0``, the ScanCode key
``llama-2-license-2023`` or its SPDX form ``LicenseRef-scancode-llama-2-license-2023``. Our own
table (``hub_id``, ``hub_license_name``, ``spdx`` and ``scancode_key`` in ``data/licenses.yaml``)
covers what we curate; the ScanCode LicenseDB index shipped with ``license-expression`` folds
every other SPDX spelling (``LicenseRef-Apache-2.0``, case variants) onto a ScanCode key first.

Building the ScanCode index costs a few tens of milliseconds (2,500+ symbols and an
Aho-Corasick automaton on first parse), so it is built lazily, once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.schema import LicenseEntry

UNKNOWN_LICENSE = "unknown"
"""The license id of a model whose license nobody could tell (a Hub repo without a known tag)."""
_SCANCODE_REF = "licenseref-scancode-"
_AMBIGUOUS_HUB_IDS = frozenset({"other", "unknown"})
"""Hub tags that name no license on their own."""


@dataclass(frozen=True)
class LicenseIdentifiers:
    """Lookup tables from every identifier our license entries declare to their ids."""

    ids: dict[str, str] = field(default_factory=dict)
    hub_ids: dict[str, str] = field(default_factory=dict)
    hub_license_names: dict[str, str] = field(default_factory=dict)
    spdx: dict[str, str] = field(default_factory=dict)
    scancode_keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_licenses(cls, licenses: Mapping[str, LicenseEntry]) -> LicenseIdentifiers:
        """Index the identifiers of ``licenses`` (case-insensitive; first entry wins on a clash)."""
        tables = cls()
        for entry in licenses.values():
            tables.ids.setdefault(entry.id.lower(), entry.id)
            if entry.hub_id and entry.hub_id.lower() not in _AMBIGUOUS_HUB_IDS:
                tables.hub_ids.setdefault(entry.hub_id.lower(), entry.id)
            if entry.hub_license_name:
                tables.hub_license_names.setdefault(entry.hub_license_name.lower(), entry.id)
            if entry.spdx:
                tables.spdx.setdefault(entry.spdx.lower(), entry.id)
            if entry.scancode_key:
                tables.scancode_keys.setdefault(entry.scancode_key.lower(), entry.id)
        return tables

    def resolve(self, identifier: str | None, *, license_name: str | None = None) -> str | None:
        """Our license id for ``identifier``, or ``None`` when nothing matches.

        Args:
            identifier: a license id, Hub tag, SPDX id, ScanCode key or ``LicenseRef-scancode-<key>``.
            license_name: the card's ``license_name``; used when ``identifier`` is ``other``.
        """
        text = (identifier or "").strip()
        lowered = text.lower()
        if lowered == "other":
            return self.resolve(license_name) if license_name else None
        if not lowered or lowered in _AMBIGUOUS_HUB_IDS:
            return None
        for table in (
            self.ids,
            self.hub_ids,
            self.hub_license_names,
            self.spdx,
            self.scancode_keys,
        ):
            if lowered in table:
                return table[lowered]
        if lowered.startswith(_SCANCODE_REF):
            # Keys newer than the bundled index (qwen-2024) are still ours if we list them.
            found = self.scancode_keys.get(lowered.removeprefix(_SCANCODE_REF))
            if found is not None:
                return found
        key = scancode_key(text)
        if key is None:
            return None
        if key in self.scancode_keys:
            return self.scancode_keys[key]
        spdx_id = _scancode_index().spdx_by_key.get(key)
        return self.spdx.get(spdx_id.lower()) if spdx_id else None

    def require(self, identifier: str) -> str:
        """Our license id for ``identifier`` in any spelling :meth:`resolve` accepts.

        Raises:
            UnknownLicenseError: nothing matches; the closest identifiers are suggested.
        """
        import difflib

        from catalog.errors import UnknownLicenseError

        lowered = identifier.strip().lower()
        # Our own ids first: ``unknown`` is one, though as a Hub tag it names no license.
        found = self.ids.get(lowered) or self.resolve(identifier)
        if found is not None:
            return found
        known = [
            *self.ids,
            *self.hub_ids,
            *self.spdx,
            *self.scancode_keys,
            *self.hub_license_names,
        ]
        close = difflib.get_close_matches(lowered, known, n=5, cutoff=0.6)
        raise UnknownLicenseError(identifier, list(dict.fromkeys(close)))


def normalize_license_id(
    identifier: str | None,
    *,
    licenses: Mapping[str, LicenseEntry],
    license_name: str | None = None,
) -> str | None:
    """Our license id for any spelling of a license, or ``None`` when unknown.

    Args:
        identifier: ``llama2``, ``Apache-2.0``, ``llama-2-license-2023``,
            ``LicenseRef-scancode-gemma-tou-2024-04-01``, ``other`` (with ``license_name``), ...
        licenses: the license table (license id -> entry).
        license_name: the Hub card's ``license_name`` when ``identifier`` is ``other``.

    Example:
        >>> normalize_license_id("Apache-2.0", licenses=licenses)
        'apache-2.0'
    """
    return LicenseIdentifiers.from_licenses(licenses).resolve(identifier, license_name=license_name)


def scancode_key(identifier: str) -> str | None:
    """The ScanCode LicenseDB key for a single license identifier, or ``None``.

    Accepts ScanCode keys, SPDX ids and their aliases (``LicenseRef-scancode-<key>``,
    ``LicenseRef-Apache-2.0``), in any case. Expressions (``MIT OR Apache-2.0``) give ``None``.
    """
    from license_expression import ExpressionError, LicenseSymbol, ParseError

    index = _scancode_index()
    try:
        parsed = index.licensing.parse(identifier, validate=False)
    except (ExpressionError, ParseError):
        return None
    if type(parsed) is not LicenseSymbol:
        return None
    key = str(parsed.key).lower()
    return key if key in index.spdx_by_key else None


@dataclass(frozen=True)
class _ScancodeIndex:
    licensing: Any
    """A ``license_expression.Licensing`` keyed by ScanCode key, SPDX ids as aliases."""
    spdx_by_key: dict[str, str]
    """ScanCode key -> its SPDX id (``LicenseRef-scancode-<key>`` when not on the SPDX list)."""


@functools.cache
def _scancode_index() -> _ScancodeIndex:
    from collections import Counter

    from license_expression import LicenseSymbol, Licensing, get_license_index

    entries = get_license_index()
    keys = {str(e["license_key"]).lower() for e in entries}

    def aliases_of(entry: dict[str, Any]) -> list[str]:
        names = [entry.get("spdx_license_key"), *(entry.get("other_spdx_license_keys") or [])]
        return [str(n) for n in names if n]

    # The index has a few aliases that equal another key or are claimed twice; Licensing rejects
    # those, and an ambiguous alias could not name one license anyway.
    claims = Counter(a.lower() for e in entries for a in {x.lower() for x in aliases_of(e)})
    symbols = []
    for entry in entries:
        aliases = tuple(
            dict.fromkeys(
                a for a in aliases_of(entry) if a.lower() not in keys and claims[a.lower()] == 1
            )
        )
        symbols.append(
            LicenseSymbol(
                key=entry["license_key"],
                aliases=aliases,
                is_exception=bool(entry.get("is_exception")),
            )
        )
    spdx_by_key = {
        str(e["license_key"]).lower(): str(e.get("spdx_license_key") or "") for e in entries
    }
    return _ScancodeIndex(licensing=Licensing(symbols), spdx_by_key=spdx_by_key)
