"""How ``modelcat show`` lays a model's document out for people.

The JSON document stays the contract (exact figures, every key). The table view reads it as a
tree of ``key  value`` lines: the model's own fields first, then one group per nested object
(sources, config, the license, the estimate, Hub facts, local copies, benchmarks...), nested
objects as indented subgroups. Nothing empty is shown: before a sync the twenty ``hub`` fields
are empty (or a lone ``has_config: false``), so there is no ``hub`` group. Figures are in units
(bytes in GB, parameter counts with the exact figure, context windows as vendors write them)
and license terms in words (``term_meaning``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Node = tuple[str, "str | list[Node]"]
"""A ``(key, text)`` line, or a ``(key, children)`` group."""

_COUNT_KEYS = frozenset(
    {"params", "active_params", "trainable_params", "safetensors_total", "safetensors_parameters"}
)
_CONTEXT_KEYS = frozenset({"context_length", "context"})
_GROUPED_KEYS = frozenset({"mau_limit", "downloads", "likes", "perplexity_tokens"})


def layout(document: Mapping[str, Any]) -> list[Node]:
    """The non-empty lines and groups of ``document`` (a ``modelcat show`` JSON document):
    the model's own fields first, then its groups, each in document order."""
    nodes = _nodes(document, top=True)
    return [n for n in nodes if isinstance(n[1], str)] + [
        n for n in nodes if not isinstance(n[1], str)
    ]


def value_text(key: str, value: Any) -> str:
    """``value`` as people read it, or ``""`` when there is nothing to show.

    ``key`` may be dotted (``inference_total_bytes.bf16``): a figure under any ``*_bytes`` key
    is a size.
    """
    from catalog.units import format_bytes, format_context, format_count

    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    last = key.rsplit(".", 1)[-1]
    if isinstance(value, int):
        if any(part.endswith("_bytes") for part in key.split(".")):
            return format_bytes(value)
        if last in _COUNT_KEYS:
            return f"{format_count(value)} ({value:,})" if value >= 1000 else str(value)
        if last in _CONTEXT_KEYS:
            return format_context(value)
        return f"{value:,}" if last in _GROUPED_KEYS else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        texts = [value_text(key, v) or "—" for v in value]
        # Items that are phrases (an "unverified" list) would blur into each other with commas.
        return ("; " if any(" " in t for t in texts) else ", ").join(texts)
    return str(value)


def _nodes(
    value: Mapping[str, Any] | list[Any], *, top: bool = False, path: str = ""
) -> list[Node]:
    items = value.items() if isinstance(value, Mapping) else enumerate(value, 1)
    out: list[Node] = []
    for raw_key, item in items:
        key = str(raw_key)
        dotted = f"{path}.{key}" if path else key
        if key == "license_summary" and isinstance(item, Mapping):
            children = _license(item)
        elif _is_group(item):
            children = _nodes(item, path=dotted)
        else:
            if text := value_text(dotted, item):
                out.append((key, text))
            continue
        if children and not _only_no(children):
            out.append((key.replace("_", " ") if top else key, children))
    return out


def _license(summary: Mapping[str, Any]) -> list[Node]:
    """The license's own fields, then each term in words with its clause (and its source when
    it is not the license text)."""
    from catalog.licenses.terms import term_meaning

    out: list[Node] = [
        (key, text)
        for key, value in summary.items()
        if key != "terms" and (text := value_text(key, value))
    ]
    for term, facts in (summary.get("terms") or {}).items():
        text = f"{term_meaning(term, str(facts.get('value')))}: {facts.get('clause') or ''}"
        if facts.get("source") and facts["source"] != summary.get("source"):
            text += f" {facts['source']}"
        out.append((term, text.rstrip(": ")))
    return out


def _is_group(value: Any) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value)
    )


def _only_no(children: list[Node]) -> bool:
    """A group that says nothing but "no" (``hub`` before a sync: ``has_config: false``)."""
    return all(text == "no" for _key, text in children)


__all__ = ["Node", "layout", "value_text"]
