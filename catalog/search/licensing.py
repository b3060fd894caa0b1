"""The license judgments a search makes, as rules the store turns into SQL.

``license check`` judges a model under every license that binds it (a Hub-tier derivative's base
models' included, ``catalog.sync.lineage``). A verdict depends only on the license, on whether the
model is API-only and on whether its vendor offers fine-tuning, so a handful of judgments (one per
license and kind of model) decide every row; the store's ``bound_licenses`` column holds what
binds each derivative.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from catalog.domain import Model
from catalog.store.model_queries import KindRule, LicenseRule

if TYPE_CHECKING:
    from catalog.licenses import IntendedUse
    from catalog.schema import LicenseEntry

KINDS: tuple[tuple[bool, bool], ...] = ((False, False), (False, True), (True, False), (True, True))
"""``(API-only, vendor fine-tuning)``: the kinds of model a verdict depends on."""


def use_rules(licenses: Mapping[str, LicenseEntry], use: IntendedUse) -> tuple[KindRule, ...]:
    """For each kind of model, the licenses under which ``use`` is not forbidden."""
    from catalog.licenses import check_compliance

    every = frozenset(licenses)
    probes = [(lid, kind) for kind in KINDS for lid in licenses]
    verdicts = check_compliance(
        [_probe(lid, api=api, vendor_ft=ft) for lid, (api, ft) in probes], licenses, use
    )
    allowed: dict[tuple[bool, bool], set[str]] = {kind: set() for kind in KINDS}
    for (lid, kind), verdict in zip(probes, verdicts, strict=True):
        if verdict.verdict != "forbidden":
            allowed[kind].add(lid)
    return tuple(
        KindRule(api, ft, LicenseRule(frozenset(allowed[(api, ft)]), every)) for api, ft in KINDS
    )


def commercial_rule(licenses: Mapping[str, LicenseEntry], mau: int | None) -> LicenseRule:
    """Licenses that grant commercial use (outright or on conditions) at ``mau`` monthly users."""
    allowed = {
        lid
        for lid, entry in licenses.items()
        if entry.term("commercial_use").value in ("yes", "conditional")
        and not (mau is not None and entry.mau_limit is not None and mau > entry.mau_limit)
    }
    return LicenseRule(frozenset(allowed), frozenset(licenses))


def _probe(license_id: str, *, api: bool, vendor_ft: bool) -> Model:
    """A stand-in model of one kind, to judge a license once for every model of that kind."""
    from catalog.schema import ApiInfo

    return Model(
        id=f"probe-{license_id}", name=license_id, family="probe", publisher="probe",
        release_date=None, variant="base", params=None, active_params=None,
        context_length=None, architecture=None, hub_id=None, license=license_id,
        access="api" if api else "open",
        tunability=("api-finetune",) if vendor_ft else (("full", "lora") if not api else ()),
        tuning_routes=(), sources={},
        api=ApiInfo(vendor="probe", model_name=license_id) if api or vendor_ft else None,
    )  # fmt: skip


__all__ = ["KINDS", "commercial_rule", "use_rules"]
