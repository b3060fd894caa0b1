"""Why a filtered listing came back empty: the filters that, dropped one at a time, let models in.

Shared by the CLI (a line on stderr) and the TUI (the status line of the browse screen).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.search.filters import Filters


DEFAULT_FILTERS: tuple[str, ...] = ("hide_retired",)
"""Filters on by default (``shortlist`` hides retired models): the user typed no flag for them,
so an empty result never suggests dropping one; it says what they left out instead."""


@dataclass(frozen=True)
class EmptyReason:
    """What removed every model."""

    active: tuple[str, ...]
    """The filters that constrain something (``Filters.active()`` names)."""
    culprits: tuple[str, ...]
    """Active filters that alone rule everything out: dropping any one of them gives results."""
    retired: int = 0
    """Models that match but were left out as retired (when ``hide_retired`` is a culprit)."""
    hub_empty: bool = False
    """The Hub tier was asked for and holds no model at all (no discovery sync yet)."""

    def message(self, name: Callable[[str], str] = str) -> str:
        """Sentences for people; ``name`` spells a filter (``--max-params``, ``max params``)."""
        from catalog.units import plural

        if not self.active:
            return "No models in the catalog."
        said: list[str] = []
        if self.hub_empty:
            said.append(
                "The hub tier is empty: `modelcat sync --discover` finds models on the Hub "
                "and adds them to it."
            )
        if self.retired:
            said.append(
                f"{plural(self.retired, 'matching model was', 'matching models were')} left "
                f"out as retired (no longer served by the vendor): {name('hide_retired')} "
                "shows them."
            )
        chosen = [
            c
            for c in self.culprits
            if c not in DEFAULT_FILTERS and not (c == "tier" and self.hub_empty)
        ]
        if chosen:
            names = ", ".join(name(c) for c in chosen)
            also = " also" if said else ""
            said.append(f"Dropping any one of these would{also} give results: {names}.")
        if not said:
            return "No models match: several filters each rule everything out."
        return "No models match. " + " ".join(said)


def why_empty(
    count: Callable[[Filters], int],
    filters: Filters,
    *,
    exact: Callable[[Filters], int] | None = None,
) -> EmptyReason:
    """Explain an empty result (one count per active filter).

    Args:
        count: whether models match some filters (the engine's count; a cap of 0 is enough).
        filters: the filters that matched nothing.
        exact: a full count, for the number of retired models left out (``count`` otherwise).

    Returns:
        The active filters, the ones that, dropped alone, would let models through, how many
        retired models were hidden, and whether an asked-for Hub tier is empty.
    """
    from catalog.search.filters import Filters

    active = tuple(filters.active())
    culprits = tuple(name for name in active if count(filters.without(name)) > 0)
    retired = 0
    if "hide_retired" in culprits:
        retired = (exact or count)(filters.without("hide_retired"))
    hub_empty = "hub" in filters.tier and count(Filters(tier=("hub",))) == 0
    return EmptyReason(active=active, culprits=culprits, retired=retired, hub_empty=hub_empty)


__all__ = ["EmptyReason", "why_empty"]
