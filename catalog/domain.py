"""The plain objects the Python API, the CLI and the TUI receive.

They are built from curated entries or database rows at the boundary and never hold a
database session, so they can cross threads (TUI workers) and be serialised as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from catalog.lifecycle import Status
from catalog.schema import AccessMode, ApiInfo, Kind, Lifecycle, ModelEntry, Tier, Variant


@dataclass(frozen=True)
class Model:
    """One model in the catalog, curated or discovered on the Hub."""

    id: str
    name: str
    family: str
    publisher: str
    release_date: dt.date | None
    variant: Variant | str
    params: int | None
    active_params: int | None
    context_length: int | None
    architecture: str | None
    hub_id: str | None
    license: str
    access: AccessMode
    tunability: tuple[str, ...]
    """Tuning methods that are possible (``full``, ``lora``, ``qlora``, ``prompt-tuning``, ``api-finetune``)."""
    tuning_routes: tuple[str, ...]
    sources: dict[str, str]
    tier: Tier = "curated"
    api: ApiInfo | None = None
    tunability_notes: str | None = None
    notes: str | None = None
    unverified: tuple[str, ...] = field(default_factory=tuple)
    config: dict[str, Any] | None = field(default=None, compare=False)
    """Architecture numbers from ``config.json`` (curated, or from the last Hub sync)."""
    lifecycle: Lifecycle | None = None
    kind: Kind = "decoder"
    """``decoder`` for LLMs; ``encoder``/``encoder-decoder`` models are for reference, not recommended."""

    def status(self, today: dt.date | None = None) -> Status:
        """``active``, ``deprecated`` (a shutdown is announced) or ``retired`` (no longer served)."""
        return self.lifecycle.status(today) if self.lifecycle else "active"

    @property
    def shutdown(self) -> dt.date | None:
        """The day the vendor stops serving the model, where one is known."""
        return self.lifecycle.shutdown if self.lifecycle else None

    @property
    def is_api(self) -> bool:
        """True when the model has no downloadable weights."""
        return self.access == "api"

    @classmethod
    def from_entry(cls, entry: ModelEntry, *, tier: Tier = "curated") -> Model:
        """Build the domain object from a validated curated entry."""
        return cls(
            id=entry.id,
            name=entry.name,
            family=entry.family,
            publisher=entry.publisher,
            release_date=entry.release_date,
            variant=entry.variant,
            params=entry.params,
            active_params=entry.active_params,
            context_length=entry.context_length,
            architecture=entry.architecture,
            hub_id=entry.hub_id,
            license=entry.license,
            access=entry.access,
            tunability=tuple(entry.tunability.methods),
            tuning_routes=tuple(entry.tunability.routes),
            sources=dict(entry.sources),
            tier=tier,
            api=entry.api,
            tunability_notes=entry.tunability.notes,
            notes=entry.notes,
            unverified=tuple(entry.unverified),
            config=dict(entry.config) if entry.config is not None else None,
            lifecycle=entry.lifecycle,
            kind=entry.kind,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        """Rebuild a model from its ``to_json()`` document (as stored in the database)."""
        released = data.get("release_date")
        api = data.get("api")
        lifecycle = data.get("lifecycle")
        return cls(
            id=data["id"],
            name=data["name"],
            family=data["family"],
            publisher=data["publisher"],
            release_date=dt.date.fromisoformat(released) if released else None,
            variant=data["variant"],
            params=data.get("params"),
            active_params=data.get("active_params"),
            context_length=data.get("context_length"),
            architecture=data.get("architecture"),
            hub_id=data.get("hub_id"),
            license=data["license"],
            access=data["access"],
            tunability=tuple(data.get("tunability") or ()),
            tuning_routes=tuple(data.get("tuning_routes") or ()),
            sources=dict(data.get("sources") or {}),
            tier=data.get("tier", "curated"),
            api=ApiInfo.model_validate(api) if api else None,
            tunability_notes=data.get("tunability_notes"),
            notes=data.get("notes"),
            unverified=tuple(data.get("unverified") or ()),
            config=data.get("config"),
            lifecycle=Lifecycle.model_validate(lifecycle) if lifecycle else None,
            kind=data.get("kind", "decoder"),
        )

    def to_json(self, *, with_config: bool = False) -> dict[str, Any]:
        """The stable JSON shape of a model (keys are never renamed or dropped).

        ``with_config`` adds the architecture numbers (the store keeps them; listings omit them).
        ``status`` is computed on the day of the call from the lifecycle dates.
        """
        out = {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "publisher": self.publisher,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "variant": self.variant,
            "params": self.params,
            "active_params": self.active_params,
            "context_length": self.context_length,
            "architecture": self.architecture,
            "hub_id": self.hub_id,
            "license": self.license,
            "access": self.access,
            "tunability": list(self.tunability),
            "tuning_routes": list(self.tuning_routes),
            "tunability_notes": self.tunability_notes,
            "tier": self.tier,
            "api": self.api.model_dump(mode="json") if self.api else None,
            "sources": dict(self.sources),
            "notes": self.notes,
            "unverified": list(self.unverified),
            "status": self.status(),
            "lifecycle": self.lifecycle.model_dump(mode="json") if self.lifecycle else None,
            "kind": self.kind,
        }
        if with_config:
            out["config"] = self.config
        return out


LISTING_KEYS = (
    "id", "name", "family", "publisher", "release_date", "variant", "params", "active_params",
    "context_length", "architecture", "hub_id", "license", "access", "tunability",
    "tuning_routes", "tunability_notes", "tier", "api", "sources", "notes", "unverified",
    "status", "lifecycle", "kind",
)  # fmt: skip
"""The keys of ``Model.to_json()``, in order."""
_STORED_KEYS = (*LISTING_KEYS, "config")
"""The keys of ``Model.to_json(with_config=True)``: a stored document of today's layout."""


def listing_json(stored: dict[str, Any]) -> dict[str, Any]:
    """``Model.from_json(stored).to_json()``, without building the model where that is the same.

    A stored document is ``to_json(with_config=True)`` of the day it was written, so the listing
    document is the stored one without its ``config``, ``status`` worked out today: that is
    ``active`` without a lifecycle. A document of another layout (written by an older
    modelcat), or with an API or a lifecycle (objects that validation could normalise), goes
    through the model. ``stored`` is taken over (changed in place and returned).
    """
    if (
        stored.get("lifecycle") is None
        and stored.get("api") is None
        and tuple(stored) == _STORED_KEYS
    ):
        del stored["config"]
        stored["status"] = "active"
        return stored
    return Model.from_json(stored).to_json()
