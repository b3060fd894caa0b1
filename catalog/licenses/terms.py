"""What each structured license term means, and how verdicts rank.

The terms themselves are listed in ``catalog.schema.LICENSE_TERMS``; this module adds the
words the CLI, the TUI and SARIF rules show for them, and the order of verdict severity.
"""

from __future__ import annotations

from typing import Literal, get_args

VerdictValue = Literal["allowed", "conditional", "forbidden", "unknown"]
"""``allowed``: permitted with at most notice-type obligations; ``conditional``: permitted if the
listed obligations are met; ``forbidden``: a term rules the use out; ``unknown``: a term the use
needs could not be verified."""

VERDICTS: tuple[str, ...] = get_args(VerdictValue)

SEVERITY: dict[str, int] = {"allowed": 0, "conditional": 1, "unknown": 2, "forbidden": 3}
"""Higher is stricter: a forbidding term outweighs an unverified one, which outweighs conditions."""

EXTRA_REASON_TERMS: tuple[str, ...] = ("access", "policy", "lineage")
"""Reason terms that are not license terms: the model's access mode, a team policy, a lineage."""

TERM_LABELS: dict[str, str] = {
    "commercial_use": "Commercial use",
    "mau_limit": "Monthly-active-user cap",
    "modification": "Modification / fine-tuning",
    "redistribution": "Redistribution of the weights",
    "derivatives_redistribution": "Redistribution of derivatives",
    "attribution": "Attribution / notices",
    "naming_requirement": "Naming of derivatives",
    "output_training_restriction": "Training other models on outputs",
    "use_restrictions": "Use restrictions (AUP / RAIL)",
    "copyleft": "Copyleft / flow-down",
    "hosting": "Hosting as a service",
    "patent_grant": "Patent grant",
    "royalties": "Royalties / fees",
    "access": "Access mode",
    "policy": "Team policy",
    "lineage": "Lineage",
}

TERM_DESCRIPTIONS: dict[str, str] = {
    "commercial_use": "Whether the license grants use for commercial purposes.",
    "mau_limit": "A monthly-active-user threshold above which the license grants nothing without a separate license.",
    "modification": "Whether the weights may be fine-tuned or otherwise modified.",
    "redistribution": "Whether the original weights may be redistributed, and under which conditions.",
    "derivatives_redistribution": "Whether fine-tuned or otherwise derived weights may be redistributed.",
    "attribution": "Notices, license copies or attribution statements that must accompany the model or product.",
    "naming_requirement": "Rules for naming models derived from this one.",
    "output_training_restriction": "Limits on using the model's outputs to train or improve other models.",
    "use_restrictions": "Acceptable-use policies or RAIL use-based restrictions.",
    "copyleft": "Share-alike duties, including use restrictions that must flow down to recipients.",
    "hosting": "Whether the model itself may be offered to third parties as an inference or fine-tuning service.",
    "patent_grant": "Whether the license grants patent rights.",
    "royalties": "Royalties or fees owed for use.",
    "access": "How the weights can be obtained (API-only models have no weights to distribute).",
    "policy": "A team policy file allowing or denying license ids.",
    "lineage": "A model judged under the licenses of its base models as well as its own.",
}

PERMISSION_TERMS: frozenset[str] = frozenset(
    {
        "commercial_use",
        "modification",
        "redistribution",
        "derivatives_redistribution",
        "hosting",
        "patent_grant",
    }
)
"""Terms where ``yes`` means granted; for the others ``yes`` means the obligation or restriction exists."""


_DUTY_WORDS: dict[str, str] = {"attribution": "required", "mau_limit": "capped"}
"""Obligations read better as what they demand than as "restricted"."""

MEANING_LEGEND = (
    "allowed / not allowed: a right the license grants or withholds (commercial use, "
    "modification, redistribution, hosting, patents); restricted / none: a restriction it "
    "imposes or not (outputs for training, use, naming, copyleft, royalties; notices are "
    "required, a user cap is capped); conditional: only on the terms of the clause; "
    "unknown: the text does not settle it"
)
"""What :func:`term_meaning`'s words mean, for a line under a table of terms."""


def term_meaning(term: str, value: str) -> str:
    """A term's value as words that say which way it cuts.

    ``yes`` on a permission is ``allowed`` but ``yes`` on a restriction is ``restricted``, so
    ``commercial yes`` beside ``outputs->train yes`` no longer reads as two grants.
    ``conditional`` and ``unknown`` stay as they are.
    """
    if value not in ("yes", "no"):
        return value
    if term in PERMISSION_TERMS:
        return "allowed" if value == "yes" else "not allowed"
    return _DUTY_WORDS.get(term, "restricted") if value == "yes" else "none"


def stricter(a: VerdictValue, b: VerdictValue) -> VerdictValue:
    """The stricter of two verdicts."""
    return a if SEVERITY[a] >= SEVERITY[b] else b
