"""Narrow a listing to the models whose license permits an intended use.

Verdicts come from the compliance engine (``catalog.licenses.judge``). For a model with weights
the verdict depends only on its license, so one representative per license decides for every
model under it, and the narrowing stays an indexed query at any catalog size. API-only models
(few, all curated) are judged one by one, since their verdict can depend on the model (whether
its vendor offers fine-tuning). The result is a short list of ``Filters`` whose union is exactly
the permitted set: models with weights first, then API-only models.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from catalog.schema import ACCESS_MODES
from catalog.store.tables import MODEL

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.licenses import IntendedUse
    from catalog.query import Filters

FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class UseVerdicts:
    """Which licenses (for models with weights) and which API models permit a use."""

    licenses: frozenset[str]
    """Licenses under which a model with weights may be used (verdict other than forbidden)."""
    api_models: frozenset[str]
    """API-only model ids that may be used."""


def use_verdicts(cat: Catalog, use: IntendedUse) -> UseVerdicts:
    """Judge ``use`` once per license (models with weights) and once per API-only model.

    Args:
        cat: the catalog.
        use: the intended use.

    Returns:
        The licenses and API-only models whose verdict is not ``forbidden``.
    """
    from catalog.licenses import judge

    licenses = {lic.id: lic for lic in cat.licenses()}
    stmt = select(func.min(MODEL.c.id)).where(MODEL.c.access != "api").group_by(MODEL.c.license)
    with cat.connect() as conn:
        representatives = [model_id for (model_id,) in conn.execute(stmt)]
        api_ids = [
            model_id
            for (model_id,) in conn.execute(select(MODEL.c.id).where(MODEL.c.access == "api"))
        ]
    allowed: set[str] = set()
    for model_id in representatives:
        model = cat.get(model_id)
        entry = licenses.get(model.license)
        if entry is not None and judge(model, entry, use).verdict != FORBIDDEN:
            allowed.add(model.license)
    api_allowed: set[str] = set()
    for model_id in api_ids:
        model = cat.get(model_id)
        entry = licenses.get(model.license)
        if entry is not None and judge(model, entry, use).verdict != FORBIDDEN:
            api_allowed.add(model.id)
    return UseVerdicts(frozenset(allowed), frozenset(api_allowed))


def narrow_for_use(cat: Catalog, filters: Filters, verdicts: UseVerdicts) -> list[Filters]:
    """Filters whose union is ``filters`` restricted to the models ``verdicts`` permit.

    Args:
        cat: the catalog (resolves Hub license ids given in ``filters``).
        filters: the listing's filters.
        verdicts: from ``use_verdicts``.

    Returns:
        Zero, one or two filters (models with weights, then API-only models); none when nothing
        can match.
    """
    access = filters.access or ACCESS_MODES
    parts: list[Filters] = []
    weights_access = tuple(a for a in access if a != "api")
    wanted = {cat.facts().resolve(lic) for lic in filters.license} if filters.license else None
    licenses = sorted(lic for lic in verdicts.licenses if wanted is None or lic in wanted)
    if weights_access and licenses:
        parts.append(replace(filters, access=weights_access, license=tuple(licenses)))
    if "api" in access:
        ids = verdicts.api_models
        if filters.ids is not None:
            ids = ids & set(filters.ids)
        if ids:
            parts.append(replace(filters, access=("api",), ids=tuple(sorted(ids))))
    return parts


__all__ = ["UseVerdicts", "narrow_for_use", "use_verdicts"]
