"""The compliance engine: for an intended use, may this model be used, and under which obligations?

A pure function of curated data (``Model`` objects and ``LicenseEntry`` terms) shared by the CLI
(``modelcat license check``), the TUI and the advisor. Each verdict names the terms that decided
it, with the clause wording and the source URL from ``data/licenses.yaml``.

Only the terms a use needs are read: ``--host-api`` reads ``hosting``, a distribution reads the
redistribution terms, and so on. A needed term whose value is ``unknown`` makes the verdict
``unknown`` unless another term already forbids the use.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

from catalog.domain import Model
from catalog.errors import UnknownLicenseError, UsageError
from catalog.licenses.terms import SEVERITY, VerdictValue, stricter
from catalog.schema import LicenseEntry, LicenseTerm

if TYPE_CHECKING:
    from catalog.licenses.policy import Policy

UseKind = Literal["commercial", "research", "personal"]
Distribution = Literal["none", "weights", "derivatives"]

USE_KINDS: tuple[str, ...] = get_args(UseKind)
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)


@dataclass(frozen=True)
class IntendedUse:
    """What a team wants to do with a model.

    Raises:
        UsageError: a field has a value outside its enumeration or a negative user count.
    """

    use: UseKind = "commercial"
    mau: int | None = None
    """Monthly active users of the product; ``None`` when not stated."""
    modify: bool = False
    """Fine-tune or otherwise change the weights."""
    distribute: Distribution = "none"
    """``weights``: redistribute the original weights; ``derivatives``: fine-tuned weights."""
    train_on_outputs: bool = False
    """Use the model's outputs to train or improve another model."""
    host_api: bool = False
    """Offer the model itself to third parties as an inference or fine-tuning service."""

    def __post_init__(self) -> None:
        if self.use not in USE_KINDS:
            raise UsageError(f"unknown use {self.use!r} (choose from {', '.join(USE_KINDS)})")
        if self.distribute not in DISTRIBUTIONS:
            raise UsageError(
                f"unknown distribution {self.distribute!r} (choose from {', '.join(DISTRIBUTIONS)})"
            )
        if self.mau is not None and (isinstance(self.mau, bool) or self.mau < 0):
            raise UsageError(f"invalid mau {self.mau!r}: expected a non-negative number of users")

    @classmethod
    def from_options(
        cls,
        *,
        use: str = "commercial",
        mau: str | int | None = None,
        modify: bool = False,
        distribute: str = "none",
        train_on_outputs: bool = False,
        host_api: bool = False,
    ) -> IntendedUse:
        """Build an intended use from CLI-style values (``mau="900M"``, ``distribute="weights"``).

        Raises:
            UsageError: an unknown use or distribution, or a user count that does not parse.
        """
        from catalog.units import parse_count

        count = None if mau is None else parse_count(mau, field="mau")
        return cls(
            use=use.strip().lower(),  # type: ignore[arg-type]  # checked in __post_init__
            mau=count,
            modify=modify,
            distribute=distribute.strip().lower(),  # type: ignore[arg-type]
            train_on_outputs=train_on_outputs,
            host_api=host_api,
        )

    def to_json(self) -> dict[str, Any]:
        """The query as JSON (the ``query`` object of ``license check --format json``)."""
        return {
            "use": self.use,
            "mau": self.mau,
            "modify": self.modify,
            "distribute": self.distribute,
            "train_on_outputs": self.train_on_outputs,
            "host_api": self.host_api,
        }


@dataclass(frozen=True)
class Reason:
    """One term that took part in a verdict."""

    term: str
    """A license term (``catalog.schema.LICENSE_TERMS``) or ``access``, ``policy``, ``lineage``."""
    detail: str
    """What the term says about this use, with the clause wording."""
    source: str | None
    """Where the clause can be read."""
    effect: VerdictValue = "allowed"
    """The verdict this term alone would give; the strictest effect is the verdict."""

    def to_json(self) -> dict[str, Any]:
        """``{"term", "detail", "source"}``."""
        return {"term": self.term, "detail": self.detail, "source": self.source}


