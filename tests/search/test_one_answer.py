"""Proof of one answer (issue 12, point 6): every front end asks the one search engine, so the
same question gets the same ids in the same order from the CLI (``shortlist --format json``),
``Catalog.shortlist``, the TUI's browse query and the advisor's candidate filter, and none of
them returns a model that ``license check`` forbids for the same use.

The questions are drawn at random (hypothesis) over a store with the curated catalog, synced
configs and Hub-tier derivatives with lineage (``proof_store``: built once per session through
the real sync against the fake Hub, on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from catalog.advisor.answers import make_answers
from catalog.advisor.approaches import INFO
from catalog.advisor.candidates import LOCAL_ACCESS, Search
from catalog.api import Catalog
from catalog.cli.main import app
from catalog.fit.hardware import Hardware, detect_hardware
from catalog.licenses import IntendedUse
from catalog.schema import ACCESS_MODES, TUNING_METHODS
from catalog.search import SHORTLIST_SORT, SORT_KEYS, TIERS, FitQuery, Sort, make_filters
from catalog.testing.hub_seed import load_curated
from catalog.units import parse_count
from tests.search.conftest import DERIVATIVES
from tui.browse_query import COUNT_CAP, count_matches, run_browse_query
from tui.columns import row_maker
from tui.screens.browse import FIT_DTYPES
from tui.state import FilterState, FitState, UseState

# Each example runs a handful of queries through four front ends; a bounded number of them
# keeps the test under a minute per backend on a loaded 2-core machine.
PROOF = settings(
    max_examples=60,
    deadline=None,
    # The store is a session fixture built once; drawing the examples is cheap, running the
    # front ends is what takes the time, which is the point of the test.
    suppress_health_check=[HealthCheck.too_slow],
)
EVERYTHING = 100_000
"""A page size larger than the store: the TUI's first page is then the whole answer."""


# -- what a question may hold ----------------------------------------------------------------


def _license_spellings() -> list[str]:
    """Every spelling ``license check`` takes for the shipped licenses: our ids (any case), SPDX
    ids, ScanCode keys and their SPDX form, Hub tags and Hub license names."""
    out: list[str] = []
    for entry in load_curated().licenses.values():
        out += [entry.id, entry.id.upper()]
        if entry.spdx:
            out.append(entry.spdx)
        if entry.scancode_key:
            out += [entry.scancode_key, f"LicenseRef-scancode-{entry.scancode_key}"]
        if entry.hub_id and entry.hub_id not in ("other", "unknown"):
            out.append(entry.hub_id)
        if entry.hub_license_name:
            out.append(entry.hub_license_name)
    return sorted(set(out))


def _family_spellings() -> list[str]:
    names = sorted({m.family for m in load_curated().models.values()})
    return names + [n.lower().replace(" ", "-") for n in names]


LICENSES = _license_spellings()
FAMILIES = _family_spellings()
COUNTS = ("100M", "500M", "1B", "1_500M", "7B", "8B", "13B", "70B", "200B")
MAUS = ("1000", "5000", "100M", "700M", "800M", "1.5B")
SEARCH_TEXTS = (
    "llama", "llama-2-7b", "gpt-4o", "gpt", "l", "7b", "q", "qw", "mistral-7b", "Falcon",
    "someone/llama-2-7b-reupload", "meta-llama/llama-2-7b-hf", "thebloke", "reupload",
    "zzz-no-such-model", "%", "_", '"', "o'", "falcon 7b", "-", "a%b", "instruct",
    *(repo.lower() for repo, *_ in DERIVATIVES),
)  # fmt: skip
MEMORIES = ("2GB", "8GB", "16GB", "64GB", "1TB")
GPUS = ("0", "8GB", "24GB", "80GB")


@dataclass(frozen=True)
class Use:
    """An intended use, as the flags of ``license check`` state it."""

    use: str
    mau: str | None
    modify: bool
    distribute: str
    train_on_outputs: bool
    host_api: bool

    def intended(self) -> IntendedUse:
        return IntendedUse.from_options(
            use=self.use, mau=self.mau, modify=self.modify, distribute=self.distribute,
            train_on_outputs=self.train_on_outputs, host_api=self.host_api,
        )  # fmt: skip

    def flags(self) -> list[str]:
        out = [f"--use={self.use}", f"--distribute={self.distribute}"]
        out += [f"--mau={self.mau}"] if self.mau else []
        out += ["--modify"] if self.modify else []
        out += ["--train-on-outputs"] if self.train_on_outputs else []
        out += ["--host-api"] if self.host_api else []
        return out


