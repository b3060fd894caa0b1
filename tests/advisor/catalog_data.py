"""A data overlay that gives shipped models their config.json numbers (from the reference configs in
tests/fixtures), so fits and estimates use real shapes whatever data/models.yaml holds today."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from catalog.curated import load_curated
from tests.estimate.reference import reference_models


def configured_entries() -> list[dict[str, Any]]:
    """Every shipped model whose Hub id has a reference config, with that config attached."""
    configs = {m["repo_id"].lower(): m["config"] for m in reference_models()}
    entries = []
    for entry in load_curated(data_dir=None).models.values():
        config = configs.get((entry.hub_id or "").lower())
        if config is None:
            continue
        data = entry.model_dump(mode="json", exclude_none=True)
        data["config"] = dict(config)
        data["sources"] = {
            **data["sources"],
            "config": f"https://huggingface.co/{entry.hub_id}/blob/main/config.json",
        }
        entries.append(data)
    return entries


PARAMS_ONLY: dict[str, Any] = {
    "id": "params-only-7b",
    "name": "A 7B model known only by its size",
    "family": "Test",
    "publisher": "modelcat tests",
    "release_date": "2020-01-01",
    "variant": "base",
    "params": 7_000_000_000,
    "architecture": "llama",
    "license": "apache-2.0",
    "access": "open",
    "tunability": {"methods": ["full", "lora", "qlora"]},
    "sources": {"license": "https://example.org/license", "access": "https://example.org/access"},
}
"""An open model with a parameter count and no config (estimates are then approximate)."""


def write_overlay(folder: Path, *, extra: list[dict[str, Any]] | None = None) -> Path:
    """Write ``folder/models.yaml`` with the configured entries (and ``extra``); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    models = configured_entries() + list(extra or [])
    text = yaml.safe_dump({"models": models}, sort_keys=False)
    (folder / "models.yaml").write_text(text, encoding="utf-8")
    return folder
