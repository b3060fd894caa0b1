"""Replayed listings (issue 18, ``catalog.replay``): a piped ``list``/``export`` run again
answers from the statement its full run kept, without importing SQLAlchemy or pydantic, with
the same bytes as a full run; whatever the answer depends on invalidates the plan; a plan file
is untrusted input (read-only connection, bounded, typed) that can only cost the replay.

Each command runs as the console script does (``catalog.cli.entry.run``) in a process of its
own; it reports on stderr whether SQLAlchemy was imported (a full run) or not (a replay).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import replay
from catalog.api import Catalog
from catalog.listing import row_line
from catalog.paths import named_store_file
from catalog.render import compact_json
from catalog.search import LIST_SORT, make_filters
from tests.cli.test_exports import overlay

MARK = "\n<replayed:{}>\n"
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    f"{MARK!r}.format('sqlalchemy' not in sys.modules)))\n"
    "from catalog.cli.entry import run\n"
    "sys.argv[0] = 'modelcat'\n"
    "run()\n"
)


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        err = proc.stderr
        self.replayed = MARK.format(True) in err
        self.err = err.replace(MARK.format(True), "").replace(MARK.format(False), "")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MODELCAT_", "XDG_"))}
    return {
        **base,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "MODELCAT_DB": str(tmp_path / "store.db"),
        "HF_HUB_OFFLINE": "1",
    }


def run(env: dict[str, str], *args: str, **extra: str) -> Result:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return Result(proc)


def plans(env: dict[str, str]) -> list[Path]:
    return sorted((Path(env["XDG_CACHE_HOME"]) / "modelcat" / "plans").glob("*.json"))


REPLAYED = [
    ["list", "--format", "json"],
    ["list", "--format", "jsonl", "--license", "apache-2.0"],
    ["list", "-f", "json", "--commercial", "--mau", "800M", "--sort", "params:desc", "--top", "9"],
    ["list", "--format", "jsonl", "--access", "open", "--max-params", "8B", "--tunable", "lora"],
    ["list", "--format", "json", "--access", "api"],  # rows whose status is worked out today
    ["list", "--format", "json", "--compact", "--tier", "curated"],
    ["export"],
    ["export", "--format", "jsonl"],
]


@pytest.mark.parametrize("args", REPLAYED, ids=[" ".join(a) for a in REPLAYED])
def test_second_run_replays_the_same_bytes(env: dict[str, str], args: list[str]) -> None:
    first = run(env, *args)
    assert first.code == 0, first.err
    assert not first.replayed
    assert len(plans(env)) == 1
    second = run(env, *args)
    assert second.code == 0, second.err
    assert second.replayed
    assert second.out == first.out
    assert second.err == first.err == ""
    full = run(env, *args, MODELCAT_NO_REPLAY="1")
    assert not full.replayed
    assert full.out == first.out
    if "jsonl" in args:
        assert all(json.loads(line) for line in first.out.splitlines())
    else:
        assert json.loads(first.out)


NOT_REPLAYED = [
    ["list", "--format", "json", "--search", "llama"],  # ranked text search
    ["list", "--format", "json", "--family", "llama"],  # family spelling noted on stderr
    ["list", "--format", "csv"],
    ["list"],  # a table
    ["list", "--format", "json", "--tier", "hub"],  # empty: the full run says why
    ["show", "llama-2-7b", "--format", "json"],
]


@pytest.mark.parametrize("args", NOT_REPLAYED, ids=[" ".join(a) for a in NOT_REPLAYED])
def test_what_is_never_replayed(env: dict[str, str], args: list[str]) -> None:
    first = run(env, *args)
    second = run(env, *args)
    assert not second.replayed
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert plans(env) == []


def test_a_saved_shortlist_named_list_is_read_from_the_store_each_time(
    env: dict[str, str],
) -> None:
    """``shortlist --load list`` has ``list`` on its command line, but its query is read from
    the store: no plan is kept, and a list saved again under that name is what is shown."""
    assert run(env, "shortlist", "--access", "open", "--top", "2", "--save", "list").code == 0
    args = ["shortlist", "--load", "list", "--format", "json"]
    first = run(env, *args)
    assert first.code == 0 and len(json.loads(first.out)) == 2
    assert run(env, "shortlist", "--access", "api", "--top", "3", "--save", "list").code == 0
    second = run(env, *args)
    assert not second.replayed and plans(env) == []
    assert [m["access"] for m in json.loads(second.out)] == ["api"] * 3


def test_a_changed_overlay_is_read_again(env: dict[str, str], tmp_path: Path) -> None:
    folder = overlay(tmp_path, id="first-extra")
    args = ["list", "--format", "jsonl", "--tier", "curated"]
    assert run(env, *args, MODELCAT_DATA=str(folder)).code == 0
    replayed = run(env, *args, MODELCAT_DATA=str(folder))
    assert replayed.replayed
    assert "first-extra" in replayed.out
    overlay(tmp_path, id="second-extra")  # same folder, same arguments, another file
    after = run(env, *args, MODELCAT_DATA=str(folder))
    assert not after.replayed
    assert "second-extra" in after.out and "first-extra" not in after.out
    again = run(env, *args, MODELCAT_DATA=str(folder))
    assert again.replayed and again.out == after.out


def test_changed_licenses_or_schema_stop_the_replay(env: dict[str, str]) -> None:
    args = ["list", "--format", "json", "--commercial"]
    first = run(env, *args)
    assert run(env, *args).replayed
    with sqlite3.connect(env["MODELCAT_DB"]) as conn:
        conn.execute("UPDATE license SET name = name || ' (edited)'")
    edited = run(env, *args)
    assert not edited.replayed
    assert edited.out == first.out
    assert run(env, *args).replayed  # kept again by that full run
    with sqlite3.connect(env["MODELCAT_DB"]) as conn:
        (head,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    newer = run(env, *args)
    assert not newer.replayed
    assert newer.code == 2 and "newer modelcat" in newer.err and newer.out == ""
    with sqlite3.connect(env["MODELCAT_DB"]) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (head,))
    assert run(env, *args).out == first.out


def test_new_rows_show_in_a_replay(env: dict[str, str], tmp_path: Path) -> None:
    """Rows are read live: a model written since the plan was kept is listed."""
    args = ["list", "--format", "jsonl"]
    run(env, *args)
    with sqlite3.connect(env["MODELCAT_DB"]) as conn:
        columns = [c[1] for c in conn.execute("PRAGMA table_info(model)")]
        values = [
            "'zz-copy'"
            if c == "id"
            else "replace(listing, '\"llama-2-7b\"', '\"zz-copy\"')"
            if c == "listing"
            else c
            for c in columns
        ]
        conn.execute(
            f"INSERT INTO model ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM model WHERE id = 'llama-2-7b'"
        )
    replayed = run(env, *args)
    assert replayed.replayed
    ids = [json.loads(line)["id"] for line in replayed.out.splitlines()]
    assert ids[-1] == "zz-copy"


def test_a_store_named_by_a_symlink_is_the_one_it_points_to_now(
    env: dict[str, str], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    link = tmp_path / "store-link.db"
    args = ["list", "--format", "jsonl"]
    for store in (first, second):  # built from the same files: the same licenses and build
        assert run(env, *args, MODELCAT_DB=str(store)).code == 0
    with sqlite3.connect(second) as conn:
        conn.execute("DELETE FROM model WHERE id = 'llama-2-7b'")
    link.symlink_to(first)
    on_first = run(env, *args, MODELCAT_DB=str(link))
    assert "llama-2-7b" in on_first.out
    assert run(env, *args, MODELCAT_DB=str(link)).replayed
    link.unlink()
    link.symlink_to(second)
    on_second = run(env, *args, MODELCAT_DB=str(link))
    assert on_second.replayed
    assert '"id":"llama-2-7b"' not in on_second.out
    assert len(on_second.out.splitlines()) == len(on_first.out.splitlines()) - 1


def test_a_closed_pipe_ends_a_replay_quietly(env: dict[str, str]) -> None:
    args = ["list", "--format", "jsonl"]
    run(env, *args)
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stderr is not None
    with proc.stdout, proc.stderr:
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert MARK.format(True) in err
    assert err.replace(MARK.format(True), "") == ""


# -- a plan is untrusted input -----------------------------------------------------------------


def secret(env: dict[str, str]) -> bytes:
    return (Path(env["HOME"]) / ".local/share/modelcat" / replay.SECRET_FILE).read_bytes()


def tamper(env: dict[str, str], *, sign: bool = True, **changes: Any) -> Path:
    """Change the kept plan; ``sign``: with the user's key, as a process of the user could."""
    (path,) = plans(env)
    mac, _, body = path.read_bytes().partition(b"\n")
    plan = json.loads(body)
    plan.update(changes)
    body = json.dumps(plan).encode()
    path.write_bytes((replay._sign(secret(env), body) if sign else mac) + b"\n" + body)
    return path


