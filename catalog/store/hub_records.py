"""What the Hub sync stores, as typed records: a repo's snapshot, its base models, drift.

These are plain frozen objects, not rows: ``catalog.store.hub_store`` turns them into rows
and back, and everything above the store (the sync, the read models, the front ends) reads
their fields by name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from catalog.hub import GatedMode

DriftField = Literal["license", "access", "params"]


@dataclass(frozen=True)
class HubSnapshot:
    """What the Hub said about one repo at the last sync (``repo_id`` as modelcat asked).

    A repo whose first attempt failed has only ``repo_id``, ``error`` and ``checked_at``.
    """

    repo_id: str
    sha: str | None = None
    """The commit of the default branch when last fetched in full; None until then."""
    last_modified: dt.datetime | None = None
    created_at: dt.datetime | None = None
    gated: GatedMode | None = None
    """False, ``auto`` or ``manual`` as the Hub says; None when unknown."""
    private: bool | None = None
    disabled: bool | None = None
    license: str | None = None
    """The card's license tag (``apache-2.0``, ``other``...)."""
    license_name: str | None = None
    license_link: str | None = None
    downloads: int | None = None
    """Downloads over the last 30 days."""
    likes: int | None = None
    safetensors_total: int | None = None
    """Stored tensor elements (not the parameter count of a packed quantized checkpoint)."""
    safetensors_parameters: Mapping[str, int] | None = field(default=None, hash=False)
    """Stored tensor elements per dtype, e.g. ``{"BF16": 7241732096}``."""
    quantized: bool = False
    library_name: str | None = None
    pipeline_tag: str | None = None
    tags: tuple[str, ...] = ()
    base_models: tuple[str, ...] = ()
    config: Mapping[str, Any] | None = field(default=None, hash=False)
    """The full config.json at ``sha`` (None for discovered repos and unreadable configs)."""
    config_note: str | None = None
    """Why ``config`` is missing although the repo was fetched (gated without access...)."""
    synced_at: dt.datetime | None = None
    """When the repo was last fetched in full (info and config) or discovered."""
    checked_at: dt.datetime | None = None
    """When the Hub was last asked about the repo (a cheap check counts)."""
    error: str | None = None
    """Why the last attempt failed; None after a success (the other fields stay as they were)."""

    def refreshed(
        self,
        *,
        gated: GatedMode | None,
        private: bool | None,
        disabled: bool | None,
        downloads: int | None,
        likes: int | None,
        at: dt.datetime,
    ) -> HubSnapshot:
        """This snapshot with the fields that change without a commit refreshed (None keeps)."""
        return dataclasses.replace(
            self,
            gated=self.gated if gated is None else gated,
            private=self.private if private is None else private,
            disabled=self.disabled if disabled is None else disabled,
            downloads=self.downloads if downloads is None else downloads,
            likes=self.likes if likes is None else likes,
            checked_at=at,
        )


@dataclass(frozen=True)
class LineageLink:
    """One base model a repo declares (card ``base_model``, ``baseModels``, ``base_model:`` tags)."""

    repo_id: str
    base_repo_id: str
    relation: str | None
    """``finetune``, ``quantized``, ``adapter``, ``merge`` when the Hub says; else None."""
    position: int
    """Order of declaration (0 is the primary base)."""


@dataclass(frozen=True)
class DriftItem:
    """A curated judgment the Hub now disagrees with (recorded, never applied)."""

    model: str
    field: DriftField
    curated: str | int | None
    """The curated value: a license id, an access mode or a parameter count."""
    hub: str | int | None
    """What the Hub says, in the same terms (a tag we do not know stays as the Hub wrote it)."""
    detail: str | None = None

    def to_json(self) -> dict[str, str | int | None]:
        """``{"model", "field", "curated", "hub", "detail"}``."""
        return {
            "model": self.model,
            "field": self.field,
            "curated": self.curated,
            "hub": self.hub,
            "detail": self.detail,
        }
