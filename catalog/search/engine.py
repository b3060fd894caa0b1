"""The one search engine: every listing of models in modelcat is an answer of this class.

``list``, ``shortlist``, ``export``, ``license check`` over the catalog, the TUI's browse and
license screens, ``Catalog.list/shortlist/query`` and the advisor's candidates all call it; none
filters or judges on its own. It resolves what the user typed (license spellings, families),
makes the judgments (licenses with lineage, fit on one device, lifecycle) once per query, and
hands plain criteria to the store (``catalog.store.model_queries``), which answers with one
indexed query per page.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from catalog.domain import Model, listing_json
from catalog.errors import UsageError
from catalog.listing import row_line
from catalog.render import JsonText
from catalog.search.explain import EmptyReason, why_empty
from catalog.search.filters import SHORTLIST_SORT, Filters, Sort
from catalog.store import model_queries as q
from catalog.store.engine import interruptible
from catalog.store.ranked_page import ranked_page, ranked_rows

if TYPE_CHECKING:
    import threading

    from catalog.fit.coefficients import FitCoefficients
    from catalog.fit.verdict import ModelFit
    from catalog.licenses import IntendedUse
    from catalog.licenses.identifiers import LicenseIdentifiers
    from catalog.schema import LicenseEntry


@dataclass(frozen=True)
class Hit:
    """A model of a result and its stored fit coefficients (None: API-only or unknown size)."""

    model: Model
    coefficients: FitCoefficients | None

    def fit(self, filters: Filters) -> ModelFit | None:
        """The fit verdict on the machine of ``filters.fits`` (None without a fit filter)."""
        if filters.fits is None:
            return None
        from catalog.fit.verdict import model_fit

        f = filters.fits
        return model_fit(
            self.model, f.hardware, dtype=f.dtype, context=f.context, coefficients=self.coefficients
        )


class SearchEngine:
    """Answers ``Filters`` over one store (license knowledge is read once and cached)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._licenses: dict[str, LicenseEntry] | None = None
        self._identifiers: LicenseIdentifiers | None = None
        self._use_rules: dict[IntendedUse, tuple[q.KindRule, ...]] = {}

    def forget(self) -> None:
        """Drop what was cached about licenses (after a rebuild)."""
        self._licenses = None
        self._identifiers = None
        self._use_rules.clear()

    # -- what the store knows ------------------------------------------------------------

    def licenses(self) -> dict[str, LicenseEntry]:
        """Every license entry, by id."""
        if self._licenses is None:
            from catalog.store.convert import license_from_row

            with self.engine.connect() as conn:
                docs = q.license_documents(conn)
            entries = [license_from_row(doc) for doc in docs]
            self._licenses = {e.id: e for e in entries}
        return self._licenses

    def identifiers(self) -> LicenseIdentifiers:
        """Every spelling of every license (ids, SPDX, ScanCode keys, Hub tags)."""
        if self._identifiers is None:
            from catalog.licenses.identifiers import LicenseIdentifiers

            self._identifiers = LicenseIdentifiers.from_licenses(self.licenses())
        return self._identifiers

    def resolve_license(self, text: str) -> str:
        """Our license id for any spelling ``license check`` accepts.

        Raises:
            UnknownLicenseError: no license has that name (the closest ones are suggested).
        """
        return self.identifiers().require(text)

    # -- answers -------------------------------------------------------------------------

    def hits(
        self, filters: Filters, *, sort: Sort, top: int | None = None, offset: int = 0
    ) -> list[Hit]:
        """One page of the models matching ``filters`` in ``sort`` order, with fit coefficients."""
        criteria = self.criteria(filters)
        with self.engine.connect() as conn:
            if criteria.needle and sort == SHORTLIST_SORT:
                # A ranked listing with a search text: the best text matches first.
                rows = ranked_page(conn, criteria, limit=top, offset=offset)
            else:
                order = q.Order(sort.key, sort.descending)
                rows = q.page(conn, criteria, order, limit=top, offset=offset)
        return [Hit(Model.from_json(row.data), row.fit) for row in rows]

    def models(
        self, filters: Filters, *, sort: Sort, top: int | None = None, offset: int = 0
    ) -> list[Model]:
        """One page of the models matching ``filters`` in ``sort`` order."""
        return [h.model for h in self.hits(filters, sort=sort, top=top, offset=offset)]

    def stream_hits(self, filters: Filters, *, sort: Sort, top: int | None = None) -> Iterator[Hit]:
        """Every model matching ``filters`` (the first ``top``) in ``sort`` order, with fit
        coefficients, read a page at a time as the caller consumes them: what :meth:`hits`
        answers, for listings too long to hold (``list --format json`` of a million models).

        Raises (at once, before any row is read): what :meth:`criteria` raises.
        """
        return (
            Hit(Model.from_json(row.data), row.fit)
            for row in self._stream(self.criteria(filters), sort, top, fit=True)
        )

    def stream_json(
        self, filters: Filters, *, sort: Sort, top: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """:meth:`stream_hits` as the models' ``to_json()`` documents (made from the stored
        documents without building a model each where that gives the same document).

        Raises (at once, before any row is read): what :meth:`criteria` raises.
        """
        return (
            listing_json(row.data)
            for row in self._stream(self.criteria(filters), sort, top, fit=False)
        )

    def stream_lines(
        self,
        filters: Filters,
        *,
        sort: Sort,
        top: int | None = None,
        keep: Callable[[str, Sequence[Any]], None] | None = None,
    ) -> Iterator[JsonText]:
        """:meth:`stream_json` as the compact JSON lines a listing writes
        (``catalog.listing.row_line``): most rows are written as the store keeps them.

        ``keep``: given the SQL statement and parameters of the listing once it was read, when
        running them again gives the same answer while the store's licenses, curated build and
        schema stay as they are (``catalog.replay`` checks those): one statement on SQLite, no
        search text (ranked in Python), family (checked and noted against the store's
        families), fit (judged on this machine's free memory) or id filter (a saved list's,
        read from the store), retired models not left out (that holds the day).

        Raises (at once, before any row is read): what :meth:`criteria` raises.
        """
        criteria = self.criteria(filters)
        replayable = (
            self.engine.dialect.name == "sqlite"
            and not criteria.needle
            and not criteria.family_keys
            and criteria.fit is None
            and criteria.ids is None  # a saved list's ids, read from the store
            and criteria.served_on is None  # today's date
        )
        return self._lines(criteria, sort, top, keep if replayable else None)

    def _lines(
        self,
        criteria: q.Criteria,
        sort: Sort,
        top: int | None,
        keep: Callable[[str, Sequence[Any]], None] | None,
    ) -> Iterator[JsonText]:
        if criteria.needle and sort == SHORTLIST_SORT:
            for row in self._stream(criteria, sort, top, fit=False):
                yield row_line(None, None, row.data)  # ranked rows read the document
            return
        order = q.Order(sort.key, sort.descending)
        with self.engine.connect() as conn:
            yield from q.stream_lines(conn, criteria, order, limit=top, statement=keep)

    def _stream(
        self, criteria: q.Criteria, sort: Sort, top: int | None, *, fit: bool
    ) -> Iterator[q.Row]:
        with self.engine.connect() as conn:
            if criteria.needle and sort == SHORTLIST_SORT:
                yield from ranked_rows(conn, criteria, limit=top, fit=fit)
            else:
                order = q.Order(sort.key, sort.descending)
                yield from q.stream(conn, criteria, order, limit=top, fit=fit)

    def count(
        self, filters: Filters, *, cap: int | None = None, cancel: threading.Event | None = None
    ) -> int:
        """How many models match (at most ``cap + 1`` counted when ``cap`` is given).

        Raises:
            Cancelled: ``cancel`` was set before the count ended.
        """
        criteria = self.criteria(filters)
        with self.engine.connect() as conn, interruptible(conn, cancel):
            return q.count(conn, criteria, cap=cap)

    def why_empty(self, filters: Filters) -> EmptyReason:
        """Which filters, dropped one at a time, would let models through."""
        return why_empty(lambda f: self.count(f, cap=0), filters, exact=self.count)

    # -- filters to criteria -------------------------------------------------------------

    def criteria(self, filters: Filters, *, today: dt.date | None = None) -> q.Criteria:
        """``filters`` with spellings resolved and judgments made, as the store takes them.

        Raises:
            UnknownLicenseError: a license no spelling of which is known.
            UsageError: a family the catalog does not have, a bad fit dtype or context.
        """
        from catalog.search.licensing import commercial_rule

        f = filters
        licenses = tuple(dict.fromkeys(self.resolve_license(t) for t in f.license))
        commercial = None
        if f.commercial or f.mau is not None:
            commercial = commercial_rule(self.licenses(), f.mau)
        fit = None
        if f.fits is not None:
            fit = q.FitRule(f.fits.dtypes, f.fits.context, f.fits.best_free_bytes)
        return q.Criteria(
            family_keys=self._families(f.family),
            licenses=licenses,
            access=f.access,
            methods=f.tunable,
            commercial=commercial,
            use=self._use(f.use) if f.use is not None else None,
            min_params=f.min_params,
            max_params=f.max_params,
            needle=f.search.strip().lower() if f.search and f.search.strip() else None,
            tiers=f.tier,
            variants=f.variant,
            ids=f.ids,
            served_on=(today or dt.date.today()) if f.hide_retired else None,
            fit=fit,
        )

    def _use(self, use: IntendedUse) -> tuple[q.KindRule, ...]:
        rules = self._use_rules.get(use)
        if rules is None:
            from catalog.search.licensing import use_rules

            rules = use_rules(self.licenses(), use)
            self._use_rules[use] = rules
        return rules

    def family_spelling(self, name: str) -> tuple[str | None, tuple[str, ...]]:
        """The family ``name`` matches (as the catalog spells it), and families close to it.

        Matching ignores case and punctuation (``llama`` is ``LLaMA``); close names share its
        words (``Llama 2``, ``Code Llama``) or are near misspellings, so a user who typed
        ``llama`` learns that the Llama 2, 3 and 4 families are separate.
        """
        from catalog.store.convert import family_key

        key = family_key(name)
        with self.engine.connect() as conn:
            by_key = {family_key(n): n for n in q.family_names(conn)}
        related = [
            k for k in by_key if k != key and (k.startswith(f"{key}-") or k.endswith(f"-{key}"))
        ]
        near = difflib.get_close_matches(key, [k for k in by_key if k != key], n=3, cutoff=0.75)
        close = tuple(by_key[k] for k in dict.fromkeys([*related, *near]))
        return by_key.get(key), close

    def _families(self, names: tuple[str, ...]) -> tuple[str, ...]:
        from catalog.store.convert import family_key

        if not names:
            return ()
        with self.engine.connect() as conn:
            for name in names:
                key = family_key(name)
                if not q.family_exists(conn, key):
                    known = q.family_names(conn)
                    by_key = {family_key(k): k for k in known}
                    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
                    hint = f" Did you mean: {', '.join(by_key[c] for c in close)}?" if close else ""
                    raise UsageError(f"unknown family {name!r}.{hint}")
        return tuple(dict.fromkeys(family_key(n) for n in names))


__all__ = ["Hit", "SearchEngine"]