TAMPERED: list[dict[str, Any]] = [
    {"sql": "DELETE FROM model", "params": []},  # a read-only connection refuses it
    {"sql": "SELECT 1", "params": []},
    {"sql": "SELECT listing, data FROM model WHERE id = ?", "params": ["nothing"]},
    {"sql": "SELECT listing, data FROM nowhere", "params": []},
    {"params": [{"not": "a value"}]},
    {"shape": "yaml"},
    {"version": 99},
    {"store": str(Path("/nonexistent/store.db"))},
]


@pytest.mark.parametrize("changes", TAMPERED, ids=[str(c) for c in TAMPERED])
def test_a_tampered_plan_costs_only_the_replay(
    env: dict[str, str], changes: dict[str, Any]
) -> None:
    args = ["list", "--format", "json"]
    first = run(env, *args)
    tamper(env, **changes)
    after = run(env, *args)
    assert not after.replayed
    assert (after.code, after.out, after.err) == (0, first.out, "")
    with sqlite3.connect(env["MODELCAT_DB"]) as conn:
        (count,) = conn.execute("SELECT count(*) FROM model").fetchone()
    assert count == len(json.loads(first.out))  # nothing deleted
    assert run(env, *args).replayed  # the full run kept a good plan again


def test_an_unsigned_plan_is_never_run(env: dict[str, str]) -> None:
    """Whoever can write the cache but not read the user's key cannot make modelcat run a
    statement of theirs: a changed plan whose MAC does not match is ignored."""
    args = ["list", "--format", "json"]
    first = run(env, *args)
    tamper(env, sign=False, params=["llama-2-7b"], sql=FORGED)  # would list one model
    forged = run(env, *args)
    assert not forged.replayed
    assert (forged.code, forged.out) == (0, first.out)
    (path,) = plans(env)
    _, _, body = path.read_bytes().partition(b"\n")
    path.write_bytes(replay._sign(b"0" * 64, body) + b"\n" + body)  # another key
    assert not run(env, *args).replayed
    assert run(env, *args).replayed
    key = Path(env["HOME"]) / ".local/share/modelcat" / replay.SECRET_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    key.unlink()  # no key: nothing is replayed, the next full run makes one
    assert not run(env, *args).replayed
    assert run(env, *args).replayed