@dataclass(frozen=True)
class Verdict:
    """Whether a model may be used for an intended use, with obligations and cited reasons."""

    model: str
    """The model id."""
    license: str
    """The license id that decided the verdict (the model's own unless a lineage was judged)."""
    verdict: VerdictValue
    obligations: list[str] = field(default_factory=list)
    """What the user must do, most demanding first; notice-type duties last."""
    reasons: list[Reason] = field(default_factory=list)
    """Every term that was read, the deciding ones first."""
    licenses: tuple[str, ...] = ()
    """Every license judged (more than one when a model inherits its base model's license)."""

    @property
    def decisive(self) -> list[Reason]:
        """The reasons whose effect is the verdict itself."""
        return [r for r in self.reasons if r.effect == self.verdict]

    def to_json(self) -> dict[str, Any]:
        """``{"model", "license", "verdict", "obligations", "reasons"}``."""
        return {
            "model": self.model,
            "license": self.license,
            "verdict": self.verdict,
            "obligations": list(self.obligations),
            "reasons": [r.to_json() for r in self.reasons],
        }


def check_compliance(
    models: Iterable[Model],
    licenses: Mapping[str, LicenseEntry],
    use: IntendedUse,
    *,
    policy: Policy | None = None,
) -> list[Verdict]:
    """Judge every model for ``use`` under its license (and the team policy, if any).

    Args:
        models: the models to judge.
        licenses: license id -> entry (``Catalog.licenses()`` or ``load_curated().licenses``).
        use: the intended use (a policy's ``use`` when checking against a policy file).
        policy: allow/deny lists of license ids; a denied license makes the verdict forbidden.

    Returns:
        One verdict per model, in the order given.

    Raises:
        UnknownLicenseError: a model names a license id that is not in ``licenses``.
    """
    verdicts = []
    for model in models:
        entry = licenses.get(model.license)
        if entry is None:
            close = difflib.get_close_matches(model.license, list(licenses), n=3)
            raise UnknownLicenseError(model.license, close)
        verdict = judge(model, entry, use)
        verdicts.append(policy.apply(verdict) if policy is not None else verdict)
    return verdicts


def judge(model: Model, license: LicenseEntry, use: IntendedUse) -> Verdict:
    """Judge one model under one license.

    Args:
        model: the model; API-only models (``access: api``) are judged on their vendor terms.
        license: the license entry whose terms apply.
        use: the intended use.

    Returns:
        The verdict, its obligations and the reasons citing each term read.
    """
    judgement = _Judgement(license)
    _judge_terms(judgement, model, license, use)
    return judgement.verdict(model)


def judge_many(
    model: Model,
    licenses: Sequence[LicenseEntry],
    use: IntendedUse,
    *,
    lineage_note: str | None = None,
) -> Verdict:
    """Judge a model under several licenses at once (its own and its base models').

    The strictest verdict wins; obligations and reasons are united (each reason prefixed with its
    license id) and a ``lineage`` reason explains why several licenses applied.

    Args:
        model: the model (a Hub derivative, say).
        licenses: every license that binds it, its own first.
        use: the intended use.
        lineage_note: why these licenses apply (``"fine-tuned from meta-llama/Llama-2-7b-hf"``).

    Raises:
        UsageError: ``licenses`` is empty.
    """
    unique = list({entry.id: entry for entry in licenses}.values())
    if not unique:
        raise UsageError(f"no license given to judge {model.id!r}")
    verdicts = [judge(model, entry, use) for entry in unique]
    if len(verdicts) == 1 and lineage_note is None:
        return verdicts[0]
    combined: VerdictValue = "allowed"
    for verdict in verdicts:
        combined = stricter(combined, verdict.verdict)
    deciding = next(v for v in verdicts if v.verdict == combined)
    ids = [entry.id for entry in unique]
    note = lineage_note or f"{model.id} is bound by several licenses"
    lineage = Reason(
        "lineage",
        f"{note}; judged under {', '.join(ids)}: the strictest verdict ({combined}, from "
        f"{deciding.license}) applies",
        model.sources.get("license"),
    )
    obligations = _unique(o for v in verdicts for o in v.obligations)
    merged = [
        replace(reason, detail=f"[{v.license}] {reason.detail}")
        for v in verdicts
        for reason in v.reasons
    ]
    merged.sort(key=lambda r: -SEVERITY[r.effect])
    return Verdict(
        model=model.id,
        license=deciding.license,
        verdict=combined,
        obligations=obligations,
        reasons=[lineage, *merged],
        licenses=tuple(ids),
    )