@dataclass(frozen=True)
class Fit:
    """``--fits`` on a simulated machine."""

    memory: str
    gpu_memory: str
    dtype: str | None
    context: int | None

    def hardware(self) -> Hardware:
        return detect_hardware(memory=self.memory, gpu_memory=self.gpu_memory)

    def query(self) -> FitQuery:
        return FitQuery(hardware=self.hardware(), dtype=self.dtype, context=self.context)

    def flags(self) -> list[str]:
        out = ["--fits", f"--memory={self.memory}", f"--gpu-memory={self.gpu_memory}"]
        out += [f"--dtype={self.dtype}"] if self.dtype else []
        out += [f"--context={self.context}"] if self.context else []
        return out


@dataclass(frozen=True)
class Question:
    """One question, in the words every front end shares.

    ``mau`` is the commercial filter's user count; with an intended use the CLI's ``--mau``
    belongs to the use, so a question with a use carries its count there only.
    """

    family: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    tunable: tuple[str, ...] = ()
    min_params: str | None = None
    max_params: str | None = None
    commercial: bool = False
    mau: str | None = None
    use: Use | None = None
    fits: Fit | None = None
    tier: tuple[str, ...] = ()
    include_retired: bool = False
    search: str | None = None
    sort: str | None = None
    top: int | None = None

    def cli(self) -> list[str]:
        """``modelcat shortlist`` with these flags."""
        out = ["shortlist", "--format=json"]
        for name in ("family", "license", "access", "tunable", "tier"):
            out += [f"--{name}={value}" for value in getattr(self, name)]
        for name in ("min_params", "max_params", "mau", "search", "sort", "top"):
            value = getattr(self, name)
            if value is not None:
                out.append(f"--{name.replace('_', '-')}={value}")
        out += ["--commercial"] if self.commercial else []
        out += ["--include-retired"] if self.include_retired else []
        out += self.use.flags() if self.use else []
        out += self.fits.flags() if self.fits else []
        return out

    def api(self, cat: Catalog) -> list[str]:
        """``Catalog.shortlist`` with these keyword arguments."""
        models = cat.shortlist(
            family=self.family, license=self.license, access=self.access, tunable=self.tunable,
            min_params=self.min_params, max_params=self.max_params, commercial=self.commercial,
            mau=self.mau, use=self.use.intended() if self.use else None,
            fits=self.fits.query() if self.fits else None, tier=self.tier,
            hide_retired=not self.include_retired, search=self.search, sort=self.sort,
            top=self.top,
        )  # fmt: skip
        return [m.id for m in models]

    def tui_state(self) -> FilterState | None:
        """The browse screen's filter panel set to this question (None: it cannot say it)."""
        many = ("family", "license", "access", "tunable", "tier")
        single = all(len(getattr(self, name)) <= 1 for name in many)
        fit_ok = self.fits is None or self.fits.dtype in FIT_DTYPES
        if not single or self.min_params is not None or not fit_ok:
            return None
        use = None
        if self.use is not None:
            u = self.use
            use = UseState(
                use=u.use, mau=u.mau or "", modify=u.modify, distribute=u.distribute,
                train_on_outputs=u.train_on_outputs, host_api=u.host_api,
            )  # fmt: skip
        fits = None
        if self.fits is not None:
            assert self.fits.dtype is not None
            fits = FitState(dtype=self.fits.dtype, context=str(self.fits.context or ""))
        return FilterState(
            search=self.search or "", family="".join(self.family), license="".join(self.license),
            access="".join(self.access), tunable="".join(self.tunable), tier="".join(self.tier),
            commercial=self.commercial, mau=self.mau or "", max_params=self.max_params or "",
            include_retired=self.include_retired, use=use, fits=fits,
        )  # fmt: skip

    def checked_use(self) -> Use | None:
        """The use ``license check`` must not forbid for what this question returns."""
        if self.use is not None:
            return self.use
        if self.commercial or self.mau:
            return Use("commercial", self.mau, False, "none", False, False)
        return None


def _some(values: Any, *, most: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), max_size=most, unique=True).map(tuple)


def _seldom(strategy: st.SearchStrategy[Any], empty: Any) -> st.SearchStrategy[Any]:
    """``strategy`` one time in three, else ``empty``: a narrow filter on every draw would
    leave most answers empty."""
    return st.sampled_from([False, False, True]).flatmap(
        lambda on: strategy if on else st.just(empty)
    )


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


uses = st.builds(
    Use,
    use=st.sampled_from(["commercial", "research", "personal"]),
    mau=_maybe(st.sampled_from(MAUS)),
    modify=st.booleans(),
    distribute=st.sampled_from(["none", "weights", "derivatives"]),
    train_on_outputs=st.booleans(),
    host_api=st.booleans(),
)
search_texts = st.sampled_from(SEARCH_TEXTS) | st.text(
    alphabet="abcdefgilmnopqrstuwxyz0123456789-._/ %\"'", min_size=1, max_size=6
)
sorts = st.sampled_from(SORT_KEYS).flatmap(
    lambda key: st.sampled_from([key, f"{key}:asc", f"{key}:desc"])
)


