"""What a sync reports: progress while it runs, and the outcome per model at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from catalog.store.hub_records import DriftItem

SyncPhase = Literal["check", "fetch", "discover", "done"]
"""``check``: the cheap sha/lastModified look-up; ``fetch``: full info and config.json of a
changed model; ``discover``: paging through the Hub listing; ``done``: the last report."""


@dataclass(frozen=True)
class SyncProgress:
    """One progress report; each replaces the previous one (``done`` of ``total`` steps)."""

    phase: SyncPhase
    done: int
    total: int | None
    """Steps in this phase; None while the size is unknown (discovery before the last page)."""
    message: str
    model: str | None = None

    @property
    def fraction(self) -> float | None:
        """Share of the phase done (0..1), or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)

    def __str__(self) -> str:
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        return f"{self.phase} {count}: {self.message}"


@dataclass(frozen=True)
class SyncFailure:
    """A model that could not be synced, and why (in words a user can act on)."""

    model: str
    error: str
    hub_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"model", "error", "hub_id"}``."""
        return {"model": self.model, "error": self.error, "hub_id": self.hub_id}


@dataclass
class SyncReport:
    """The outcome of ``sync_catalog`` or ``discover``; model ids are catalog ids."""

    synced: list[str] = field(default_factory=list)
    """Fetched in full (new, changed, or ``full=True``) and stored."""
    unchanged: list[str] = field(default_factory=list)
    """Same sha and lastModified as stored: only the cheap check's fields were refreshed."""
    failed: list[SyncFailure] = field(default_factory=list)
    drift: list[DriftItem] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    """``{"model", "warning"}``: stored, but something is missing (a gated config.json)."""
    skipped: list[str] = field(default_factory=list)
    """Not reached because the sync was cancelled."""
    requests: int = 0
    """HTTP requests sent to the Hub."""
    cancelled: bool = False
    discovered: int | None = None
    """Hub models seen by a discovery (curated ones included); None for a curated sync."""

    def sort(self) -> None:
        """Order every list by model id (threads finish in any order; output must not)."""
        self.synced.sort()
        self.unchanged.sort()
        self.skipped.sort()
        self.failed.sort(key=lambda f: f.model)
        self.drift.sort(key=lambda d: (d.model, d.field))
        self.warnings.sort(key=lambda w: w["model"])

    @property
    def ok(self) -> bool:
        """True when every model was synced or found unchanged."""
        return not self.failed and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        """The stable JSON of ``modelcat sync --format json`` (keys are only ever added)."""
        out: dict[str, Any] = {
            "synced": list(self.synced),
            "unchanged": list(self.unchanged),
            "failed": [f.to_json() for f in self.failed],
            "drift": [d.to_json() for d in self.drift],
            "requests": self.requests,
            "warnings": list(self.warnings),
            "skipped": list(self.skipped),
            "cancelled": self.cancelled,
        }
        if self.discovered is not None:
            out["discovered"] = self.discovered
        return out

    def __str__(self) -> str:
        parts = [f"{len(self.synced)} synced", f"{len(self.unchanged)} unchanged"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.drift:
            parts.append(f"{len(self.drift)} drift")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        head = "Sync cancelled" if self.cancelled else "Sync finished"
        return f"{head}: {', '.join(parts)} ({self.requests} requests)"
