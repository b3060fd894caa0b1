"""What the user has chosen, kept by the app so it survives switching screens.

Plain data: the filter panel writes a ``FilterState``, the browse screen turns it into
``catalog.search.Filters``; the shortlist is stored through ``Catalog.save_list`` so it also
survives restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.fit.hardware import Hardware
    from catalog.licenses import IntendedUse
    from catalog.search import Filters, FitQuery

SHORTLIST_NAME = "default"
"""The saved list the TUI's marks live in (``modelcat`` shares it with ``Catalog.saved_list``)."""


@dataclass(frozen=True)
class UseState:
    """The intended use of the filter panel, as typed (``IntendedUse`` fields, text for MAU)."""

    use: str = "commercial"
    mau: str = ""
    modify: bool = False
    distribute: str = "none"
    train_on_outputs: bool = False
    host_api: bool = False

    def intended_use(self) -> IntendedUse:
        """The intended use as the license checks take it (raises ``UsageError`` for a bad MAU)."""
        from catalog.licenses import IntendedUse

        return IntendedUse.from_options(
            use=self.use,
            mau=self.mau.strip() or None,
            modify=self.modify,
            distribute=self.distribute,
            train_on_outputs=self.train_on_outputs,
            host_api=self.host_api,
        )

    def describe(self) -> str:
        """A few words for the status line: ``commercial, 900M MAU, modify``."""
        words = [self.use]
        if self.mau.strip():
            words.append(f"{self.mau.strip()} MAU")
        words += [
            flag
            for flag, on in (
                ("modify", self.modify),
                ("train on outputs", self.train_on_outputs),
                ("host as API", self.host_api),
            )
            if on
        ]
        if self.distribute != "none":
            words.append(f"distribute {self.distribute}")
        return ", ".join(words)


@dataclass(frozen=True)
class FitState:
    """ "Fits this machine": the dtype and context to judge the fit with."""

    dtype: str = "bf16"
    context: str = "4096"

    def fit_query(self, hardware: Hardware) -> FitQuery:
        """The fit filter on ``hardware`` (raises ``UsageError`` for a bad context or dtype)."""
        from catalog.errors import UsageError
        from catalog.search import FitQuery

        text = self.context.strip()
        if text and not text.isdigit():
            raise UsageError(f"context must be a whole number of tokens, got {self.context!r}")
        return FitQuery(hardware=hardware, dtype=self.dtype, context=int(text) if text else None)


@dataclass(frozen=True)
class FilterState:
    """Every filter of the browse screen. Text fields hold what the user typed."""

    search: str = ""
    family: str = ""
    license: str = ""
    access: str = ""
    tunable: str = ""
    tier: str = ""
    commercial: bool = False
    mau: str = ""
    max_params: str = ""
    include_retired: bool = False
    """Show models whose vendor has stopped serving them (hidden by default, as by ``shortlist``)."""
    use: UseState | None = None
    """Hide models whose license forbids this use (``None``: no compliance filter)."""
    fits: FitState | None = None
    """Hide models that do not fit this machine (``None``: no fit filter)."""

    def with_(self, **changes: Any) -> FilterState:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)

    def to_filters(self, hardware: Hardware | None = None) -> tuple[Filters, dict[str, str]]:
        """The catalog filters, and a message per field whose text does not parse.

        A field that does not parse is left out (the table keeps filtering on the others) and
        its message tells the user what is wrong. The fit filter needs ``hardware`` (None while
        the machine is being probed).
        """
        from catalog.search import make_filters

        args: dict[str, Any] = {
            "search": self.search.strip() or None,
            "family": _one(self.family),
            "license": _one(self.license),
            "access": _one(self.access),
            "tunable": _one(self.tunable),
            "tier": _one(self.tier),
            "commercial": self.commercial,
            "hide_retired": not self.include_retired,
        }
        problems: dict[str, str] = {}
        for name in ("mau", "max_params"):
            text = str(getattr(self, name)).strip()
            if not text:
                continue
            try:
                make_filters(mau=text) if name == "mau" else make_filters(max_params=text)
            except CatalogError as exc:
                problems[name] = str(exc)
            else:
                args[name] = text
        if self.use is not None:
            try:
                args["use"] = self.use.intended_use()
            except CatalogError as exc:
                problems["use"] = str(exc)
        if self.fits is not None:
            if hardware is None:
                problems["fits"] = "still detecting this machine's memory"
            else:
                try:
                    args["fits"] = self.fits.fit_query(hardware)
                except CatalogError as exc:
                    problems["fits"] = str(exc)
        return make_filters(**args), problems

    def labels(self) -> list[str]:
        """``name=value`` for every active filter, for the status line."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value in ("", False, None):
                continue
            if f.name == "search":
                out.append(f"search={value!r}")
            elif isinstance(value, UseState):
                out.append(f"use=({value.describe()})")
            elif isinstance(value, FitState):
                out.append(f"fits=({value.dtype}, ctx {value.context})")
            elif value is True:
                out.append(f.name.replace("_", " "))
            else:
                out.append(f"{f.name.replace('_', ' ')}={value}")
        return out


def _one(value: str) -> tuple[str, ...]:
    return (value,) if value else ()


@dataclass
class Shortlist:
    """The marked models, stored under ``SHORTLIST_NAME`` on every change."""

    catalog: Catalog
    ids: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, catalog: Catalog) -> Shortlist:
        """The shortlist saved by a previous session (ids no longer in the catalog dropped)."""
        loaded = catalog.load_list(SHORTLIST_NAME)
        return cls(catalog, [m.id for m in loaded.models] if loaded else [])

    def __contains__(self, model_id: object) -> bool:
        return model_id in self.ids

    def __len__(self) -> int:
        return len(self.ids)

    def toggle(self, model_id: str) -> bool:
        """Mark or unmark ``model_id``; returns True when it is now marked."""
        marked = model_id not in self.ids
        if marked:
            self.ids.append(model_id)
        else:
            self.ids.remove(model_id)
        self.catalog.save_list(SHORTLIST_NAME, self.ids)
        return marked

    def clear(self) -> None:
        """Unmark everything."""
        self.ids.clear()
        self.catalog.save_list(SHORTLIST_NAME, self.ids)
