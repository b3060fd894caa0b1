"""The advisor's answer: the approach, the reasoning, the alternatives and the models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.advisor.approaches import INFO, Approach

if TYPE_CHECKING:
    from catalog.advisor.alternatives import Alternative
    from catalog.advisor.answers import Answers
    from catalog.advisor.candidates import Candidate
    from catalog.fit.hardware import Hardware
    from catalog.licenses import IntendedUse


@dataclass(frozen=True)
class Advice:
    """A reasoned adaptation plan and a ranked shortlist of models for it.

    Attributes:
        approach: the recommended approach.
        rule: the decision rule that chose it (``R1`` ... ``R8``, see :mod:`catalog.advisor`).
        checklist: ``(step, finding)`` pairs in checklist order.
        alternatives: the other approaches, viable first, cheapest first.
        shortlist: models for the approach, best first.
        fits_here: at least one shortlisted model fits this machine (or runs at a vendor).
        answers: the inputs, validated.
        use: the intended use the licenses were judged for (modification added when tuning).
        hardware: the machine judged.
    """

    approach: Approach
    rule: str
    checklist: tuple[tuple[str, str], ...]
    alternatives: tuple[Alternative, ...]
    shortlist: tuple[Candidate, ...]
    fits_here: bool
    answers: Answers
    use: IntendedUse
    hardware: Hardware

    @property
    def reasons(self) -> list[str]:
        """The checklist as sentences: ``"use case: ..."``."""
        return [f"{step}: {finding}" for step, finding in self.checklist]

    def plan(self) -> str:
        """A short plan in words (the TUI's summary)."""
        info = INFO[self.approach]
        top = self.shortlist[0].model.id if self.shortlist else "no model found"
        return f"{info.label}: {dict(self.checklist)['decision']}. Start with {top}."

    def to_json(self) -> dict[str, Any]:
        """``{"approach", "reasons", "alternatives", "shortlist", ...}`` (keys are stable)."""
        info = INFO[self.approach]
        return {
            "approach": self.approach,
            "kind": info.kind,
            "label": info.label,
            "rule": self.rule,
            "reasons": self.reasons,
            "checklist": [{"step": s, "finding": f} for s, f in self.checklist],
            "pros": list(info.pros),
            "cons": list(info.cons),
            "alternatives": [a.to_json() for a in self.alternatives],
            "shortlist": [c.to_json() for c in self.shortlist],
            "fits_here": self.fits_here,
            "inputs": self.answers.to_json(),
            "intended_use": self.use.to_json(),
            "hardware": self.hardware.to_json(),
            "plan": self.plan(),
            "models": [{"id": c.model.id, "reason": "; ".join(c.why)} for c in self.shortlist],
        }


__all__ = ["Advice"]
