"""``sync_catalog``: enrich the catalog's models from the Hub, incrementally and fault-tolerantly.

1. Cheap check (skipped for repos never synced and under ``full``): sha and lastModified of
   every repo, one listing per author that has several of them, else one small info call.
2. Unchanged repos: the fields that change without a commit (gated, downloads, likes) are
   refreshed and drift re-judged, all in one transaction.
3. Changed, new or failed-last-time repos: the full info and config.json, fetched on
   ``concurrency`` threads; each model is written in its own transaction as it arrives, so a
   sync killed midway leaves every model either as before or fully updated.

Curated rows are never written: Hub facts go to the ``hub_*`` tables, disagreements to
``hub_drift``. Hub-tier rows (discovered models) are refreshed from the Hub, as they come from it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.domain import Model
from catalog.errors import CatalogError, HubOfflineError, HubUnreachableError, UsageError
from catalog.hub import HubClient, HubModel
from catalog.store import hub_store
from catalog.store.engine import STORE_ERRORS, storage_error
from catalog.store.hub_records import HubSnapshot
from catalog.sync.drift import LicenseTable, find_drift
from catalog.sync.fetch import Fetched, cheap_check, fetch_model, needs_fetch
from catalog.sync.pool import run_bounded
from catalog.sync.report import SyncFailure, SyncPhase, SyncProgress, SyncReport
from catalog.sync.snapshots import lineage_links, now, refreshed, snapshot_from
from catalog.sync.storage import store_hub_models

if TYPE_CHECKING:
    from catalog.api import Catalog

Progress = Callable[[SyncProgress], None]
MAX_CONCURRENCY = 32


@dataclass(frozen=True)
class Target:
    """A catalog model to sync and the Hub repo it lives in."""

    model: Model
    repo_id: str


def sync_catalog(
    cat: Catalog,
    *,
    client: HubClient,
    full: bool = False,
    models: Sequence[str] | None = None,
    concurrency: int = 8,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport:
    """Bring Hub facts in for the curated models with a ``hub_id`` (or the ``models`` named).

    Args:
        cat: the catalog to enrich.
        client: the Hub adapter (endpoint, token and offline mode come with it).
        full: fetch every model in full, even those whose sha did not change.
        models: catalog or Hub ids to sync instead of every curated model with a Hub id.
        concurrency: Hub requests in flight at once (1 to 32).
        progress: called with a ``SyncProgress`` after each step (from the calling thread).
        cancel: set it to stop after the requests in flight; the report says what was skipped.

    Returns:
        Which models were synced, unchanged or failed (with reasons), the drift found, and the
        number of HTTP requests sent.

    Raises:
        HubOfflineError: offline mode is on; no request was made and nothing changed.
        HubUnreachableError: the endpoint cannot be reached at all (DNS, refused, no route):
            the sync stops at the first such failure, records nothing for the models it did
            not reach, and keeps the ones finished before.
        UsageError: a bad ``concurrency``, or a named model that is unknown or has no Hub id.
    """
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"concurrency must be between 1 and {MAX_CONCURRENCY}, got {concurrency}")
    if client.offline:
        raise HubOfflineError(
            "sync: offline mode is on (HF_HUB_OFFLINE); the Hub was not contacted"
        )
    targets = _targets(cat, models)
    hub_store.ensure_tables(cat.engine)
    run = _Run(cat, client, targets, concurrency, progress, cancel)
    return run.execute(full=full)


class _Run:
    """One sync: its targets, what is stored, and the report being filled."""

    def __init__(
        self,
        cat: Catalog,
        client: HubClient,
        targets: list[Target],
        concurrency: int,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.cat = cat
        self.client = client
        self.targets = {t.repo_id: t for t in targets}
        self.concurrency = concurrency
        self.progress = progress
        # Set by the caller to cancel, or by the run itself once the Hub is out of reach.
        self.cancel = cancel if cancel is not None else threading.Event()
        self.unreachable: HubUnreachableError | None = None
        self.report = SyncReport()
        self.licenses = LicenseTable.of({lic.id: lic for lic in cat.licenses()})
        self.start_requests = client.requests_made
        self.cheap: dict[str, HubModel] = {}
        self.steps = 0

    def execute(self, *, full: bool) -> SyncReport:
        with self.cat.connect() as conn:
            stored = hub_store.load_snapshots(conn, self.targets)
        curated_hub_ids = [t.repo_id for t in self.targets.values() if t.model.tier == "curated"]
        with self.cat.engine.begin() as conn:
            hub_store.remove_hub_duplicates(conn, curated_hub_ids)
        to_check = [] if full else [r for r in self.targets if r in stored and stored[r].sha]
        self.total = len(self.targets) + len(to_check)
        skipped = self._check(to_check)
        self.report.skipped += [self.targets[r].model.id for r in skipped]
        unchanged: list[str] = []
        to_fetch: list[str] = []
        for repo_id in self.targets:
            if repo_id in skipped or self._failed(repo_id):
                continue
            if needs_fetch(stored.get(repo_id), self.cheap.get(repo_id), full=full):
                to_fetch.append(repo_id)
            else:
                unchanged.append(repo_id)
        self._store_unchanged(unchanged, stored)
        self.steps += len(unchanged)
        fetched_skipped = run_bounded(
            to_fetch,
            lambda repo_id: fetch_model(self.client, repo_id),
            concurrency=self.concurrency,
            cancel=self.cancel,
            on_done=self._fetched,
        )
        self.report.skipped += [self.targets[r].model.id for r in fetched_skipped]
        if self.unreachable is not None:
            kept = len(self.report.synced) + len(self.report.unchanged)
            raise HubUnreachableError(
                self.unreachable.endpoint, self.unreachable.reason, kept=kept
            ) from self.unreachable
        self.report.cancelled = self.cancel.is_set()
        self.report.requests = self.client.requests_made - self.start_requests
        self.report.sort()
        self._tell("done", len(self.targets), len(self.targets), str(self.report))
        return self.report

    # ---- steps ---------------------------------------------------------------------------

    def _check(self, repo_ids: list[str]) -> list[str]:
        if not repo_ids:
            return []
        authors: dict[str, int] = {}
        for repo_id in repo_ids:
            if "/" in repo_id:
                author = repo_id.split("/", 1)[0]
                authors[author] = authors.get(author, 0) + 1
        # A listing beats single calls once an author has two repos to check.
        listed = [a for a, n in authors.items() if n > 1]

        def checked(repo_id: str, answer: HubModel | None, error: CatalogError | None) -> None:
            self.steps += 1
            if error is not None:
                self._fail(repo_id, error)
            elif answer is not None:
                self.cheap[repo_id] = answer
                self._tell("check", self.steps, self.total, f"checked {repo_id}", repo_id)

        return cheap_check(
            self.client,
            repo_ids,
            listed_authors=listed,
            concurrency=self.concurrency,
            cancel=self.cancel,
            on_done=checked,
        )

    def _store_unchanged(self, repo_ids: list[str], stored: dict[str, HubSnapshot]) -> None:
        if not repo_ids:
            return
        at = now()
        fresh = [refreshed(stored[r], self.cheap[r], at=at) for r in repo_ids]
        with self.cat.engine.begin() as conn:
            hub_store.refresh_volatile(conn, fresh)
            for snapshot in fresh:
                model = self.targets[snapshot.repo_id].model
                if model.tier == "curated":
                    drift = find_drift(model, snapshot, self.licenses)
                    hub_store.replace_drift(conn, model.id, drift, at=at)
                    self.report.drift += drift
        self.report.unchanged += [self.targets[r].model.id for r in repo_ids]
        self._tell("check", self.steps + len(repo_ids), self.total, f"{len(repo_ids)} unchanged")

    def _fetched(self, repo_id: str, result: Fetched | None, error: CatalogError | None) -> None:
        self.steps += 1
        if error is not None or result is None:
            self._fail(repo_id, error or CatalogError("no answer"))
            return
        target = self.targets[repo_id]
        model = target.model
        at = now()
        curated = model.tier == "curated"
        try:  # one model that cannot be stored fails alone; the others are still written
            snapshot = snapshot_from(
                result.info,
                repo_id=repo_id,
                config=result.config,
                config_note=result.config_note,
                at=at,
            )
            drift = find_drift(model, snapshot, self.licenses) if curated else []
            with self.cat.engine.begin() as conn:
                if not curated:  # the row first: write_repo derives its lineage columns from it
                    store_hub_models(conn, [result.info], self.client.endpoint, self.licenses)
                hub_store.write_repo(
                    conn,
                    snapshot,
                    lineage=lineage_links(repo_id, result.info),
                    drift=(model.id, drift, at) if curated else None,
                )
        except STORE_ERRORS as exc:
            self._fail(repo_id, storage_error(exc, self.cat.engine))
            return
        self.report.synced.append(model.id)
        self.report.drift += drift
        notes = [*result.info.warnings, *([result.config_note] if result.config_note else [])]
        self.report.warnings += [{"model": model.id, "warning": note} for note in notes]
        self._tell("fetch", self.steps, self.total, f"synced {model.id}", model.id)

    # ---- helpers -------------------------------------------------------------------------

    def _fail(self, repo_id: str, error: CatalogError) -> None:
        if isinstance(error, HubUnreachableError):
            # Not this model's fault: every other request would fail the same way. Stop, and
            # record nothing against the models (the store stays as it was).
            self.unreachable = self.unreachable or error
            self.cancel.set()
            return
        model_id = self.targets[repo_id].model.id
        reason = str(error) or type(error).__name__
        hub_store.record_failure(self.cat.engine, repo_id, reason, at=now())
        self.report.failed.append(SyncFailure(model_id, reason, repo_id))
        self._tell("fetch", self.steps, self.total, f"{model_id} failed: {reason}", model_id)

    def _failed(self, repo_id: str) -> bool:
        model_id = self.targets[repo_id].model.id
        return any(f.model == model_id for f in self.report.failed)

    def _tell(
        self, phase: SyncPhase, done: int, total: int, message: str, model: str | None = None
    ) -> None:
        if self.progress is not None:
            self.progress(SyncProgress(phase, done, total, message, model))


def _targets(cat: Catalog, names: Sequence[str] | None) -> list[Target]:
    if names is None:
        with cat.connect() as conn:
            models = hub_store.curated_with_hub_id(conn)
    else:
        models = [cat.get(name) for name in dict.fromkeys(names)]
        missing = [m.id for m in models if not m.hub_id]
        if missing:
            raise UsageError(f"no Hub repository to sync for {', '.join(missing)} (no hub_id)")
    targets: dict[str, Target] = {}
    for model in models:
        assert model.hub_id is not None
        targets.setdefault(model.hub_id, Target(model, model.hub_id))
    return list(targets.values())
