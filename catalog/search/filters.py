"""What a search asks for: the filters, the sort, and "fits this machine".

``Filters`` is what every front end hands the engine (``catalog.search.engine``): the CLI from its
flags, the TUI from its filter panel, Python callers through :func:`make_filters` or the keyword
arguments of ``Catalog.list``/``Catalog.shortlist`` (:class:`FilterArgs`). Values are checked when
built; license and family spellings are resolved by the engine, which knows the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, TypedDict

from catalog.errors import UsageError
from catalog.schema import ACCESS_MODES, TUNING_METHODS, VARIANTS

if TYPE_CHECKING:
    from catalog.fit.hardware import Hardware
    from catalog.licenses import IntendedUse

TIERS = ("curated", "hub")
SORT_KEYS = (
    "score",
    "id",
    "name",
    "family",
    "params",
    "active_params",
    "context_length",
    "release_date",
    "license",
    "access",
)
NULLABLE_SORT_KEYS = ("params", "active_params", "context_length", "release_date")
AUTO_DTYPES: tuple[str, ...] = ("bf16", "int8", "int4")
"""Tried in this order when no dtype is given: the most precise one that fits wins."""


@dataclass(frozen=True)
class FitQuery:
    """Keep models whose inference estimate fits ONE device of ``hardware``.

    Attributes:
        hardware: the machine (``catalog.fit.hardware.detect_hardware``, or a recorded one).
        dtype: a weight format; None for the most precise of bf16, int8, int4 that fits.
        context: tokens per sequence; None for 4096 capped by each model's maximum.
    """

    hardware: Hardware
    dtype: str | None = None
    context: int | None = None

    def __post_init__(self) -> None:
        from catalog.estimate import weight_format

        for dtype in self.dtypes:
            weight_format(dtype)  # an unknown dtype is a usage error here, not in SQL
        if self.context is not None and self.context <= 0:
            raise UsageError(f"`context` must be a positive number of tokens, got {self.context}")

    @property
    def dtypes(self) -> tuple[str, ...]:
        """The dtypes judged, most precise first."""
        return AUTO_DTYPES if self.dtype in (None, "auto") else (str(self.dtype),)

    @property
    def best_free_bytes(self) -> int:
        """The free memory of the best single device (a model fits when it needs no more)."""
        hw = self.hardware
        return max([hw.ram_available_bytes, *(g.free_bytes for g in hw.gpus)])

    def describe(self) -> str:
        """``int4, context 8192`` for status lines and saved queries."""
        dtype = self.dtype or "auto (bf16, int8, int4)"
        return f"{dtype}, context {self.context}" if self.context else dtype


@dataclass(frozen=True)
class Filters:
    """What to keep. Empty tuples, ``None`` and ``False`` mean "no constraint"."""

    family: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    """Any spelling ``license check`` accepts: catalog id, SPDX id, ScanCode key, Hub tag."""
    access: tuple[str, ...] = ()
    tunable: tuple[str, ...] = ()
    """Every listed tuning method must be supported."""
    commercial: bool = False
    """Keep models whose licenses grant commercial use (at ``mau`` users when given); a
    derivative's base models' licenses count too."""
    mau: int | None = None
    min_params: int | None = None
    max_params: int | None = None
    search: str | None = None
    tier: tuple[str, ...] = ()
    variant: tuple[str, ...] = ()
    ids: tuple[str, ...] | None = None
    """Restrict to these ids; ``None`` means all."""
    use: IntendedUse | None = None
    """Keep models that ``license check`` does not find ``forbidden`` for this use (lineage included)."""
    hide_retired: bool = False
    """Leave out models whose vendor has stopped serving them (``shortlist`` does by default)."""
    fits: FitQuery | None = None
    """Keep models whose inference fits one device (``shortlist --fits``)."""

    def __post_init__(self) -> None:
        _check_choices("access", self.access, ACCESS_MODES)
        _check_choices("tunable", self.tunable, TUNING_METHODS)
        _check_choices("tier", self.tier, TIERS)
        _check_choices("variant", self.variant, VARIANTS)
        for name in ("mau", "min_params", "max_params"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"`{name}` must not be negative, got {value}")
        if (
            self.min_params is not None
            and self.max_params is not None
            and self.min_params > self.max_params
        ):
            raise UsageError("`min_params` is larger than `max_params`: nothing could match")

    def active(self) -> dict[str, object]:
        """The filters that constrain something, by name (for status lines and JSON)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, (), False, ""):
                continue
            if f.name == "use" and self.use is not None:
                out[f.name] = self.use.to_json()
            elif f.name == "fits" and self.fits is not None:
                out[f.name] = {"dtype": self.fits.dtype, "context": self.fits.context}
            else:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def without(self, name: str) -> Filters:
        """The same filters with ``name`` reset (used to explain an empty result)."""
        default: Any = next(f.default for f in fields(self) if f.name == name)
        return replace(self, **{name: default})