def fits(*, dtypes: tuple[str | None, ...]) -> st.SearchStrategy[Fit]:
    return st.builds(
        Fit,
        memory=st.sampled_from(MEMORIES),
        gpu_memory=st.sampled_from(GPUS),
        dtype=st.sampled_from(dtypes),
        context=_maybe(st.sampled_from([512, 4096, 32768])),
    )


@st.composite
def questions(draw: st.DrawFn, *, tui: bool) -> Question:
    """A question; with ``tui``, one the browse screen's filter panel can state (one value per
    field, no minimum size, a dtype from its list)."""
    most = 1 if tui else 2
    bounds = sorted(draw(_some(COUNTS, most=most)), key=parse_count)
    low = high = None
    if len(bounds) == 2:
        low, high = bounds
    elif bounds and draw(st.booleans()) and not tui:
        low = bounds[0]
    elif bounds:
        high = bounds[0]
    use = draw(_seldom(uses, None))
    return Question(
        family=draw(_seldom(_some(FAMILIES, most=most), ())),
        license=draw(_seldom(_some(LICENSES, most=most), ())),
        access=draw(_some(ACCESS_MODES, most=most)),
        tunable=draw(_seldom(_some(TUNING_METHODS, most=most), ())),
        min_params=low,
        max_params=high,
        commercial=draw(_seldom(st.just(True), False)),
        mau=None if use else draw(_maybe(st.sampled_from(MAUS))),
        use=use,
        fits=draw(_seldom(fits(dtypes=FIT_DTYPES if tui else (None, *FIT_DTYPES, "q4_k_m")), None)),
        tier=draw(_some(TIERS, most=1)),
        include_retired=draw(st.booleans()),
        search=draw(_seldom(search_texts, None)),
        sort=draw(_maybe(sorts)),
        top=draw(_maybe(st.integers(min_value=1, max_value=30))),
    )


# -- the front ends ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proof_cat(proof_store: str) -> Iterator[Catalog]:
    """The proof store, opened once for the module (the tests only read it)."""
    with Catalog.open(proof_store) as cat:
        yield cat


def _cli(url: str, argv: list[str], *, codes: tuple[int, ...] = (0,)) -> Any:
    result = CliRunner().invoke(app, argv, env={"MODELCAT_DB": url})
    assert result.exit_code in codes, (argv, result.output)
    return json.loads(result.stdout)


def cli_shortlist(url: str, question: Question) -> list[str]:
    """The ids ``modelcat shortlist ... --format json`` prints, in its order."""
    return [row["id"] for row in _cli(url, question.cli())]


def tui_browse(cat: Catalog, state: FilterState, question: Question) -> tuple[list[str], int]:
    """The ids of the browse screen's table (first page as large as ``top``) and its count."""
    hardware = question.fits.hardware() if question.fits else None
    result = run_browse_query(
        cat, state, sort=Sort.parse(question.sort, default=SHORTLIST_SORT),
        page_size=question.top or EVERYTHING, rows=row_maker({}), hardware=hardware,
    )  # fmt: skip
    assert not result.problems, result.problems
    shown = [row.key for row in result.first_page]
    assert result.total == len(shown)
    if not result.at_least:
        return shown, result.total
    return shown, count_matches(cat, result, cap=COUNT_CAP)


def verdicts(url: str, ids: list[str], use: Use) -> dict[str, str]:
    """``modelcat license check IDS --use ... --format json``: model id -> verdict."""
    if not ids:
        return {}
    # Exit code 1 when a named model is forbidden: the assertion below says which.
    payload = _cli(url, ["license", "check", *ids, *use.flags(), "--format=json"], codes=(0, 1))
    return {r["model"]: r["verdict"] for r in payload["results"]}


def catalog_check(url: str, question: Question, use: Use) -> dict[str, str]:
    """``modelcat license check`` over the catalog with the question's model filters."""
    argv = ["license", "check", *use.flags(), "--format=json"]
    for name in ("family", "license", "access", "tunable", "tier"):
        argv += [f"--{name}={value}" for value in getattr(question, name)]
    for name in ("min_params", "max_params", "search"):
        value = getattr(question, name)
        if value is not None:
            argv.append(f"--{name.replace('_', '-')}={value}")
    return {r["model"]: r["verdict"] for r in _cli(url, argv)["results"]}


def assert_none_forbidden(url: str, ids: list[str], use: Use | None) -> None:
    if use is None:
        return
    judged = verdicts(url, ids, use)
    assert set(judged) == set(ids)
    forbidden = sorted(i for i, v in judged.items() if v == "forbidden")
    assert not forbidden, f"license check forbids {forbidden} for {use}"


# -- the proofs ----------------------------------------------------------------------------------


