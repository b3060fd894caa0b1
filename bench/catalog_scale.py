"""How the catalog scales: a discovery sync of N synthetic Hub models, then timed queries.

For each backend given (SQLite by default; ``--db`` repeatable) and each store size given
(``--models``, repeatable: 10,000, 100,000 and 1,000,000 show whether a figure stays flat), on a
scratch store:
- the time to ingest a discovery sync of ``--models`` repos through the sync's own writer
  (``catalog.sync.storage.ListingWriter``, listing pages of 1,000: the first 5,000 models a
  transaction per page, the rest one bulk round that builds the indexes, the text index and
  the derived columns once at its end; a discovery commits rounds as the store doubles),
  and the models per second,
- medians of in-process filtered shortlists (target <= 20 ms on SQLite at 100,000 models,
  <= 50 ms on PostgreSQL at 1,000,000), among them 4 filters with a common search text
  (``llama``) and a rare one (``gpt-4o``), each beside the same question as one bare SQL
  query with ``LIKE '%text%'`` (what no index serves), license-check shortlists and counts
  (``--use commercial --mau 900M``); the in-process measurements run in turns, one call of
  each per round, so the machine's load weighs on all of them alike,
- whole ``modelcat shortlist`` processes against a bare ``python -c "import sqlmodel"``
  (target <= 1.5x on SQLite) and ``modelcat --help`` (target <= 150 ms),
- the rebuild of the curated part from the YAML files,
then one table with the backends side by side.

A PostgreSQL URL names a server: the run creates its own database there and drops it after
(``--keep`` keeps it). ``scripts/with-postgres`` starts a throwaway server.

``--stores DIR`` keeps the SQLite stores there (``scale-N.db``) and measures an existing one
again instead of building it (a million models take minutes to ingest).

Usage: python bench/catalog_scale.py [--models 100000 ...] [--db sqlite] [--db postgresql+psycopg://...]
       [--repeat 15] [--no-processes] [--keep] [--stores DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_listing import listing  # noqa: E402
from sqlalchemy import bindparam, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from catalog.api import Catalog, make_filters  # noqa: E402
from catalog.hub import HubModel  # noqa: E402
from catalog.licenses import IntendedUse  # noqa: E402
from catalog.store.engine import analyze  # noqa: E402
from catalog.store.hub_store import base_families  # noqa: E402
from catalog.sync.drift import LicenseTable  # noqa: E402
from catalog.sync.storage import ListingWriter  # noqa: E402

PAGE = 1000
"""Repos per listing page: what the Hub returns per request and the sync writes per transaction."""
ENDPOINT = "https://huggingface.co"

Results = dict[str, str]
"""Measurement label -> formatted figure, for one backend."""


def ingest(cat: Catalog, n: int) -> float:
    """Store ``n`` listed repos the way ``catalog.sync.discover`` does; returns the seconds."""
    licenses = LicenseTable.of({lic.id: lic for lic in cat.licenses()})
    tags = {lic.id: (lic.hub_id, lic.hub_license_name) for lic in cat.licenses()}
    with cat.connect() as conn:
        families = base_families(conn)
    bases = {family: repo for repo, family in sorted(families.items())}
    start = time.perf_counter()
    writer = ListingWriter(
        cat.engine, endpoint=ENDPOINT, licenses=licenses, families=families, round_growth=None
    )
    for page in _pages(listing(n, license_tags=tags, base_repos=bases)):
        writer.write(page)
    writer.finish()
    analyze(cat.engine)
    return time.perf_counter() - start


def _pages(models: Iterator[HubModel]) -> Iterator[list[HubModel]]:
    while page := list(islice(models, PAGE)):
        yield page


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def process_ms(argv: list[str], repeat: int, env: dict[str, str]) -> float:
    """Median wall time of a whole process in milliseconds."""

    def once() -> None:
        subprocess.run(argv, check=True, capture_output=True, env=env)

    return median_ms(once, repeat)


SEARCH_TEXTS = ("llama", "gpt-4o")
"""A common text (a sixth of the synthetic repos) and a rare one (curated models only)."""


def queries(cat: Catalog) -> dict[str, Callable[[], object]]:
    """The in-process measurements: filtered shortlists, text searches beside the bare SQL of
    the same question, license checks and counts."""
    use = IntendedUse.from_options(use="commercial", mau="900M")
    out: dict[str, Callable[[], object]] = {
        "shortlist open + lora + commercial + <=8B, top 20": lambda: cat.shortlist(
            access=["open"], tunable=["lora"], commercial=True, max_params="8B", top=20
        ),
    }
    for needle in SEARCH_TEXTS:
        out[f"shortlist open + lora + commercial + <=8B + search {needle!r}, top 20"] = (
            four_filters_and(cat, needle)
        )
        out[f"  baseline: the same as one bare SELECT ... LIKE '%{needle}%'"] = bare_search(
            cat, needle
        )
    out |= {
        "shortlist family + license, top 20": lambda: cat.shortlist(
            family=["Qwen2.5"], license=["apache-2.0"], top=20
        ),
        "shortlist --mau 900M, top 20": lambda: cat.shortlist(mau="900M", top=20),
        "shortlist search 'instruct', top 20": lambda: cat.shortlist(search="instruct", top=20),
        "license check: --use commercial --mau 900M, top 20": lambda: cat.shortlist(
            use=use, top=20
        ),
        "license check: count --use commercial --mau 900M": lambda: cat.count(
            make_filters(use=use)
        ),
        "count open + <=8B": lambda: cat.count(make_filters(access=["open"], max_params="8B")),
    }
    return out


def four_filters_and(cat: Catalog, needle: str) -> Callable[[], object]:
    """The 4-filter shortlist with the search text ``needle``."""
    return lambda: cat.shortlist(
        access=["open"], tunable=["lora"], commercial=True, max_params="8B", search=needle, top=20
    )


def bare_search(cat: Catalog, needle: str) -> Callable[[], object]:
    """The 4-filter text shortlist as one hand-written query: the filters on their columns and
    the text as ``LIKE '%text%'``, best score first (the documents read, not turned into models)."""
    from catalog.search.licensing import commercial_rule

    commercial = sorted(commercial_rule(cat.search.licenses(), None).allowed)
    stmt = text(
        "SELECT data FROM model WHERE access = 'open' AND methods LIKE '%|lora|%' "
        "AND params <= 8000000000 AND license IN :licenses AND search_text LIKE :text "
        "ORDER BY score DESC LIMIT 20"
    ).bindparams(bindparam("licenses", expanding=True))
    values = {"licenses": commercial, "text": f"%{needle}%"}

    def run() -> object:
        with cat.engine.connect() as conn:
            return conn.execute(stmt, values).all()

    return run


def in_turns(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median wall time of each function in milliseconds, one call of each per round (after a
    warm-up round), so a change in the machine's load hits every measurement alike."""
    samples: dict[str, list[float]] = {label: [] for label in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeat):
        for label, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[label].append((time.perf_counter() - start) * 1000)
    return {label: statistics.median(values) for label, values in samples.items()}


