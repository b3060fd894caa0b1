"""One exception tree for modelcat, and the exit codes the CLI maps it to.

    CatalogError                 anything modelcat reports to a user
    ├── UsageError               bad arguments or flag values                   -> exit 2
    ├── DataFileError            a curated YAML file is malformed (file, line)  -> exit 2
    ├── UnknownModelError        no model with that id (close matches attached) -> exit 2
    ├── UnknownLicenseError      no license with that id                        -> exit 2
    ├── StorageError             the database cannot be opened or written       -> exit 2
    ├── HubError                 the Hub could not be reached or answered badly -> exit 1
    │   ├── HubOfflineError      HF_HUB_OFFLINE is set
    │   ├── HubUnreachableError  no connection to the endpoint at all (DNS, refused, no route)
    │   └── GatedModelError      the repository needs an access grant
    ├── EstimateError            a config cannot be turned into an estimate     -> exit 2
    └── BenchmarkError           a local model cannot be loaded or measured     -> exit 2
        └── UnsafeModelError     loading would run remote code or unpickle data -> exit 2

stdout carries data; these messages go to stderr. ``Cancelled`` is not in the tree: it ends
work its caller asked to stop, and nobody reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, stable for scripts and CI pipelines."""

    OK = 0
    """Everything worked and every verdict passed."""
    FAILED = 1
    """A compliance or check verdict failed (a forbidden use, a failed sync of some models)."""
    USAGE = 2
    """Bad usage or bad input: unknown flag value, malformed file, unknown model."""


class CatalogError(Exception):
    """Base class of every error modelcat reports to a user."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(CatalogError):
    """An argument or flag value is invalid."""


MAX_MESSAGE = 300
"""Characters of one problem's message; a value quoted in it is cut before that."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file, located precisely enough to fix it."""

    file: str
    line: int | None
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        from catalog.text import clip, printable

        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.entry:
            parts.append(f"entry {clip(self.entry, 80)!r}")
        if self.field:
            parts.append(f"field {clip(self.field, 80)!r}")
        # Messages quote the file's values: never more than a line, never a control character.
        return printable(f"{': '.join(parts)}: {clip(self.message, MAX_MESSAGE)}")


class DataFileError(CatalogError):
    """One or more curated data files are malformed; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnknownModelError(CatalogError):
    """No model has the given id; ``suggestions`` holds close matches."""

    def __init__(self, model_id: str, suggestions: list[str]) -> None:
        self.model_id = model_id
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown model {model_id!r}.{hint}")


class UnknownLicenseError(CatalogError):
    """No license has the given id."""

    def __init__(self, license_id: str, suggestions: list[str]) -> None:
        self.license_id = license_id
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown license {license_id!r}.{hint}")


class StorageError(CatalogError):
    """The database cannot be opened, created or written."""


class HubError(CatalogError):
    """The Hugging Face Hub could not be reached or gave an unusable answer."""

    exit_code = ExitCode.FAILED


class HubOfflineError(HubError):
    """Offline mode (``HF_HUB_OFFLINE``) forbids any request."""


class HubUnreachableError(HubError):
    """No connection to the Hub endpoint at all (name not resolved, refused, unreachable).

    Not about one model: every further request would fail the same way, so a sync stops.
    """

    def __init__(self, endpoint: str, reason: str, *, kept: int = 0) -> None:
        self.endpoint = endpoint
        self.reason = reason
        done = f"; the {kept} models synced before it are kept" if kept else ""
        super().__init__(
            f"cannot reach the Hub at {endpoint}: {reason}{done}. Working offline? "
            "HF_HUB_OFFLINE=1 keeps modelcat from trying (the catalog works without the Hub)"
        )


class GatedModelError(HubError):
    """The repository is gated and the token (if any) has no access."""


class EstimateError(CatalogError):
    """A model or config cannot be turned into an estimate."""


class BenchmarkError(CatalogError):
    """A local model cannot be loaded or measured."""


class UnsafeModelError(BenchmarkError):
    """Loading the model would run its remote code or unpickle data without consent."""


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code a CLI process ends with for ``error``."""
    if isinstance(error, CatalogError):
        return error.exit_code
    return ExitCode.USAGE


class Cancelled(Exception):
    """Work stopped because its caller set the cancel event it passed (nothing to report)."""
