"""Link local models to catalog entries: by Hub id, else by architecture numbers.

A cache entry knows its Hub id. A plain folder (a copy, a conversion, a fine-tune saved
locally) does not, so it is matched by what its config.json says: the ``model_type`` and the
shape numbers (hidden size, layers, heads, vocabulary). Only an unambiguous match links; two
catalog entries with the same shape (a base and its chat variant) leave the copy unlinked
rather than guessing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from catalog.errors import EstimateError
from catalog.estimate.architecture import read_architecture
from catalog.local.model import LocalModel


class LinkTarget(Protocol):
    """What ``link`` needs from a catalog entry (``catalog.domain.Model`` has the first three).

    Shape numbers are read from an optional ``config`` mapping (config.json keys, aliases
    allowed) or from attributes named ``hidden_size``, ``num_layers``, ``num_heads``,
    ``vocab_size``, ``intermediate_size``; an entry without them links by Hub id only.
    """

    @property
    def id(self) -> str: ...

    @property
    def hub_id(self) -> str | None: ...

    @property
    def architecture(self) -> str | None: ...


@dataclass(frozen=True)
class CatalogRef:
    """A minimal ``LinkTarget``: an id, a Hub id, a model_type and config numbers."""

    id: str
    hub_id: str | None = None
    architecture: str | None = None
    config: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ArchitectureNumbers:
    """The shape of a transformer, enough to recognise a local copy of a known model."""

    model_type: str | None
    hidden_size: int | None
    num_layers: int | None
    num_heads: int | None
    vocab_size: int | None
    intermediate_size: int | None = None

    @property
    def complete(self) -> bool:
        """True when every number needed for a match is known."""
        return None not in (
            self.model_type,
            self.hidden_size,
            self.num_layers,
            self.num_heads,
            self.vocab_size,
        )

    def matches(self, other: ArchitectureNumbers) -> bool:
        """Same model_type and shape; the FFN width counts only when both sides know it."""
        if not (self.complete and other.complete):
            return False
        same_core = (
            self.model_type,
            self.hidden_size,
            self.num_layers,
            self.num_heads,
            self.vocab_size,
        ) == (
            other.model_type,
            other.hidden_size,
            other.num_layers,
            other.num_heads,
            other.vocab_size,
        )
        if self.intermediate_size is None or other.intermediate_size is None:
            return same_core
        return same_core and self.intermediate_size == other.intermediate_size


def numbers_from_config(
    config: Mapping[str, Any] | None, *, model_type: str | None = None
) -> ArchitectureNumbers:
    """Read the shape numbers from a config.json mapping (aliases resolved by the estimator's
    ``read_architecture``); a config it cannot read gives incomplete numbers, never an error.

    Args:
        config: a parsed config.json.
        model_type: the model type to assume when the config does not state one.
    """
    body = dict(config or {})
    if model_type and "model_type" not in body:
        body["model_type"] = model_type
    try:
        arch = read_architecture(body)
    except EstimateError:
        declared = body.get("model_type")
        return ArchitectureNumbers(
            declared if isinstance(declared, str) else None, None, None, None, None
        )
    return ArchitectureNumbers(
        model_type=arch.model_type,
        hidden_size=arch.hidden_size,
        num_layers=arch.num_layers,
        num_heads=arch.num_heads,
        vocab_size=arch.vocab_size,
        intermediate_size=arch.ffn_size,
    )


def _target_numbers(target: LinkTarget) -> ArchitectureNumbers:
    config = getattr(target, "config", None)
    if isinstance(config, Mapping):
        return numbers_from_config(config, model_type=target.architecture)
    attrs = {
        "hidden_size": getattr(target, "hidden_size", None),
        "num_hidden_layers": getattr(target, "num_layers", None),
        "num_attention_heads": getattr(target, "num_heads", None),
        "vocab_size": getattr(target, "vocab_size", None),
        "intermediate_size": getattr(target, "intermediate_size", None),
    }
    return numbers_from_config(
        {key: value for key, value in attrs.items() if value is not None},
        model_type=target.architecture,
    )


def link(
    local_models: Iterable[LocalModel], catalog_models: Iterable[LinkTarget]
) -> list[LocalModel]:
    """Return the local models with ``catalog_id`` set where a catalog entry matches.

    A model with a Hub id links by that id (case-insensitive, as the Hub treats ids) or not
    at all: a fine-tune on the Hub has its base model's shape but is not the base model. A
    plain folder (no Hub id) with a config links to the single catalog entry whose model_type
    and shape numbers agree.

    Args:
        local_models: models found by the scans of ``catalog.local``.
        catalog_models: catalog entries (``catalog.domain.Model`` or ``CatalogRef``).
    """
    targets = list(catalog_models)
    by_hub_id = {t.hub_id.casefold(): t.id for t in targets if t.hub_id}
    shaped = [(t.id, n) for t in targets if (n := _target_numbers(t)).complete]
    linked: list[LocalModel] = []
    for model in local_models:
        catalog_id = by_hub_id.get(model.hub_id.casefold()) if model.hub_id else None
        if model.hub_id is None and model.config is not None:
            numbers = numbers_from_config(model.config)
            candidates = {cid for cid, n in shaped if n.matches(numbers)}
            catalog_id = candidates.pop() if len(candidates) == 1 else None
        linked.append(dataclasses.replace(model, catalog_id=catalog_id))
    return linked