@dataclass
class _Judgement:
    """Collects what each term says, then ranks it into a verdict."""

    license: LicenseEntry
    reasons: list[Reason] = field(default_factory=list)
    obligations: list[tuple[VerdictValue, str]] = field(default_factory=list)

    def source(self, term: LicenseTerm) -> str:
        return term.source or self.license.source

    def add(
        self,
        name: str,
        effect: VerdictValue,
        detail: str,
        *,
        term: LicenseTerm | None = None,
        source: str | None = None,
        obligation: str | None = None,
    ) -> None:
        """Record a reason (citing ``term``'s clause) and, optionally, an obligation."""
        cited = f"{detail}: {term.clause}" if term is not None else detail
        where = source if source is not None else (self.source(term) if term else None)
        self.reasons.append(Reason(name, cited, where, effect))
        if obligation is not None:
            clause = f": {term.clause}" if term is not None else ""
            self.obligations.append((effect, f"{obligation}{clause} ({self.license.name})"))

    def verdict(self, model: Model) -> Verdict:
        result: VerdictValue = "allowed"
        for reason in self.reasons:
            result = stricter(result, reason.effect)
        reasons = sorted(self.reasons, key=lambda r: -SEVERITY[r.effect])
        ranked = sorted(self.obligations, key=lambda item: -SEVERITY[item[0]])
        return Verdict(
            model=model.id,
            license=self.license.id,
            verdict=result,
            obligations=_unique(text for _, text in ranked),
            reasons=reasons,
            licenses=(self.license.id,),
        )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _judge_terms(j: _Judgement, model: Model, lic: LicenseEntry, use: IntendedUse) -> None:
    """Read, in a fixed order, every term ``use`` needs."""
    _use_restrictions(j, lic)
    _commercial(j, lic, use)
    _mau(j, lic, use)
    if model.is_api:
        _api_only(j, model, lic, use)
    else:
        if use.modify:
            _permission(
                j,
                lic,
                "modification",
                "modifying the weights",
                "Modify only within the license's scope",
            )
        if use.distribute == "weights":
            _permission(
                j,
                lic,
                "redistribution",
                "redistributing the original weights",
                "Redistribute the weights as the license requires",
                notice=True,
            )
        if use.distribute == "derivatives":
            _permission(
                j,
                lic,
                "derivatives_redistribution",
                "redistributing derived weights",
                "Redistribute derivatives as the license requires",
                notice=True,
            )
    output_terms = lic.term("output_training_restriction").value == "conditional"
    if use.train_on_outputs:
        _outputs(j, lic)
    shares = use.distribute != "none" or use.host_api
    if shares or (use.train_on_outputs and output_terms):
        _attribution(j, lic)
    made_available = use.distribute == "derivatives" or (use.modify and use.host_api)
    if made_available or (use.train_on_outputs and output_terms):
        _restriction(
            j,
            lic,
            "naming_requirement",
            "the license sets a naming rule",
            "Name derived models as required",
        )
    if shares:
        _restriction(
            j,
            lic,
            "copyleft",
            "recipients must get the license's terms",
            "Pass the license terms (and use restrictions) on to recipients",
        )
    _hosting(j, model, lic, use)
    if use.use == "commercial" or use.host_api:
        _royalties(j, lic)


def _unknown(j: _Judgement, name: str, term: LicenseTerm) -> None:
    j.add(name, "unknown", "this use needs a term that could not be verified", term=term)


