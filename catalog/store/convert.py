"""Conversions between domain objects and rows, kept at the store's boundary."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from catalog.domain import Model
from catalog.ranking import score
from catalog.render import JsonText, compact_json

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def family_key(family: str) -> str:
    """``"Llama 2"`` and ``llama-2`` compare equal."""
    return _NON_ALNUM.sub("-", family.lower()).strip("-")


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time in UTC: SQLite hands timestamps back without a zone (all are stored in UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def model_row(model: Model, *, commercial_use: str) -> dict[str, Any]:
    """Column values for ``model`` (a dict, so bulk inserts skip ORM object overhead).

    The fit coefficients come from the model's own config or size; a synced config.json and a
    derivative's lineage are applied afterwards (``catalog.store.derived``).
    """
    from catalog.fit.coefficients import EMPTY_COLUMNS, model_coefficients

    coefficients = model_coefficients(model)
    fit = coefficients.columns() if coefficients is not None else EMPTY_COLUMNS
    document = model.to_json(with_config=True)
    return {
        "id": model.id,
        "tier": model.tier,
        "name": model.name,
        "family": model.family,
        "family_key": family_key(model.family),
        "publisher": model.publisher,
        "release_date": model.release_date,
        "variant": model.variant,
        "params": model.params,
        "active_params": model.active_params,
        "context_length": model.context_length,
        "architecture": model.architecture,
        "hub_id": model.hub_id,
        "hub_key": model.hub_id.lower() if model.hub_id else None,
        "license": model.license,
        "access": model.access,
        "methods": "|" + "|".join(model.tunability) + "|" if model.tunability else "",
        "search_text": " ".join(
            [model.id, model.name, model.family, model.publisher, model.hub_id or ""]
        ).lower(),
        "score": score(model, commercial_use=commercial_use),
        "shutdown_date": model.shutdown,
        "bound_licenses": "",
        **fit,
        "data": document,
        "listing": listing_line(document),
        "listing_dated": model.lifecycle is not None,
    }


def listing_line(document: dict[str, Any]) -> JsonText:
    """The line a JSON listing writes for a model: its stored ``document`` (``to_json`` with
    the config) as ``to_json()`` gives it, in compact JSON. The ``status`` of a model with a
    lifecycle is the day's it was written; a reader works it out again
    (``catalog.listing.row_line``)."""
    return compact_json({k: v for k, v in document.items() if k != "config"})


def license_row(entry: Any) -> dict[str, Any]:
    """Column values for a ``LicenseEntry``."""
    return {
        "id": entry.id,
        "name": entry.name,
        "hub_id": entry.hub_id,
        "spdx": entry.spdx,
        "scancode_key": entry.scancode_key,
        "osi_approved": entry.osi_approved,
        "mau_limit": entry.mau_limit,
        "commercial_use": entry.term("commercial_use").value,
        "data": entry.model_dump(mode="json"),
    }


def license_from_row(data: dict[str, Any]) -> Any:
    """The ``LicenseEntry`` stored in a row's ``data`` column."""
    from catalog.schema import LicenseEntry

    return LicenseEntry.model_validate(data)
