"""``Catalog``: the one entry point the CLI, the TUI and Python users share."""

from __future__ import annotations

import builtins
import difflib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from catalog.domain import Model
from catalog.errors import UnknownLicenseError, UnknownModelError
from catalog.paths import default_db_url, to_db_url
from catalog.query import Filters, LicenseFacts, Sort, build_select, order
from catalog.store.open import StoreInfo, open_store, rebuild_store, store_info
from catalog.store.saved import SavedList, SavedPolicy
from catalog.store.tables import LICENSE, MODEL

LIST_SORT = Sort("id")
SHORTLIST_SORT = Sort("score", descending=True)


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
    ) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.recovered_from = recovered_from
        """Where a corrupt database file was moved before this catalog rebuilt it."""
        self._facts: LicenseFacts | None = None
        self._permitted: dict[Any, dict[str, frozenset[tuple[bool, bool]]]] = {}

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
        return cls(engine, data_dir=data_dir, recovered_from=recovered)

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

    # -- queries -------------------------------------------------------------------------

    def facts(self) -> LicenseFacts:
        """License columns the filters use (cached for the catalog's lifetime)."""
        if self._facts is None:
            with self.connect() as conn:
                self._facts = LicenseFacts.read(conn)
        return self._facts

    def query(
        self,
        filters: Filters,
        *,
        sort: Sort = LIST_SORT,
        top: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Model]:
        """Models matching ``filters``, sorted, one page at a time."""
        stmt = order(self._select(filters, [MODEL.c.data]), sort)
        if top is not None:
            stmt = stmt.limit(top)
        if offset:
            stmt = stmt.offset(offset)
        with self.connect() as conn:
            return [Model.from_json(data) for (data,) in conn.execute(stmt)]

    def _select(self, filters: Filters, columns: builtins.list[Any]) -> Any:
        permitted = self.permitted(filters.use) if filters.use is not None else None
        return build_select(filters, self.facts(), columns, permitted=permitted)

    def permitted(self, use: Any) -> dict[str, frozenset[tuple[bool, bool]]]:
        """For an ``IntendedUse``: license id -> the ``(is_api, vendor_finetune)`` model kinds
        for which the use is not forbidden (judged once per kind, then cached)."""
        cached = self._permitted.get(use)
        if cached is not None:
            return cached
        from catalog.licenses import check_compliance

        licenses = {lic.id: lic for lic in self.licenses()}
        kinds = [
            (lid, api, ft) for lid in licenses for api in (False, True) for ft in (False, True)
        ]
        probes = [_probe_model(lid, api=api, vendor_ft=ft) for lid, api, ft in kinds]
        verdicts = check_compliance(probes, licenses, use)
        out: dict[str, set[tuple[bool, bool]]] = {}
        for (lid, api, ft), verdict in zip(kinds, verdicts, strict=True):
            if verdict.verdict != "forbidden":
                out.setdefault(lid, set()).add((api, ft))
        result = {lid: frozenset(k) for lid, k in out.items()}
        self._permitted[use] = result
        return result

    def count(self, filters: Filters) -> int:
        """How many models match ``filters``."""
        stmt = self._select(filters, [func.count()]).select_from(MODEL)
        with self.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def list(
        self, *, sort: str | None = None, top: int | None = None, **filters: Any
    ) -> builtins.list[Model]:
        """Models matching the CLI's filters (``family=``, ``license=``, ``access=``,
        ``tunable=``, ``commercial=``, ``mau=``, ``min_params=``, ``max_params=``,
        ``search=``, ``tier=``), sorted by id unless ``sort`` says otherwise."""
        return self.query(
            make_filters(**filters), sort=Sort.parse(sort, default=LIST_SORT), top=top
        )

    def shortlist(
        self, *, sort: str | None = None, top: int | None = None, **filters: Any
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
        key = model.strip()
        with self.connect() as conn:
            row = conn.execute(select(MODEL.c.data).where(MODEL.c.id == key.lower())).first()
            if row is None:
                row = conn.execute(
                    select(MODEL.c.data)
                    .where(func.lower(MODEL.c.hub_id) == key.lower())
                    .order_by(MODEL.c.tier.asc())
                ).first()
            if row is not None:
                return Model.from_json(row[0])
            candidates = self._candidates(conn, key)
        unique = list(dict.fromkeys(candidates))
        suggestions = difflib.get_close_matches(key.lower(), unique, n=5, cutoff=0.6)
        raise UnknownModelError(model, suggestions)

    def exists(self, model: str) -> bool:
        """True when ``get`` would find the model."""
        try:
            self.get(model)
        except UnknownModelError:
            return False
        return True

    def licenses(self) -> builtins.list[Any]:
        """Every license (``catalog.schema.LicenseEntry``), by id."""
        from catalog.store.convert import license_from_row

        with self.connect() as conn:
            rows = conn.execute(select(LICENSE.c.data).order_by(LICENSE.c.id))
            return [license_from_row(data) for (data,) in rows]

    def license(self, license_id: str) -> Any:
        """One license (``LicenseEntry``) by id or Hub id."""
        from catalog.store.convert import license_from_row

        resolved = self.facts().resolve(license_id)
        with self.connect() as conn:
            row = conn.execute(select(LICENSE.c.data).where(LICENSE.c.id == resolved)).first()
            if row is not None:
                return license_from_row(row[0])
            ids = [r for (r,) in conn.execute(select(LICENSE.c.id))]
        raise UnknownLicenseError(
            license_id, difflib.get_close_matches(license_id.lower(), ids, n=5)
        )

    def families(self) -> builtins.list[str]:
        """Distinct family names, for filter choices."""
        with self.connect() as conn:
            return [
                f
                for (f,) in conn.execute(select(MODEL.c.family).distinct().order_by(MODEL.c.family))
            ]

    # -- saved shortlists and policies (shared by everyone on the store) ------------------

    def saved_list(self, name: str = "default") -> builtins.list[str]:
        """The model ids saved under ``name`` (empty when nothing was saved)."""
        found = self.saved_list_entry(name)
        return list(found.model_ids) if found else []

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

    def _license_table(self) -> dict[str, Any]:
        return {entry.id: entry for entry in self.licenses()}

    # -- maintenance ---------------------------------------------------------------------

    def rebuild(self) -> None:
        """Rebuild the curated part of the store from the YAML files."""
        rebuild_store(self.engine, data_dir=self.data_dir)
        self._facts = None

    def info(self) -> StoreInfo:
        """Where the store is and what it holds."""
        return store_info(self.engine, data_dir=self.data_dir, recovered=self.recovered_from)

    def _candidates(self, conn: Connection, key: str) -> builtins.list[str]:
        # Close-match search over a million ids would be slow: curated ids, plus ids sharing a prefix.
        stmt = select(MODEL.c.id).where(MODEL.c.tier == "curated")
        ids = [i for (i,) in conn.execute(stmt)]
        prefix = key.lower()[:3]
        if prefix:
            more = select(MODEL.c.id).where(MODEL.c.id.startswith(prefix)).limit(5000)
            ids.extend(i for (i,) in conn.execute(more))
        return ids


def _probe_model(license_id: str, *, api: bool, vendor_ft: bool) -> Model:
    """A stand-in model of one kind, to judge a license once for every model of that kind."""
    from catalog.schema import ApiInfo

    return Model(
        id=f"probe-{license_id}", name=license_id, family="probe", publisher="probe",
        release_date=None, variant="base", params=None, active_params=None,
        context_length=None, architecture=None, hub_id=None, license=license_id,
        access="api" if api else "open",
        tunability=("api-finetune",) if vendor_ft else (("full", "lora") if not api else ()),
        tuning_routes=(), sources={},
        api=ApiInfo(vendor="probe", model_name=license_id) if api or vendor_ft else None,
    )  # fmt: skip


def make_filters(
    *,
    family: Any = (),
    license: Any = (),
    access: Any = (),
    tunable: Any = (),
    commercial: bool = False,
    mau: int | str | None = None,
    min_params: int | str | None = None,
    max_params: int | str | None = None,
    search: str | None = None,
    tier: Any = (),
    variant: Any = (),
    use: Any = None,
    hide_retired: bool = False,
) -> Filters:
    """Build ``Filters`` from friendly arguments (a string or a list; ``"8B"`` for counts)."""
    from catalog.units import parse_count

    def many(value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        return tuple(value)

    def count(name: str, value: int | str | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return parse_count(value, field=name)

    return Filters(
        family=many(family),
        license=many(license),
        access=many(access),
        tunable=many(tunable),
        commercial=commercial,
        mau=count("mau", mau),
        min_params=count("min_params", min_params),
        max_params=count("max_params", max_params),
        search=search or None,
        tier=many(tier),
        variant=many(variant),
        use=use,
        hide_retired=hide_retired,
    )