def _use_restrictions(j: _Judgement, lic: LicenseEntry) -> None:
    term = lic.term("use_restrictions")
    if term.value == "no":
        j.add("use_restrictions", "allowed", "no use restrictions", term=term)
    elif term.value == "unknown":
        _unknown(j, "use_restrictions", term)
    else:
        j.add(
            "use_restrictions",
            "conditional",
            "the license restricts how the model may be used",
            term=term,
            obligation="Comply with the use restrictions",
        )


def _commercial(j: _Judgement, lic: LicenseEntry, use: IntendedUse) -> None:
    term = lic.term("commercial_use")
    if use.use != "commercial":
        if term.value == "no":
            j.add(
                "commercial_use",
                "allowed",
                f"{use.use} use is non-commercial, which the license permits",
                term=term,
            )
        return
    if term.value == "yes":
        j.add("commercial_use", "allowed", "commercial use is granted", term=term)
    elif term.value == "no":
        j.add("commercial_use", "forbidden", "the license does not grant commercial use", term=term)
    elif term.value == "unknown":
        _unknown(j, "commercial_use", term)
    elif lic.term("mau_limit").value == "yes" or lic.term("hosting").value == "no":
        # The condition is a user cap or a hosting ban; those terms are judged on their own.
        judged = "the user cap (mau_limit)" if lic.term("mau_limit").value == "yes" else "hosting"
        j.add(
            "commercial_use",
            "allowed",
            f"commercial use is granted; its condition is judged under {judged}",
            term=term,
        )
    else:
        j.add(
            "commercial_use",
            "conditional",
            "commercial use is granted only on a condition",
            term=term,
            obligation="Meet the commercial-use condition",
        )


def _mau(j: _Judgement, lic: LicenseEntry, use: IntendedUse) -> None:
    term = lic.term("mau_limit")
    cap = lic.mau_limit
    asked = use.mau is not None or use.use == "commercial"
    if term.value == "no":
        if use.mau is not None:
            j.add("mau_limit", "allowed", "no monthly-active-user cap", term=term)
    elif term.value == "unknown" or cap is None:
        if asked:
            _unknown(j, "mau_limit", term)
    elif use.mau is not None:
        if use.mau > cap:
            j.add(
                "mau_limit",
                "forbidden",
                f"{use.mau:,} monthly active users exceed the license's cap of {cap:,}",
                term=term,
            )
        else:
            j.add(
                "mau_limit",
                "allowed",
                f"{use.mau:,} monthly active users are within the cap of {cap:,}",
                term=term,
            )
    elif use.use == "commercial":
        j.add(
            "mau_limit",
            "conditional",
            f"the license stops at {cap:,} monthly active users",
            term=term,
            obligation=f"Stay at or below {cap:,} monthly active users or obtain a separate license",
        )


def _api_only(j: _Judgement, model: Model, lic: LicenseEntry, use: IntendedUse) -> None:
    """Vendor terms of an API-only model: no weights leave the vendor."""
    vendor = model.api.vendor if model.api is not None else model.publisher
    if use.distribute != "none":
        name = "redistribution" if use.distribute == "weights" else "derivatives_redistribution"
        j.add(
            "access",
            "forbidden",
            f"{model.name} is API-only (access: api): {vendor} releases no weights, so none can be "
            f"distributed",
            source=model.sources.get("access"),
        )
        term = lic.term(name)
        if term.value != "yes":
            j.add(
                name, "forbidden", f"{vendor}'s terms grant no {name.replace('_', ' ')}", term=term
            )
    if use.modify:
        term = lic.term("modification")
        if "api-finetune" in model.tunability:
            j.add(
                "modification",
                "conditional",
                f"{vendor} offers fine-tuning of {model.name} through its API",
                term=term,
                obligation=f"Fine-tune only through {vendor}'s fine-tuning API; the tuned model stays hosted by {vendor}",
            )
        else:
            j.add(
                "modification",
                "forbidden",
                f"{model.name} is API-only and {vendor} offers no fine-tuning for it",
                term=term,
            )