def load() -> str:
    """The machine's load average over 1, 5 and 15 minutes (2 cores: 2.0 is fully busy)."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_backend(url: str, n: int, args: argparse.Namespace, *, built: bool = False) -> Results:
    """Every measurement on the store at ``url``, first filled with ``n`` models unless
    ``built`` (a store kept by an earlier run)."""
    out: Results = {}
    cat = Catalog.open(url)
    backend = cat.info().backend
    seconds = None if built else ingest(cat, n)
    info = cat.info()
    out["models in the store"] = f"{info.models:,}"
    if seconds is not None:
        out["ingest a discovery sync (s)"] = f"{seconds:.1f}"
        out["ingest rate (models/s)"] = f"{n / seconds:,.0f}"
        print(f"\n{backend}: {info.models:,} models; ingested {n:,} in {seconds:.1f} s")
    else:
        print(f"\n{backend}: {info.models:,} models (a store kept by an earlier run)")
    before = load()
    medians = in_turns(queries(cat), args.repeat)
    out["load average while measuring (1/5/15 min)"] = f"{before} -> {load()}"
    for label, value in medians.items():
        out[f"{label} (ms)"] = f"{value:.2f}"
        print(f"  {label:75s} {value:9.2f} ms")
    print(f"  load average (1/5/15 min): {out['load average while measuring (1/5/15 min)']}")
    if args.processes:
        env = {**os.environ, "MODELCAT_DB": url}
        exe = str(Path(sys.executable).with_name("modelcat"))
        bare = process_ms([sys.executable, "-c", "import sqlmodel"], args.repeat, env)
        shortlist = process_ms([exe, "shortlist", "-f", "json", "--top", "20"], args.repeat, env)
        licensed = process_ms(
            [exe, "shortlist", "-f", "json", "--top", "20", "--use", "commercial",
             "--mau", "900M"],
            args.repeat, env,
        )  # fmt: skip
        out["process: python -c 'import sqlmodel' (ms)"] = f"{bare:.0f}"
        out["process: modelcat shortlist --top 20 (ms)"] = (
            f"{shortlist:.0f} ({shortlist / bare:.2f}x)"
        )
        out["process: ... --use commercial --mau 900M (ms)"] = (
            f"{licensed:.0f} ({licensed / bare:.2f}x)"
        )
        print(
            f"  process shortlist {shortlist:.0f} ms ({shortlist / bare:.2f}x bare {bare:.0f} ms)"
        )
    rebuild = median_ms(cat.rebuild, max(3, args.repeat // 3))
    out["rebuild of the curated part (ms)"] = f"{rebuild:.0f}"
    cat.close()
    return out


def sqlite_store(n: int, stores: Path | None) -> tuple[str, bool, Path | None]:
    """The URL of a SQLite store for ``n`` models, whether it is already built (kept in
    ``stores``), and the scratch folder to remove afterwards (None: keep it)."""
    if stores is not None:
        stores.mkdir(parents=True, exist_ok=True)
        path = stores / f"scale-{n}.db"
        return f"sqlite:///{path}", path.exists(), None
    folder = Path(tempfile.mkdtemp(prefix="modelcat-scale-"))
    return f"sqlite:///{folder / 'scale.db'}", False, folder


def scratch_database(server: str) -> str:
    """A new database on the PostgreSQL server of ``server``; returns its URL."""
    name = f"modelcat_scale_{uuid.uuid4().hex[:8]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url``."""
    _admin(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _admin(url: str, statement: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def side_by_side(results: dict[str, Results]) -> str:
    """A Markdown table: one row per measurement, one column per backend."""
    names = list(results)
    labels = list(dict.fromkeys(label for r in results.values() for label in r))
    lines = ["| measurement | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label in labels:
        lines.append(f"| {label} | " + " | ".join(results[n].get(label, "") for n in names) + " |")
    return "\n".join(lines)


def main() -> None:
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("catalog.store.bulk").setLevel(logging.DEBUG)  # the bulk's phases
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", type=int, action="append", help="store size (repeatable; 100000 if none)"
    )
    parser.add_argument(
        "--db",
        action="append",
        help="'sqlite' (a temporary file) or a postgresql+psycopg:// server URL; repeatable",
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-processes", dest="processes", action="store_false")
    parser.add_argument("--keep", action="store_true", help="keep the scratch stores")
    parser.add_argument(
        "--stores", type=Path, help="keep SQLite stores here and reuse them (scale-N.db)"
    )
    args = parser.parse_args()

    results: dict[str, Results] = {}
    for n in args.models or [100_000]:
        for target in args.db or ["sqlite"]:
            if target == "sqlite":
                url, built, scratch = sqlite_store(n, args.stores)
                try:
                    results[f"SQLite {n:,}"] = run_backend(url, n, args, built=built)
                finally:
                    if scratch is not None and not args.keep:  # 2.3 GB at a million models
                        shutil.rmtree(scratch, ignore_errors=True)
                    elif scratch is not None:
                        print(f"kept {scratch}")
                continue
            url = scratch_database(target)
            try:
                results[f"PostgreSQL {n:,}"] = run_backend(url, n, args)
            finally:
                if not args.keep:
                    drop_database(url)
    helped = process_ms(
        [str(Path(sys.executable).with_name("modelcat")), "--help"], args.repeat, dict(os.environ)
    )
    print(f"\nmodelcat --help: {helped:.0f} ms (target <= 150 ms)")
    print(f"\nsynthetic Hub models, medians of {args.repeat} runs:\n")
    print(side_by_side(results))


if __name__ == "__main__":
    main()
