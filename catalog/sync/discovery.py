"""``discover``: store uncurated Hub models as the ``hub`` tier, a listing page at a time.

One request per 1000 models (``list_models`` follows the ``Link: rel="next"`` pages), with
everything the tier needs expanded in the listing itself: no per-model request. Pages are
written by ``catalog.sync.storage.ListingWriter``: each in one transaction (models, snapshots,
lineage) at first, in bulk rounds (indexes rebuilt once per round) once the run has written as
many models as the store held. A cancelled or failed discovery keeps the pages and rounds it
finished; a second Ctrl-C rolls back the round in progress. Curated repos are counted but
never written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog.errors import CatalogError, HubOfflineError, HubUnreachableError, UsageError
from catalog.hub import MAX_PAGE_SIZE, HubClient, HubModel
from catalog.store import hub_store
from catalog.store.engine import STORE_ERRORS, analyze, storage_error
from catalog.sync.drift import LicenseTable
from catalog.sync.hub_model import hub_model_id
from catalog.sync.report import SyncFailure, SyncProgress, SyncReport
from catalog.sync.storage import ListingWriter, PageWritten, RoundLost

if TYPE_CHECKING:
    from catalog.api import Catalog

DISCOVERY_EXPAND = (
    "sha", "lastModified", "createdAt", "gated", "private", "disabled", "downloads", "likes",
    "tags", "pipeline_tag", "library_name", "cardData", "config", "safetensors", "baseModels",
)  # fmt: skip
LISTING = "hub listing"
"""The ``model`` a failed listing is reported under."""


def discover(
    cat: Catalog,
    *,
    client: HubClient,
    author: str | None = None,
    search: str | None = None,
    pipeline_tag: str | None = None,
    min_downloads: int | None = None,
    limit: int | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport:
    """Page through the Hub's model listing and store what is not curated as the ``hub`` tier.

    Args:
        cat: the catalog to add to.
        client: the Hub adapter.
        author: only this user's or organisation's models.
        search: only repo ids containing this text.
        pipeline_tag: only this task (``text-generation``).
        min_downloads: only models with at least this many downloads (last 30 days); the
            listing is then sorted by downloads and stops at the first model below it.
        limit: at most this many models from the listing.
        progress: called after each listing page.
        cancel: set it to stop after the page being read.

    Returns:
        ``synced``: Hub-tier ids stored new or changed; ``unchanged``: same sha as stored;
        ``discovered``: models listed (curated ones included); ``failed``: a listing that broke.

    Raises:
        HubOfflineError: offline mode is on; nothing was requested.
        UsageError: a negative ``limit`` or ``min_downloads``, or an invalid author.
    """
    for name, value in (("limit", limit), ("min_downloads", min_downloads)):
        if value is not None and value < 0:
            raise UsageError(f"{name} must be >= 0, got {value}")
    if client.offline:
        raise HubOfflineError(
            "discovery: offline mode is on (HF_HUB_OFFLINE); the Hub was not contacted"
        )
    hub_store.ensure_tables(cat.engine)
    start = client.requests_made
    listing = client.list_models(
        author=author,
        search=search,
        pipeline_tag=pipeline_tag,
        sort="downloads" if min_downloads else None,
        limit=limit,
        expand=DISCOVERY_EXPAND,
        page_size=MAX_PAGE_SIZE,
    )
    run = _Discovery(cat, client, progress)
    try:
        try:
            for info in listing:
                if min_downloads and (info.downloads or 0) < min_downloads:
                    break
                run.add(info)
                if cancel is not None and cancel.is_set():
                    run.report.cancelled = True
                    break
        except CatalogError as exc:
            if isinstance(exc, HubUnreachableError) and run.seen == 0:
                raise  # no answer at all: one line, and the store stays as it was
            run.report.failed.append(SyncFailure(LISTING, str(exc)))
        run.flush()
        run.finish()
    except BaseException:
        run.writer.abort()  # an open bulk round is rolled back whole
        raise
    analyze(cat.engine)
    run.report.requests = client.requests_made - start
    run.report.discovered = run.seen
    run.report.sort()
    if progress is not None:
        progress(SyncProgress("done", run.seen, run.seen, str(run.report)))
    return run.report


class _Discovery:
    """Batches listed models into one transaction per listing page."""

    def __init__(
        self, cat: Catalog, client: HubClient, progress: Callable[[SyncProgress], None] | None
    ) -> None:
        self.cat = cat
        self.client = client
        self.progress = progress
        self.report = SyncReport(discovered=0)
        licenses = LicenseTable.of({lic.id: lic for lic in cat.licenses()})
        with cat.connect() as conn:
            families = hub_store.base_families(conn)
            self.curated = hub_store.curated_hub_ids(conn)
        self.writer = ListingWriter(
            cat.engine, endpoint=client.endpoint, licenses=licenses, families=families
        )
        self.batch: list[HubModel] = []
        self.seen = 0

    def add(self, info: HubModel) -> None:
        self.seen += 1
        if info.repo_id.lower() not in self.curated:
            self.batch.append(info)
            model_id = hub_model_id(info.repo_id)
            self.report.warnings += [{"model": model_id, "warning": w} for w in info.warnings]
        if self.seen % MAX_PAGE_SIZE == 0:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            self._stored(self.writer.write(batch))
        except RoundLost as lost:
            self._lost(lost)
        except STORE_ERRORS:
            for info in batch:  # one model that cannot be stored must not cost the page
                try:
                    self._stored(self.writer.write([info]))
                except RoundLost as lost:
                    self._lost(lost)
                except STORE_ERRORS as exc:
                    error = str(storage_error(exc, self.cat.engine))
                    self.report.failed.append(
                        SyncFailure(hub_model_id(info.repo_id), error, info.repo_id)
                    )
        if self.progress is not None:
            self.progress(SyncProgress("discover", self.seen, None, f"{self.seen} models listed"))

    def finish(self) -> None:
        """Commit an open bulk round."""
        try:
            self._stored(self.writer.finish())
        except RoundLost as lost:
            self._lost(lost)

    def _stored(self, pages: list[PageWritten]) -> None:
        for page in pages:
            self.report.synced += page.synced
            self.report.unchanged += page.unchanged

    def _lost(self, lost: RoundLost) -> None:
        error = str(storage_error(lost.error, self.cat.engine))
        for page in lost.pages:
            for model in page.models:
                self.report.failed.append(SyncFailure(model.id, error, model.hub_id))
