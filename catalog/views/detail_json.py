"""The JSON document of ``modelcat show``: a ``ModelDetail`` in stable keys.

The keys are a contract (scripts read them): the model's own JSON with its config, then
``license_summary``, ``estimate``, ``local``, ``benchmarks``, ``hub``, ``drift``, ``lineage``
and ``license_verdict``. Keys are only ever added.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.bench.records import StoredRun
    from catalog.schema import LicenseEntry
    from catalog.store.hub_records import HubSnapshot
    from catalog.views.detail import ModelDetail

HUB_KEYS = (
    "sha", "last_modified", "gated", "license", "license_name", "downloads", "likes",
    "safetensors_total", "safetensors_parameters", "quantized", "library_name", "pipeline_tag",
    "base_models", "synced_at", "checked_at", "error", "config_note",
)  # fmt: skip
"""The ``hub`` object's keys, every one present (all null before the first sync)."""


def detail_json(detail: ModelDetail) -> dict[str, Any]:
    """The whole ``show`` document."""
    out = detail.model.to_json(with_config=True)
    out["license_summary"] = license_json(detail.license)
    out["estimate"] = estimate_json(detail)
    out["local"] = [copy.to_json() for copy in detail.local]
    out["benchmarks"] = [run_json(run) for run in detail.bench]
    out["hub"] = hub_json(detail.hub)
    out["drift"] = [
        {"field": d.field, "curated": d.curated, "hub": d.hub, "detail": d.detail}
        for d in detail.drift
    ]
    out["lineage"] = detail.lineage.to_json() if detail.lineage is not None else None
    out["license_verdict"] = {
        "use": detail.use.to_json(),
        **(
            detail.verdict.to_json()
            if detail.verdict is not None
            else {"verdict": None, "error": detail.verdict_note}
        ),
    }
    return out


def license_json(lic: LicenseEntry) -> dict[str, Any]:
    """The license's name, identifiers and each term's value with its clause and source."""
    return {
        "id": lic.id,
        "name": lic.name,
        "spdx": lic.spdx,
        "osi_approved": lic.osi_approved,
        "mau_limit": lic.mau_limit,
        "source": lic.source,
        "terms": {
            name: {"value": term.value, "clause": term.clause, "source": term.source or lic.source}
            for name, term in lic.terms.items()
        },
    }


def estimate_json(detail: ModelDetail) -> dict[str, Any]:
    """Inference total per dtype, and trainable parameters and memory per tuning method.

    ``{"available": false, "reason"}`` when nothing can be estimated (API-only, unknown size).
    """
    if not detail.estimates:
        return {"available": False, "reason": detail.estimate_note}
    first = detail.estimates[0]
    return {
        "available": True,
        "basis": "config" if first.architecture is not None else "params",
        "params": first.params.total,
        "active_params": first.params.active,
        "context": first.inference.context,
        "inference_total_bytes": {
            e.inference.dtype: e.inference.total_bytes for e in detail.estimates
        },
        "inference_is_lower_bound": first.inference.total_is_lower_bound,
        "training": {
            method: {
                "trainable_params": memory.trainable_params,
                "total_bytes": memory.total_bytes,
                "total_is_lower_bound": memory.total_is_lower_bound,
                "storage_per_task_bytes": memory.storage_per_task_bytes,
            }
            for method, memory in first.training.items()
        },
        "command": f"modelcat estimate {detail.model.id}",
    }


def run_json(run: StoredRun) -> dict[str, Any]:
    """One stored benchmark run, as ``show`` lists it."""
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "machine": {
            "fingerprint": run.machine_fingerprint,
            "name": run.machine_name,
            "cpu": run.machine.cpu,
            "gpus": [g.name for g in run.machine.gpus],
        },
        "device": run.device,
        "dtype": run.dtype,
        "backend": run.result.backend,
        "quantization": run.result.quantization,
        "label": run.result.label,
        "prompt_tokens": run.result.params.prompt_tokens,
        "gen_tokens": run.result.params.gen_tokens,
        "repeat": run.result.params.repeat,
        "load_s": run.result.load_s,
        "prefill_tps": run.prefill_tps.to_json() if run.prefill_tps else None,
        "decode_tps": run.decode_tps.to_json(),
        "ttft_s": run.ttft_s.to_json(),
        "peak_memory_bytes": run.peak_memory_bytes,
        "perplexity": run.to_json()["perplexity"],
        "path": run.result.path,
    }


def hub_json(snapshot: HubSnapshot | None) -> dict[str, Any]:
    """The ``hub`` object: every key of ``HUB_KEYS`` plus ``has_config`` (the config itself is
    left out for size)."""
    if snapshot is None:
        return dict.fromkeys(HUB_KEYS) | {"has_config": False}
    out = {key: _plain(getattr(snapshot, key)) for key in HUB_KEYS}
    out["has_config"] = snapshot.config is not None
    return out


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