FORGED = "SELECT listing, data FROM model WHERE id = ?"


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff not json", b"[" * 100_000, b" " * (replay.MAX_PLAN_BYTES + 10)],
    ids=["binary", "deep", "too-big"],
)
def test_a_garbled_plan_file_is_ignored(env: dict[str, str], content: bytes) -> None:
    args = ["list", "--format", "jsonl"]
    first = run(env, *args)
    (path,) = plans(env)
    path.write_bytes(content)
    after = run(env, *args)
    assert not after.replayed
    assert (after.code, after.out, after.err) == (0, first.out, "")


PLAN_KEYS = ["version", "store", "data_dir", "state", "shape", "sql", "params", "licenses"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.dictionaries(
            st.sampled_from(PLAN_KEYS) | st.text(max_size=5),
            SCALARS | st.lists(SCALARS, max_size=4) | st.dictionaries(st.text(max_size=5), SCALARS),
            max_size=10,
        ).map(lambda v: json.dumps(v).encode()),
        SCALARS.map(lambda v: json.dumps(v).encode()),
    )
)
def test_any_plan_file_loads_as_a_plan_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = replay._plans_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = replay._secret(create=True)
    assert key is not None
    (folder / "k.json").write_bytes(replay._sign(key, content) + b"\n" + content)
    plan = replay._load("k")
    assert plan is None or replay._well_formed(plan)


