"""The ``local`` and ``benchmarks`` sections of ``modelcat show`` for one model.

Both stay cheap enough for every ``show``: ``local`` looks up only the model's own Hub
repository in the Hugging Face cache (no scan of the whole cache or the user's folders, which
``modelcat local`` does), and ``benchmarks`` reads the newest stored runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.bench.store import load_results

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model

SHOW_RUNS = 20


def local_section(cat: Catalog, model: Model) -> list[dict[str, Any]]:
    """The model's copy in the Hugging Face cache and its GGUF copies (``modelcat local``
    JSON shape)."""
    from catalog.local.catalog_link import local_copies

    return [copy.to_json() for copy in local_copies(model, cat=cat)]


def benchmarks_section(cat: Catalog, model: Model) -> list[dict[str, Any]]:
    """The newest stored runs of the model, on every machine, newest first."""
    keys = [model.id, *([model.hub_id] if model.hub_id else [])]
    return [
        {
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
        for run in load_results(cat, model=keys, limit=SHOW_RUNS)
    ]
