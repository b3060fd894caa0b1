"""License terms, identifier normalisation, the compliance engine, team policies and SARIF.

``check_compliance`` is the one entry point the CLI, the TUI and the advisor share::

    from catalog.licenses import IntendedUse, check_compliance
    verdicts = check_compliance(models, licenses, IntendedUse(mau=900_000_000, modify=True))
"""

from __future__ import annotations

from catalog.licenses.compliance import (
    IntendedUse,
    Reason,
    Verdict,
    check_compliance,
    judge,
    judge_many,
)
from catalog.licenses.identifiers import LicenseIdentifiers, normalize_license_id
from catalog.licenses.policy import Policy, load_policy
from catalog.licenses.sarif import sarif_report
from catalog.licenses.terms import VerdictValue

__all__ = [
    "IntendedUse",
    "LicenseIdentifiers",
    "Policy",
    "Reason",
    "Verdict",
    "VerdictValue",
    "check_compliance",
    "judge",
    "judge_many",
    "load_policy",
    "normalize_license_id",
    "sarif_report",
]
