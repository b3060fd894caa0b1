"""Models for an approach: the search engine's ranked answer, judged one page at a time.

The search (``catalog.search``) already leaves out what cannot qualify: models that
``license check`` finds forbidden for the intended use (modification implied when the approach
trains; a derivative's base models' licenses included), models that do not support the tuning
method, API models when the data must stay on premises, retired models, and models whose
inference does not fit one device of the machine. Each remaining model gets its license verdict,
its cost from the estimator and its fit, and is scored (:mod:`catalog.advisor.scoring`). At most
:data:`SCAN_LIMIT` models are judged per query, so a large store stays fast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.advisor.costs import Cost, approach_cost, gpu_only, short_window
from catalog.advisor.scoring import score

if TYPE_CHECKING:
    from catalog.advisor.answers import Answers
    from catalog.advisor.approaches import Approach, ApproachInfo
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.fit.hardware import Hardware
    from catalog.licenses import IntendedUse, Verdict
    from catalog.schema import LicenseEntry
    from catalog.search import Filters, FitQuery

PAGE = 50
SCAN_LIMIT = 400
"""Models judged per query at most."""
POOL = 20
"""Qualifying models collected per query before ranking (at least ``top``)."""
LOCAL_ACCESS = ("open", "gated", "request")


@dataclass(frozen=True)
class Candidate:
    """One model for an approach, with its score and the working behind it."""

    model: Model
    score: float
    why: tuple[str, ...]
    cost: Cost
    verdict: Verdict
    short_window: tuple[int, int] | None = None
    """``(window, needed)``: the model's context window is smaller than the approach needs
    (penalised in ``score``, flagged in every front end)."""

    def to_json(self) -> dict[str, Any]:
        """The shortlist entry of ``modelcat advise --format json``."""
        cost, verdict = self.cost, self.verdict
        return {
            "model": self.model.id,
            "name": self.model.name,
            "score": self.score,
            "why": "; ".join(self.why),
            "trainable_params": cost.trainable_params,
            "memory_bytes": cost.memory_bytes,
            "memory_what": cost.memory_what,
            "memory_approximate": cost.approximate,
            "storage_per_task_bytes": cost.storage_per_task_bytes,
            "license_verdict": verdict.verdict,
            "license": verdict.license,
            "license_obligations": list(verdict.obligations),
            "fit": cost.fit.to_json(),
            "params": self.model.params,
            "access": self.model.access,
            "vendor": cost.vendor,
            "estimate_command": cost.command,
            "context_window_short": (
                {"window": self.short_window[0], "needed": self.short_window[1]}
                if self.short_window
                else None
            ),
        }


@dataclass(frozen=True)
class Found:
    """The ranked candidates of one approach."""

    approach: Approach
    candidates: tuple[Candidate, ...]
    fits_here: bool
    """At least one local candidate fits (always true when every candidate runs at a vendor)."""
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None


@dataclass
class Search:
    """Finds and ranks candidates per approach for one set of answers (results are cached)."""

    cat: Catalog
    answers: Answers
    hardware: Hardware
    licenses: dict[str, LicenseEntry]
    use: IntendedUse
    _found: dict[str, Found] = field(default_factory=dict)

    def find(self, info: ApproachInfo) -> Found:
        """The candidates for ``info``'s approach, best first."""
        cached = self._found.get(info.approach)
        if cached is None:
            cached = self._search(info)
            self._found[info.approach] = cached
        return cached

    def intended(self, info: ApproachInfo) -> IntendedUse:
        """The intended use, with modification when the approach trains."""
        return dataclasses.replace(self.use, modify=self.use.modify or info.trains)

    def _search(self, info: ApproachInfo) -> Found:
        from catalog.search import FitQuery
        from catalog.units import parse_count

        answers = self.answers
        limit = None if answers.max_params is None else parse_count(answers.max_params)
        if not info.local:
            if answers.on_prem:
                return Found(info.approach, (), False, ("on premises: no vendor fine-tuning",))
            kept, _ = self._scan(info, self.filters(info, (), limit))
            return Found(info.approach, _ranked(kept), bool(kept))
        notes: list[str] = []
        machine = self.hardware if info.method == "prompt_engineering" else gpu_only(self.hardware)
        dtype = None if info.method == "prompt_engineering" else (
            "int4" if info.method == "qlora" else "bf16"
        )  # fmt: skip
        fits: FitQuery | None = FitQuery(hardware=machine, dtype=dtype)
        local = self.filters(info, LOCAL_ACCESS, limit, fits=fits)
        if self.cat.count(local, cap=0) == 0:
            # Nothing fits: judge without the fit, to show what needs the least memory.
            notes.append("nothing of any size fits this machine for this approach")
            local = self.filters(info, LOCAL_ACCESS, limit)
        kept, misses = self._scan(info, local)
        if info.method == "prompt_engineering" and not answers.on_prem:
            api, _ = self._scan(info, self.filters(info, ("api",), None))
            kept += api
        local_fits = any(not c.model.is_api for c in kept)
        if not kept:
            # Nothing fits: show what needs the least memory, so the user knows what to get.
            misses.sort(key=lambda c: (c.cost.memory_bytes or 0, -c.score, c.model.id))
            return Found(info.approach, tuple(misses), False, tuple(notes))
        return Found(info.approach, _ranked(kept), local_fits or not misses, tuple(notes))

    def filters(
        self,
        info: ApproachInfo,
        access: tuple[str, ...],
        limit: int | None,
        *,
        fits: FitQuery | None = None,
    ) -> Filters:
        """What the search keeps for ``info``'s approach (the advisor's candidate filter)."""
        from catalog.search import make_filters

        return make_filters(
            access=access,
            tunable=(info.tunable,) if info.tunable else (),
            max_params=limit,
            use=self.intended(info),
            hide_retired=True,  # a model its vendor no longer serves cannot be recommended
            fits=fits,
        )

    def _scan(
        self, info: ApproachInfo, filters: Filters
    ) -> tuple[list[Candidate], list[Candidate]]:
        from catalog.search import SHORTLIST_SORT
        from catalog.sync.lineage import check_with_lineage

        pool = max(POOL, self.answers.top)
        kept: list[Candidate] = []
        misses: list[Candidate] = []
        offset = 0
        while len(kept) < pool and offset < SCAN_LIMIT:
            page = self.cat.query(filters, sort=SHORTLIST_SORT, top=PAGE, offset=offset)
            verdicts = check_with_lineage(self.cat, page, self.licenses, self.intended(info))
            for model, verdict in zip(page, verdicts, strict=True):
                candidate = self._judge(model, info, verdict)
                if candidate is None:
                    continue
                level = candidate.cost.fit.level
                (misses if level == "no" else kept).append(candidate)
            if len(page) < PAGE:
                break
            offset += PAGE
        return kept, misses

    def _judge(self, model: Model, info: ApproachInfo, verdict: Verdict) -> Candidate | None:
        if model.kind != "decoder":
            return None  # BERT and T5 are catalogued for reference: they do not generate answers
        cost = approach_cost(
            model,
            info,
            self.hardware,
            examples=self.answers.examples,
            context=self.answers.context,
            cat=self.cat,
        )
        if cost.fit.level == "n/a" and info.local and not model.is_api:
            return None  # an open model of unknown size: nothing shows it fits
        # Only prompting-style approaches send whole documents or examples in each request.
        short = (
            short_window(model, info.approach, self.answers.context)
            if info.method == "prompt_engineering"
            else None
        )
        total, why = score(
            model,
            info,
            self.answers,
            verdict=verdict,
            cost=cost,
            commercial_use=self.licenses[model.license].term("commercial_use").value,
            short=short,
        )
        return Candidate(model, total, tuple(why), cost, verdict, short)


def _ranked(candidates: list[Candidate]) -> tuple[Candidate, ...]:
    return tuple(sorted(candidates, key=lambda c: (-c.score, c.model.id)))


__all__ = ["Candidate", "Found", "Search"]
