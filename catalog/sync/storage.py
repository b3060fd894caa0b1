"""Hub answers into the store: Hub-tier models, and a whole listing page of a discovery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from catalog.domain import Model
from catalog.hub import HubModel
from catalog.store import hub_store
from catalog.store.bulk import BulkWrite, bulk_write
from catalog.store.engine import STORE_ERRORS, refresh_statistics
from catalog.store.tables import MODEL
from catalog.sync.drift import LicenseTable
from catalog.sync.hub_model import catalog_model, hub_model_id
from catalog.sync.snapshots import lineage_links, now, snapshot_from


@dataclass(frozen=True)
class PageWritten:
    """What one listing page changed: the models written, by catalog id new or unchanged."""

    models: list[Model]
    synced: list[str]
    """Hub-tier ids stored new or with a new commit."""
    unchanged: list[str]
    """Hub-tier ids whose stored commit is the one listed."""


def store_hub_models(
    conn: Connection,
    infos: Sequence[HubModel],
    endpoint: str,
    licenses: LicenseTable,
    *,
    families: Mapping[str, str] | None = None,
) -> list[Model]:
    """Insert or replace the Hub-tier rows of ``infos`` (never a curated row).

    Returns:
        The models written (a repo whose id is taken by a curated model is left out).
    """
    if families is None:
        families = hub_store.base_families(conn)
    models = {
        m.id: m
        for m in (
            catalog_model(i, endpoint=endpoint, licenses=licenses, base_families=families)
            for i in infos
        )
    }
    return hub_store.replace_hub_tier(
        conn, list(models.values()), commercial_use=licenses.commercial_use
    )


def write_listing_page(
    conn: Connection,
    infos: Sequence[HubModel],
    *,
    endpoint: str,
    licenses: LicenseTable,
    families: Mapping[str, str],
    deferred: list[str] | None = None,
) -> PageWritten:
    """Store one discovery listing page: Hub-tier models, their snapshots and lineage.

    Call inside ``engine.begin()``, so a page is written whole or not at all, or inside a bulk
    write (``catalog.store.bulk``) with its ``pending`` list as ``deferred``: the derived
    columns are then refreshed at the bulk's end instead of per page.
    """
    at = now()
    stored = hub_store.load_snapshots(conn, [i.repo_id for i in infos])
    models = store_hub_models(conn, infos, endpoint, licenses, families=families)
    written = {m.hub_id for m in models}
    kept = [i for i in infos if i.repo_id in written]
    hub_store.write_listed(
        conn,
        [snapshot_from(i, repo_id=i.repo_id, config=None, config_note=None, at=at) for i in kept],
        [link for i in kept for link in lineage_links(i.repo_id, i)],
        deferred=deferred,
    )
    refresh_statistics(conn)
    synced: list[str] = []
    unchanged: list[str] = []
    for info in kept:
        before = stored.get(info.repo_id)
        same = before is not None and before.sha == info.sha
        (unchanged if same else synced).append(hub_model_id(info.repo_id))
    return PageWritten(models, synced, unchanged)


BULK_AFTER = 5_000
"""Models a run writes page by page before bulk rounds are considered: a short listing never
pays for rebuilding the indexes."""
ROUND_MIN = 50_000
"""The fewest models a bulk round writes before it commits (unless the listing ends first)."""


class RoundLost(Exception):
    """A bulk round could not be committed: none of its pages is stored."""

    def __init__(self, pages: list[PageWritten], error: BaseException) -> None:
        super().__init__(str(error))
        self.pages = pages
        self.error = error


class ListingWriter:
    """Writes a discovery's listing pages, page by page or in bulk rounds.

    Each page first goes in its own transaction. Once the run has written as many models as the
    store held when it began (and at least :data:`BULK_AFTER`), maintaining the indexes row by
    row costs more than building them again, and the pages go into bulk rounds
    (``catalog.store.bulk``): one transaction that rebuilds the indexes at its end. A round
    commits once it has written as many models as the store held when the round began (at least
    :data:`ROUND_MIN`; ``round_growth`` scales that, None: one round to the end), so a crash
    loses at most the round in progress, and the rebuilds of all rounds together cost about
    twice one rebuild of the final store.

    ``bulk_after`` overrides when the first round begins (models written page by page first).
    A page inside a round is written under a savepoint: one that fails is rolled back alone.
    Pages of a round are reported (:meth:`write`, :meth:`finish`) once the round commits.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        endpoint: str,
        licenses: LicenseTable,
        families: dict[str, str],
        round_growth: float | None = 1.0,
        bulk_after: int | None = None,
    ) -> None:
        self.engine = engine
        self.endpoint = endpoint
        self.licenses = licenses
        self.families = families
        """Lower-cased Hub id -> family; grows with the models written (a later page's
        derivative joins the family of a base written earlier)."""
        self.round_growth = round_growth
        with engine.connect() as conn:
            self.rows = conn.execute(select(func.count()).select_from(MODEL)).scalar_one()
        self.bulk_from = max(BULK_AFTER, self.rows) if bulk_after is None else bulk_after
        """Models written page by page before the first bulk round."""
        self.written = 0
        self.rounds = 0
        """Bulk rounds begun."""
        self._round: ExitStack | None = None
        self._bulk: BulkWrite | None = None
        self._round_end = 0
        self._held: list[PageWritten] = []

    def write(self, infos: Sequence[HubModel]) -> list[PageWritten]:
        """Store one listing page; returns the pages now committed (this one, or a whole round
        that it completed; none while a round is open).

        Raises:
            RoundLost: this page completed a round that could not be committed.
            the database errors of ``STORE_ERRORS``: this page (only) was not stored.
        """
        if self._bulk is None and self.written >= self.bulk_from:
            self._begin_round()
        if self._bulk is None:
            with self.engine.begin() as conn:
                page = self._write(conn, infos, None)
            return [page]
        with self._bulk.conn.begin_nested():
            page = self._write(self._bulk.conn, infos, self._bulk.pending)
        self._held.append(page)
        if self.written >= self._round_end:
            return self.finish()
        return []

    def finish(self) -> list[PageWritten]:
        """Commit the open round, if any; returns its pages.

        Raises:
            RoundLost: the round could not be committed; nothing of it is stored.
        """
        round_, held = self._round, self._held
        self._round, self._bulk, self._held = None, None, []
        if round_ is not None:
            try:
                round_.close()
            except STORE_ERRORS as exc:
                raise RoundLost(held, exc) from exc
        return held

    def abort(self) -> None:
        """Roll the open round back (an interrupt): the pages committed before it stay."""
        round_ = self._round
        self._round, self._bulk, self._held = None, None, []
        if round_ is not None:
            stop = KeyboardInterrupt()
            round_.__exit__(KeyboardInterrupt, stop, None)

    def _begin_round(self) -> None:
        stack = ExitStack()
        self._bulk = stack.enter_context(bulk_write(self.engine))
        self._round = stack
        self.rounds += 1
        if self.round_growth is None:
            self._round_end = 2**63
        else:
            size = max(ROUND_MIN, int(self.round_growth * (self.rows + self.written)))
            self._round_end = self.written + size

    def _write(
        self, conn: Connection, infos: Sequence[HubModel], deferred: list[str] | None
    ) -> PageWritten:
        page = write_listing_page(
            conn,
            infos,
            endpoint=self.endpoint,
            licenses=self.licenses,
            families=self.families,
            deferred=deferred,
        )
        self.written += len(page.models)
        for model in page.models:
            if model.hub_id:
                self.families.setdefault(model.hub_id.lower(), model.family)
        return page
