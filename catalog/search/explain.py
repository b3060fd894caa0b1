"""Why a filtered listing came back empty: the filters that, dropped one at a time, let models in.

Shared by the CLI (a line on stderr) and the TUI (the status line of the browse screen).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.search.filters import Filters


@dataclass(frozen=True)
class EmptyReason:
    """What removed every model."""

    active: tuple[str, ...]
    """The filters that constrain something (``Filters.active()`` names)."""
    culprits: tuple[str, ...]
    """Active filters that alone rule everything out: dropping any one of them gives results."""

    def message(self, name: Callable[[str], str] = str) -> str:
        """One sentence for people; ``name`` spells a filter (``--max-params``, ``max params``)."""
        if not self.active:
            return "No models in the catalog."
        if self.culprits:
            names = ", ".join(name(c) for c in self.culprits)
            return f"No models match. Dropping any one of these would give results: {names}."
        return "No models match: several filters each rule everything out."


def why_empty(count: Callable[[Filters], int], filters: Filters) -> EmptyReason:
    """Explain an empty result (one count per active filter).

    Args:
        count: how many models match some filters (the engine's count; a cap of 0 is enough).
        filters: the filters that matched nothing.

    Returns:
        The active filters and the ones that, dropped alone, would let models through.
    """
    active = tuple(filters.active())
    culprits = tuple(name for name in active if count(filters.without(name)) > 0)
    return EmptyReason(active=active, culprits=culprits)


__all__ = ["EmptyReason", "why_empty"]
