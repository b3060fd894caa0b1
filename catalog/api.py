"""``Catalog``: the one entry point the CLI, the TUI and Python users share."""

from __future__ import annotations

import builtins
import difflib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Engine

from catalog.domain import Model
from catalog.errors import UnknownModelError
from catalog.paths import default_db_url, named_store_file, to_db_url
from catalog.search.engine import SearchEngine
from catalog.search.filters import LIST_SORT, SHORTLIST_SORT, Filters, Sort, make_filters
from catalog.store.open import StoreInfo, open_store, rebuild_store, store_info
from catalog.store.saved import SavedList, SavedPolicy

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Sequence

    from typing_extensions import Unpack

    from catalog.fit.coefficients import FitCoefficients
    from catalog.fit.hardware import Hardware
    from catalog.fit.verdict import ModelFit
    from catalog.licenses import IntendedUse, Policy, Verdict
    from catalog.schema import LicenseEntry
    from catalog.search.filters import FilterArgs


@dataclass(frozen=True)
class LoadedList:
    """A saved list read back: the entry, its models still in the catalog, the ids that are not."""

    saved: SavedList
    models: builtins.list[Model]
    missing: builtins.list[str]


class Catalog:
    """The model catalog over a store (SQLite file or PostgreSQL).

    Example:
        >>> from catalog import Catalog
        >>> cat = Catalog.open()
        >>> [m.id for m in cat.shortlist(access=["open"], tunable=["lora"], max_params=8_000_000_000, top=3)]
        [...]
    """

    def __init__(
        self,
        engine: Engine,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        recovered_from: str | None = None,
        named_file: str | None = None,
    ) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.recovered_from = recovered_from
        """Where a corrupt database file was moved before this catalog rebuilt it."""
        self.named_file = named_file
        """The SQLite file as the caller named it (symlinks not followed), when opened by name."""
        self._search: SearchEngine | None = None

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        data_dir: str | os.PathLike[str] | None = None,
    ) -> Catalog:
        """Open (and build or refresh if needed) the store.

        Args:
            db: a SQLAlchemy URL or a SQLite file path; defaults to ``$MODELCAT_DB`` or a file
                in the user data folder.
            data_dir: a folder of ``models.yaml``/``licenses.yaml`` merged over the shipped ones;
                defaults to ``$MODELCAT_DATA``.
        """
        url = to_db_url(db) if db is not None else default_db_url()
        engine, recovered = open_store(url, data_dir=data_dir)
        named = named_store_file(db)
        return cls(engine, data_dir=data_dir, recovered_from=recovered, named_file=named)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for read queries."""
        with self.engine.connect() as conn:
            yield conn

    # -- queries (all answered by the one search engine, ``catalog.search``) -------------

    @property
    def search(self) -> SearchEngine:
        """The search engine over this store."""
        if self._search is None:
            self._search = SearchEngine(self.engine)
        return self._search

    def query(
        self,
        filters: Filters,
        *,
        sort: Sort = LIST_SORT,
        top: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Model]:
        """Models matching ``filters``, sorted, one page at a time."""
        return self.search.models(filters, sort=sort, top=top, offset=offset)

    def count(
        self, filters: Filters, *, cap: int | None = None, cancel: threading.Event | None = None
    ) -> int:
        """How many models match ``filters`` (counting stops past ``cap`` when given).

        Raises:
            Cancelled: ``cancel`` (set from another thread) stopped the count.
        """
        return self.search.count(filters, cap=cap, cancel=cancel)

    def list(
        self, *, sort: str | None = None, top: int | None = None, **filters: Unpack[FilterArgs]
    ) -> builtins.list[Model]:
        """Models matching the CLI's filters (``family=``, ``license=`` in any spelling,
        ``access=``, ``tunable=``, ``commercial=``, ``mau=``, ``min_params=``, ``max_params=``,
        ``search=``, ``tier=``, ``use=``, ``fits=``...), sorted by id unless ``sort`` says otherwise."""
        return self.query(
            make_filters(**filters), sort=Sort.parse(sort, default=LIST_SORT), top=top
        )

    def shortlist(
        self, *, sort: str | None = None, top: int | None = None, **filters: Unpack[FilterArgs]
    ) -> builtins.list[Model]:
        """Like ``list`` but ranked (best first, see ``catalog.ranking``).

        Models the vendor has switched off are left out unless ``hide_retired=False``.
        """
        filters.setdefault("hide_retired", True)
        return self.query(
            make_filters(**filters), sort=Sort.parse(sort, default=SHORTLIST_SORT), top=top
        )

    def get(self, model: str) -> Model:
        """A model by catalog id or Hub id (case-insensitive); unknown ids suggest close ones."""
        from catalog.store.model_queries import by_id, id_candidates

        key = model.strip().lower()
        with self.connect() as conn:
            found = by_id(conn, key)
            if found is not None:
                return Model.from_json(found)
            candidates = id_candidates(conn, key)
        suggestions = difflib.get_close_matches(key, candidates, n=5, cutoff=0.6)
        raise UnknownModelError(model, suggestions)

    def exists(self, model: str) -> bool:
        """True when ``get`` would find the model."""
        try:
            self.get(model)
        except UnknownModelError:
            return False
        return True

    def replay_keeper(
        self, shape: str, *, licenses: Sequence[str] = ()
    ) -> Callable[[str, Sequence[Any]], None] | None:
        """What keeps the statement of a listing now written in ``shape`` (``json``,
        ``jsonl`` or ``export``) so the same command can replay it (``catalog.replay``); None
        when this process does not run such a command or the store is not a SQLite file."""
        from catalog import replay

        store = self.named_file if self.engine.dialect.name == "sqlite" else None
        opened = self.engine.url.database
        if store is None or opened is None or os.path.realpath(store) != os.path.realpath(opened):
            return None
        data_dir = os.fspath(self.data_dir) if self.data_dir is not None else None
        return replay.keeper(shape, store=store, data_dir=data_dir, licenses=licenses)

    def licenses(self) -> builtins.list[LicenseEntry]:
        """Every license, by id."""
        return [entry for _, entry in sorted(self.search.licenses().items())]

    def license(self, license_id: str) -> LicenseEntry:
        """One license by any spelling: id, Hub tag, SPDX id or ScanCode key.

        Raises:
            UnknownLicenseError: no license has that name (close ones are suggested).
        """
        return self.search.licenses()[self.search.resolve_license(license_id)]

    def judge(
        self, models: Sequence[Model], use: IntendedUse, *, policy: Policy | None = None
    ) -> builtins.list[Verdict]:
        """Each model's license verdict for ``use``, a Hub derivative judged under its base
        models' licenses too (the rule ``license check`` and the search filters apply).

        Raises:
            UnknownLicenseError: a model or a base names a license the catalog lacks.
        """
        from catalog.sync.lineage import check_with_lineage

        return check_with_lineage(self, models, self.search.licenses(), use, policy=policy)

    def fit(
        self,
        model: Model,
        hardware: Hardware,
        *,
        context: int | None = None,
        coefficients: FitCoefficients | None = None,
    ) -> ModelFit:
        """Whether ``model`` fits one device of ``hardware``: the synced config.json where there
        is one, else the curated config (``coefficients`` when the caller already read them)."""
        from catalog.fit.verdict import model_fit

        return model_fit(model, hardware, context=context, coefficients=coefficients, cat=self)

    def families(self) -> builtins.list[str]:
        """Distinct family names, for filter choices."""
        from catalog.store.model_queries import family_names

        with self.connect() as conn:
            return family_names(conn)

    # -- saved shortlists and policies (shared by everyone on the store) ------------------

    def saved_list(self, name: str = "default") -> builtins.list[str]:
        """The model ids saved under ``name`` (empty when nothing was saved)."""
        found = self.saved_list_entry(name)
        return list(found.model_ids) if found else []

    def load_list(self, name: str) -> LoadedList | None:
        """The models saved under ``name`` in saved order (None when nothing is saved there).

        Ids no longer in the catalog are left out and named in ``missing``.
        """
        saved = self.saved_list_entry(name)
        if saved is None:
            return None
        found = {m.id: m for m in self.query(Filters(ids=tuple(saved.model_ids)))}
        return LoadedList(
            saved=saved,
            models=[found[i] for i in saved.model_ids if i in found],
            missing=[i for i in saved.model_ids if i not in found],
        )

    def saved_list_entry(self, name: str) -> SavedList | None:
        """The list saved under ``name`` with how it was made and when, or None."""
        from catalog.store.saved import load_list

        return load_list(self.engine, name)

    def save_list(
        self, name: str, model_ids: Iterable[str], *, query: dict[str, Any] | None = None
    ) -> SavedList:
        """Save ``model_ids`` (in order, without repeats) under ``name``, replacing what was there.

        Args:
            name: the list's name.
            model_ids: catalog ids.
            query: how the list was made (``shortlist --save`` stores its filters here).
        """
        from catalog.store.saved import save_list

        return save_list(self.engine, name, model_ids, query=query)

    def saved_lists(self) -> builtins.list[str]:
        """Names of the saved shortlists."""
        from catalog.store.saved import list_names

        return list_names(self.engine)

    def saved_list_entries(self) -> builtins.list[SavedList]:
        """Every saved shortlist with its ids, how it was made and when, by name."""
        from catalog.store.saved import list_saved

        return list_saved(self.engine)

    def delete_list(self, name: str) -> bool:
        """Remove a saved shortlist; True when there was one."""
        from catalog.store.saved import delete_list

        return delete_list(self.engine, name)

    def save_policy(self, name: str, text: str) -> SavedPolicy:
        """Save a license policy's YAML under ``name`` after validating it against the licenses.

        Raises:
            UsageError: the policy is not valid (every problem listed).
        """
        from catalog.saved_policies import parse_policy_text
        from catalog.store.saved import save_policy, valid_name

        parse_policy_text(
            text, name=valid_name(name, what="policy"), licenses=self._license_table()
        )
        return save_policy(self.engine, name, text)

    def saved_policy(self, name: str) -> SavedPolicy | None:
        """The policy saved under ``name``, or None."""
        from catalog.store.saved import load_policy_text

        return load_policy_text(self.engine, name)

    def saved_policies(self) -> builtins.list[SavedPolicy]:
        """Every saved policy, by name."""
        from catalog.store.saved import list_policies

        return list_policies(self.engine)

    def delete_policy(self, name: str) -> bool:
        """Remove a saved policy; True when there was one."""
        from catalog.store.saved import delete_policy

        return delete_policy(self.engine, name)

    def _license_table(self) -> dict[str, LicenseEntry]:
        return self.search.licenses()

    # -- maintenance ---------------------------------------------------------------------

    def rebuild(self) -> None:
        """Rebuild the curated part of the store from the YAML files."""
        rebuild_store(self.engine, data_dir=self.data_dir)
        self.search.forget()

    def info(self) -> StoreInfo:
        """Where the store is and what it holds."""
        return store_info(self.engine, data_dir=self.data_dir, recovered=self.recovered_from)


__all__ = ["LIST_SORT", "SHORTLIST_SORT", "Catalog", "LoadedList", "make_filters"]
