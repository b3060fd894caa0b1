"""A Hub repository as an uncurated catalog model (tier ``hub``).

Nothing here is reviewed: the license is the Hub tag mapped to our license table (``unknown``
when it names none we know), access follows the gated flag, tunability follows the weights
format, and the model says so in ``unverified``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from catalog.domain import Model
from catalog.hub import HubModel
from catalog.licenses.identifiers import UNKNOWN_LICENSE
from catalog.sync.drift import LicenseTable

_TRANSFORMER_METHODS = ("full", "lora", "qlora", "prompt-tuning")
_QUANTIZED_METHODS = ("lora",)
"""Adapters can be trained on top of GPTQ/AWQ/bitsandbytes weights; the weights themselves not."""
_VARIANT_WORDS = (("instruct", "instruct"), ("chat", "chat"), ("code", "code"))
_NON_ID = re.compile(r"[^a-z0-9._-]+")


def hub_model_id(repo_id: str) -> str:
    """The catalog id of a discovered repo: ``TheBloke/Llama-2-7B-GPTQ`` -> ``thebloke--llama-2-7b-gptq``."""
    return _NON_ID.sub("-", repo_id.lower().replace("/", "--")).strip("-")


def catalog_model(
    info: HubModel,
    *,
    endpoint: str,
    licenses: LicenseTable,
    base_families: Mapping[str, str],
) -> Model:
    """The uncurated ``Model`` for one Hub repo.

    Args:
        info: what the Hub listed (with ``config``, ``cardData``, ``safetensors`` expanded).
        endpoint: the Hub URL, for the source links.
        licenses: the license table, to map the Hub tag to a license id.
        base_families: lower-cased Hub id -> family of models already in the catalog, so a
            fine-tune of ``meta-llama/Llama-2-7b-hf`` joins the ``Llama 2`` family.
    """
    author, _, name = info.repo_id.rpartition("/")
    model_type = info.config_subset.get("model_type")
    architecture = model_type if isinstance(model_type, str) else None
    family = next(
        (base_families[b.lower()] for b in info.base_models if b.lower() in base_families),
        architecture or author or name,
    )
    page = f"{endpoint.rstrip('/')}/{info.repo_id}"
    methods = _tunability(info)
    lowered = name.lower()
    variant = next((v for word, v in _VARIANT_WORDS if word in lowered), "base")
    return Model(
        id=hub_model_id(info.repo_id),
        name=name,
        family=family,
        publisher=author or name,
        release_date=info.created_at.date() if info.created_at else None,
        variant=variant,
        params=None if info.quantized else info.safetensors_total,
        active_params=None,
        context_length=None,
        architecture=architecture,
        hub_id=info.repo_id,
        license=licenses.resolve(info.license, info.license_name) or UNKNOWN_LICENSE,
        access="open" if not info.gated else "gated",
        tunability=methods,
        tuning_routes=("peft", "trl") if methods else (),
        sources={"license": page, "access": page},
        tier="hub",
        notes=_notes(info),
        unverified=("license", "access", "tunability", "params"),
    )


def _tunability(info: HubModel) -> tuple[str, ...]:
    """Tuning methods from the weights format: transformers weights can be tuned every way."""
    if info.library_name != "transformers" or not info.config_subset.get("architectures"):
        return ()
    return _QUANTIZED_METHODS if info.quantized else _TRANSFORMER_METHODS


def _notes(info: HubModel) -> str:
    parts = ["Discovered on the Hub; not reviewed."]
    if info.base_models:
        parts.append(f"Derived from {', '.join(info.base_models)}.")
    if info.quantized:
        parts.append("Quantized weights.")
    return " ".join(parts)
