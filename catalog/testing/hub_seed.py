"""Put every curated model with a Hub id on the fake Hub, agreeing with the curated judgments.

The reference repos of model-configs.yaml keep their real configs and safetensors totals (which
count tied embeddings twice for Falcon); the others get the curated config numbers (or a bare
model type) and the curated parameter count as their safetensors total.
"""

from __future__ import annotations

import functools
from typing import Any

from catalog.curated import CuratedData
from catalog.curated import load_curated as _load
from catalog.testing.fake_hub import FakeHub


@functools.cache
def load_curated() -> CuratedData:
    """The shipped curated data, parsed once per test session."""
    return _load()


def curated_hub_models() -> dict[str, Any]:
    """Hub id -> curated ``ModelEntry`` of the shipped data."""
    data = load_curated()
    return {m.hub_id: m for m in data.models.values() if m.hub_id}


def hub_license(license_id: str) -> tuple[str, str | None]:
    """The (tag, license_name) a Hub card shows for one of our license ids."""
    entry = load_curated().licenses[license_id]
    if entry.hub_id in (None, "unknown"):
        return "unknown", None
    if entry.hub_id == "other":
        return "other", entry.hub_license_name
    return entry.hub_id, None


def seed_curated(hub: FakeHub) -> dict[str, Any]:
    """Add (or align) a repo for every curated Hub id; returns Hub id -> curated entry."""
    curated = curated_hub_models()
    present = {r.lower(): r for r in hub.repo_ids}
    for hub_id, entry in curated.items():
        tag, name = hub_license(entry.license)
        gated: Any = "manual" if entry.access == "gated" else False
        if hub_id.lower() in present:
            hub.update_model(present[hub_id.lower()], gated=gated, license=tag, license_name=name)
            continue
        arch = entry.architecture or "llama"
        config = {"architectures": [f"{arch.title()}ForCausalLM"], "model_type": arch}
        config.update(entry.config or {})
        hub.add_model(
            hub_id,
            config=config,
            gated=gated,
            license=tag,
            license_name=name,
            safetensors_total=entry.params,
        )
    return curated


def hub_requests(hub: FakeHub) -> int:
    """Requests the fake Hub answered, leaving out huggingface_hub's own daily probe."""
    return sum(n for route, n in hub.counts().items() if route != "harnesses")