@dataclass(frozen=True)
class Sort:
    """A sort key and direction, parsed from ``key`` or ``key:asc|desc``."""

    key: str = "id"
    descending: bool = False

    @classmethod
    def parse(cls, text: str | None, *, default: Sort) -> Sort:
        """Parse ``params:desc``; ``None`` gives ``default``."""
        if not text:
            return default
        key, _, direction = text.partition(":")
        key = key.strip().lower().replace("-", "_")
        if key not in SORT_KEYS:
            raise UsageError(f"unknown sort key {key!r} (choose from {', '.join(SORT_KEYS)})")
        if direction not in ("", "asc", "desc"):
            raise UsageError(f"unknown sort direction {direction!r} (use asc or desc)")
        descending = direction == "desc" if direction else key in ("score", "release_date")
        return cls(key=key, descending=descending)

    def label(self) -> str:
        """``score:desc``."""
        return f"{self.key}:{'desc' if self.descending else 'asc'}"


LIST_SORT = Sort("id")
SHORTLIST_SORT = Sort("score", descending=True)


class FilterArgs(TypedDict, total=False):
    """The filters as keyword arguments (``Catalog.list(family="Llama 2", max_params="8B")``).

    One value or a list for the many-valued ones; counts as numbers or ``"8B"``-style text.
    """

    family: str | Sequence[str]
    license: str | Sequence[str]
    access: str | Sequence[str]
    tunable: str | Sequence[str]
    commercial: bool
    mau: int | str | None
    min_params: int | str | None
    max_params: int | str | None
    search: str | None
    tier: str | Sequence[str]
    variant: str | Sequence[str]
    ids: Sequence[str] | None
    use: IntendedUse | None
    hide_retired: bool
    fits: FitQuery | None


def make_filters(
    *,
    family: str | Sequence[str] = (),
    license: str | Sequence[str] = (),
    access: str | Sequence[str] = (),
    tunable: str | Sequence[str] = (),
    commercial: bool = False,
    mau: int | str | None = None,
    min_params: int | str | None = None,
    max_params: int | str | None = None,
    search: str | None = None,
    tier: str | Sequence[str] = (),
    variant: str | Sequence[str] = (),
    ids: Sequence[str] | None = None,
    use: IntendedUse | None = None,
    hide_retired: bool = False,
    fits: FitQuery | None = None,
) -> Filters:
    """Build ``Filters`` from friendly arguments (a string or a list; ``"8B"`` for counts).

    Raises:
        UsageError: a value outside its choices, a count that does not parse, a bad range.
    """
    return Filters(
        family=_many(family),
        license=_many(license),
        access=_many(access),
        tunable=_many(tunable),
        commercial=commercial,
        mau=_count("mau", mau),
        min_params=_count("min_params", min_params),
        max_params=_count("max_params", max_params),
        search=(search or "").strip() or None,
        tier=_many(tier),
        variant=_many(variant),
        ids=tuple(ids) if ids is not None else None,
        use=use,
        hide_retired=hide_retired,
        fits=fits,
    )


def _many(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _count(name: str, value: int | str | None) -> int | None:
    from catalog.units import parse_count

    if value is None or isinstance(value, int):
        return value
    return parse_count(value, field=name)


def _check_choices(name: str, values: tuple[str, ...], choices: tuple[str, ...]) -> None:
    import difflib

    for value in values:
        if value not in choices:
            close = difflib.get_close_matches(value, choices, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"unknown {name} {value!r} (choose from {', '.join(choices)}){hint}")


__all__ = [
    "AUTO_DTYPES",
    "LIST_SORT",
    "NULLABLE_SORT_KEYS",
    "SHORTLIST_SORT",
    "SORT_KEYS",
    "TIERS",
    "FilterArgs",
    "Filters",
    "FitQuery",
    "Sort",
    "make_filters",
]