@PROOF
@given(question=questions(tui=True))
def test_cli_api_and_tui_give_the_same_answer(
    proof_store: str, proof_cat: Catalog, question: Question
) -> None:
    note(" ".join(question.cli()))
    api = question.api(proof_cat)
    event(f"tui answer size {min(len(api), 5)}")
    assert cli_shortlist(proof_store, question) == api
    state = question.tui_state()
    assert state is not None
    shown, total = tui_browse(proof_cat, state, question)
    assert shown == api
    everything = replace(question, top=None).api(proof_cat)
    assert total == min(len(everything), COUNT_CAP + 1)
    assert_none_forbidden(proof_store, api, question.checked_use())


@PROOF
@given(question=questions(tui=False), page=st.integers(min_value=1, max_value=7))
def test_every_question_the_cli_can_ask(
    proof_store: str, proof_cat: Catalog, question: Question, page: int
) -> None:
    """Repeated flags, a minimum size, ``--fits`` without a dtype: the CLI and the API agree,
    paging through the answer (as the TUI's table and the advisor do) gives the same ids, and
    ``license check`` over the catalog keeps exactly what the intended-use filter keeps."""
    note(" ".join(question.cli()))
    api = question.api(proof_cat)
    assert cli_shortlist(proof_store, question) == api
    event(f"cli answer size {min(len(api), 5)}")
    full = replace(question, top=None)
    everything = full.api(proof_cat)
    assert api == everything[: question.top]
    filters = make_filters(
        family=question.family, license=question.license, access=question.access,
        tunable=question.tunable, min_params=question.min_params,
        max_params=question.max_params, commercial=question.commercial, mau=question.mau,
        use=question.use.intended() if question.use else None,
        fits=question.fits.query() if question.fits else None, tier=question.tier,
        hide_retired=not question.include_retired, search=question.search,
    )  # fmt: skip
    order = Sort.parse(question.sort, default=SHORTLIST_SORT)
    paged: list[str] = []
    while len(paged) < len(everything) + 1:
        ids = [m.id for m in proof_cat.query(filters, sort=order, top=page, offset=len(paged))]
        paged += ids
        if len(ids) < page:
            break
    assert paged == everything
    assert_none_forbidden(proof_store, api, question.checked_use())
    use = question.use
    if use is not None and question.include_retired and not (question.commercial or question.fits):
        checked = catalog_check(proof_store, question, use)
        assert set(everything) == {i for i, v in checked.items() if v != "forbidden"}


@st.composite
def advisor_questions(draw: st.DrawFn) -> tuple[str, tuple[str, ...], Use, Question]:
    """An approach, the access modes it looks at, the use the advisor is told, and the question
    its candidate filter asks (modification added when the approach trains)."""
    approach = draw(st.sampled_from(sorted(INFO)))
    access = draw(st.sampled_from([LOCAL_ACCESS, ("api",), ()]))
    info = INFO[approach]  # type: ignore[index]
    told = draw(uses)
    fit = draw(_maybe(fits(dtypes=(None, "bf16", "int4"))))
    question = Question(
        access=access,
        tunable=(info.tunable,) if info.tunable else (),
        max_params=draw(_maybe(st.sampled_from(COUNTS))),
        use=replace(told, modify=told.modify or info.trains),
        fits=fit,
        top=draw(_maybe(st.integers(min_value=1, max_value=30))),
    )
    return approach, access, told, question


@PROOF
@given(asked=advisor_questions())
def test_the_advisors_candidate_filter_gives_the_same_answer(
    proof_store: str, proof_cat: Catalog, asked: tuple[str, tuple[str, ...], Use, Question]
) -> None:
    approach, access, told, question = asked
    note(f"{approach}: " + " ".join(question.cli()))
    info = INFO[approach]  # type: ignore[index]
    assert question.use is not None
    answers = make_answers({"task": "chat", "examples": 0})
    hardware = (
        question.fits.hardware() if question.fits else detect_hardware(memory="8GB", gpu_memory="0")
    )
    licenses = {entry.id: entry for entry in proof_cat.licenses()}
    search = Search(proof_cat, answers, hardware, licenses, told.intended())
    limit = parse_count(question.max_params) if question.max_params else None
    filters = search.filters(
        info, access, limit, fits=question.fits.query() if question.fits else None
    )
    assert search.intended(info) == question.use.intended()
    advisor = [m.id for m in proof_cat.query(filters, sort=SHORTLIST_SORT, top=question.top)]
    event(f"advisor answer size {min(len(advisor), 5)}")
    assert advisor == question.api(proof_cat)
    assert advisor == cli_shortlist(proof_store, question)
    assert_none_forbidden(proof_store, advisor, question.use)
    found = search.find(info)
    assert_none_forbidden(proof_store, [c.model.id for c in found.candidates], question.use)