def _permission(
    j: _Judgement,
    lic: LicenseEntry,
    name: str,
    action: str,
    obligation: str,
    *,
    notice: bool = False,
) -> None:
    term = lic.term(name)
    if term.value == "yes":
        j.add(
            name,
            "allowed",
            f"{action} is granted",
            term=term,
            obligation=obligation if notice else None,
        )
    elif term.value == "no":
        j.add(name, "forbidden", f"the license does not grant {action}", term=term)
    elif term.value == "unknown":
        _unknown(j, name, term)
    else:
        j.add(
            name,
            "conditional",
            f"{action} is granted only within limits",
            term=term,
            obligation=obligation,
        )


def _restriction(j: _Judgement, lic: LicenseEntry, name: str, detail: str, obligation: str) -> None:
    term = lic.term(name)
    if term.value == "no":
        j.add(name, "allowed", "no such duty", term=term)
    elif term.value == "unknown":
        _unknown(j, name, term)
    else:
        j.add(name, "conditional", detail, term=term, obligation=obligation)


def _attribution(j: _Judgement, lic: LicenseEntry) -> None:
    term = lic.term("attribution")
    if term.value == "no":
        j.add("attribution", "allowed", "no attribution required", term=term)
    elif term.value == "unknown":
        _unknown(j, "attribution", term)
    elif term.value == "yes":
        # Notices are the kind of duty that keeps a verdict "allowed".
        j.add(
            "attribution",
            "allowed",
            "notices must accompany the model or product",
            term=term,
            obligation="Keep the required notices",
        )
    else:
        j.add(
            "attribution",
            "conditional",
            "attribution is required on conditions",
            term=term,
            obligation="Attribute as the license requires",
        )


def _outputs(j: _Judgement, lic: LicenseEntry) -> None:
    term = lic.term("output_training_restriction")
    if term.value == "no":
        j.add("output_training_restriction", "allowed", "outputs may train other models", term=term)
    elif term.value == "yes":
        j.add(
            "output_training_restriction",
            "forbidden",
            "the license forbids using its outputs to train or improve other models",
            term=term,
        )
    elif term.value == "unknown":
        _unknown(j, "output_training_restriction", term)
    else:
        j.add(
            "output_training_restriction",
            "conditional",
            "models trained on its outputs carry conditions",
            term=term,
            obligation="Train on outputs only as the license allows",
        )


def _hosting(j: _Judgement, model: Model, lic: LicenseEntry, use: IntendedUse) -> None:
    term = lic.term("hosting")
    if use.host_api:
        if term.value == "yes":
            j.add(
                "hosting",
                "allowed",
                "offering the model as a hosted service is permitted",
                term=term,
            )
        elif term.value == "no":
            j.add(
                "hosting",
                "forbidden",
                "offering the model to third parties as a hosted service is not licensed",
                term=term,
            )
        elif term.value == "unknown":
            _unknown(j, "hosting", term)
        else:
            j.add(
                "hosting",
                "conditional",
                "hosting is permitted only within limits",
                term=term,
                obligation="Host the model only within the license's limits",
            )
    elif term.value == "no" and not model.is_api and use.use == "commercial":
        # Falcon 180B: use in the background of an app is fine, a hosted API is not.
        j.add(
            "hosting",
            "conditional",
            "the license excludes hosting the model as a service",
            term=term,
            obligation="Do not offer the model to third parties as a hosted inference or fine-tuning service",
        )


def _royalties(j: _Judgement, lic: LicenseEntry) -> None:
    term = lic.term("royalties")
    if term.value == "no":
        j.add("royalties", "allowed", "no royalties", term=term)
    elif term.value == "unknown":
        _unknown(j, "royalties", term)
    elif term.value == "yes":
        j.add(
            "royalties",
            "conditional",
            "the license charges royalties or fees",
            term=term,
            obligation="Pay the royalties or fees",
        )
    else:
        j.add(
            "royalties",
            "conditional",
            "royalties may apply",
            term=term,
            obligation="Check whether royalties apply",
        )