def test_the_key_holds_the_arguments_the_environment_and_the_code(tmp_path: Path) -> None:
    key = replay._key(["list", "--format", "json"])
    assert replay._key(["list", "--format", "json"]) == key
    assert replay._key(["list", "--format", "jsonl"]) != key
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODELCAT_DB", str(tmp_path / "other.db"))
        assert replay._key(["list", "--format", "json"]) != key
        patch.chdir(tmp_path)
        assert replay._key(["list", "--format", "json"]) != key
    assert replay._key(["list", "--format", "json"]) == key
    module = Path(replay.__file__).with_name("listing.py")
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert replay._key(["list", "--format", "json"]) != key
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_listing_that_holds_the_day_is_not_kept(tmp_path: Path) -> None:
    """Leaving retired models out compares with today's date: such a statement is not kept."""
    kept: list[Any] = []
    with Catalog.open(str(tmp_path / "store.db")) as cat:
        for hide in (True, False):
            filters = make_filters(hide_retired=hide)
            lines = cat.search.stream_lines(
                filters, sort=LIST_SORT, keep=lambda sql, params: kept.append(params)
            )
            assert list(lines)
    assert len(kept) == 1  # the one with retired models


# -- the listing column -----------------------------------------------------------------------


def test_the_stored_line_is_the_listing_document(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with Catalog.open(str(db)) as cat:
        models = {m.id: m for m in cat.list()}
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, listing, listing_dated FROM model").fetchall()
    assert len(rows) == len(models)
    assert {bool(dated) for _, _, dated in rows} == {True, False}
    for model_id, listing, dated in rows:
        model = models[model_id]
        assert bool(dated) == (model.lifecycle is not None)  # its status depends on the day
        assert row_line(listing, dated, None) == compact_json(model.to_json())
        if not dated:
            assert listing == compact_json(model.to_json())


def test_a_dated_line_says_the_status_of_the_day_it_is_read(tmp_path: Path) -> None:
    """A line written while a model was deprecated reads ``retired`` once its day has come."""
    db = tmp_path / "store.db"
    with Catalog.open(str(db)) as cat:
        retired = [m for m in cat.list() if m.status() == "retired"]
    assert retired
    model = retired[0]
    with sqlite3.connect(db) as conn:
        (listing,) = conn.execute("SELECT listing FROM model WHERE id = ?", (model.id,)).fetchone()
    written = json.loads(listing)
    written["status"] = "deprecated"  # as written before the shutdown day
    line = row_line(json.dumps(written, separators=(",", ":")), True, None)
    assert json.loads(line)["status"] == "retired"
    assert line == compact_json(model.to_json())


def test_the_store_file_as_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert named_store_file("sqlite:////srv/m/store.db") == "/srv/m/store.db"
    assert named_store_file("sqlite:///rel.db") == str(tmp_path / "rel.db")
    assert named_store_file("rel.db") == str(tmp_path / "rel.db")
    assert named_store_file("~/s.db") == os.path.expanduser("~/s.db")
    assert named_store_file("postgresql+psycopg://u:p@h/db") is None
    assert named_store_file("sqlite:///file:s.db?mode=ro&uri=true") is None
    monkeypatch.setenv("MODELCAT_DB", "env.db")
    assert named_store_file(None) == str(tmp_path / "env.db")
