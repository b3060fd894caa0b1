"""Property tests of the YAML loader: whatever a file holds, the answer is data or a located
error (never a traceback), within the caps."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog._yaml_lines import LimitError, Limits, load_with_lines, stream_list
from catalog.curated import load_curated
from catalog.errors import DataFileError

TOKENS = st.sampled_from(
    [
        "- ", ": ", "&a ", "*a ", "&b ", "*b ", "*c ", "[", "]", "{", "}", ", ", "\n", "  ",
        "    ", "id", "models", "notes", "'", '"', "!!int ", "!!binary ", "!!set ", "!!omap ",
        "!!python/object:os.system ", "<<: ", "? ", "---\n", "...\n", "1e400", ".nan", "-.inf",
        "9" * 60, "0x1F", "0o17", "1:30:00", "2024-13-45", "~", "yes", "\t", "# c\n", "|\n",
        ">-\n", '"\\x1b]0;t\\x07"', '"\\u009b"', "\\", "%YAML 1.1\n", "\x85", "\ufeff",
    ]
)  # fmt: skip
TEXT = st.lists(TOKENS | st.text(max_size=4), max_size=80).map("".join)
LIMITS = Limits(max_bytes=10_000, max_depth=8, max_alias_nodes=200)

SETTINGS = settings(
    max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@SETTINGS
@given(TEXT)
def test_any_text_gives_data_or_a_yaml_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "any.yaml", text)
        try:
            load_with_lines(path, limits=LIMITS)
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            pass
        try:
            for _ in stream_list(path, "models", limits=LIMITS):
                pass
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            pass


@SETTINGS
@given(st.integers(min_value=1, max_value=30), st.integers(min_value=2, max_value=9))
def test_alias_expansion_past_the_budget_always_stops(levels: int, width: int) -> None:
    text = "l0: &l0 [x]\n" + "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]\n" for i in range(1, levels)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "bomb.yaml", text)
        expanded, size = 0, 2  # nodes the aliases add; the size of l0 ([x])
        for _ in range(1, levels):
            expanded += width * size
            size = 1 + width * size
        try:
            load_with_lines(path, limits=LIMITS)
        except LimitError as exc:
            assert expanded > LIMITS.max_alias_nodes
            assert exc.problem_mark is not None
        else:
            assert expanded <= LIMITS.max_alias_nodes


@settings(SETTINGS, max_examples=60)
@given(TEXT)
def test_any_overlay_loads_or_lists_located_problems(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), "models.yaml", "models:\n" + text)
        try:
            load_curated(tmp)
        except DataFileError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.file.endswith("models.yaml")
                shown = str(problem)
                assert len(shown) < 600
                assert "\x1b" not in shown and "\x9b" not in shown


class _Reference(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's own safe loader on the same parser, with dates kept as text as modelcat keeps
    them."""


_Reference.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)
WIDE = Limits(max_bytes=10_000, max_depth=64, max_alias_nodes=100_000)


@SETTINGS
@given(TEXT)
def test_the_loader_reads_what_pyyaml_reads(text: str) -> None:
    """The event-driven builder gives PyYAML's values, or a located error where PyYAML gives
    one too (or where a cap is passed). Merge keys are left out: PyYAML's precedence between
    merged mappings depends on whether two equal keys are the same string object."""
    if "<<" in text:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "any.yaml", text)
        try:
            expected = yaml.load(path.read_bytes(), Loader=_Reference)  # noqa: S506 (a safe loader)
        except RecursionError:
            return
        except Exception:  # PyYAML slips too (``!!int ""`` is an IndexError)
            expected = yaml.YAMLError
        try:
            value, _ = load_with_lines(path, limits=WIDE)
        except LimitError:
            return
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            assert expected is yaml.YAMLError, (text, exc)
            return
        assert repr(value) == repr(expected), text


def test_merge_keys_follow_the_yaml_spec(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "merge.yaml",
        "a: &a {k: 1, only_a: 1}\n"
        "b: &b {k: 2, only_b: 2}\n"
        "both: {<<: [*a, *b]}\n"
        "own: {<<: *a, k: 3}\n",
    )
    value, _ = load_with_lines(path)
    assert value["both"] == {"k": 1, "only_a": 1, "only_b": 2}  # the first mapping wins
    assert value["own"] == {"k": 3, "only_a": 1}  # a key given in the mapping wins


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: !!omap [{a: 1}, {b: 2}]", [("a", 1), ("b", 2)]),
        ("v: !!set {a, b}", {"a", "b"}),
        ("v: !!binary aGk=", b"hi"),
        ("v: {=: 1}", {"=": 1}),
        ("v: 2024-13-45", "2024-13-45"),
    ],
)
def test_the_safe_tags_are_read(tmp_path: Path, text: str, expected: object) -> None:
    value, _ = load_with_lines(_write(tmp_path, "tags.yaml", text))
    assert value["v"] == expected


@pytest.mark.parametrize(
    "text",
    ["v: !!python/object:os.system x", "v: =", "v: !!omap {a: 1}", "v: !!int [1]", "v: <<"],
)
def test_other_tags_are_located_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(yaml.YAMLError) as raised:
        load_with_lines(_write(tmp_path, "tags.yaml", text))
    assert raised.value.problem_mark is not None  # type: ignore[attr-defined]


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=8)
)


def _nested(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)


DATA = st.recursive(SCALARS, _nested, max_leaves=20)


@SETTINGS
@given(DATA, DATA, st.booleans())
def test_dumped_data_reads_back_with_shared_parts_once(
    data: object, shared: object, flow: bool
) -> None:
    document = {"data": data, "first": shared, "again": shared}  # ``again`` is an alias
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "dumped.yaml", yaml.safe_dump(document, default_flow_style=flow))
        value, index = load_with_lines(path, limits=WIDE)
    assert value == document
    assert value["again"] is value["first"] or not isinstance(shared, list | dict)
    assert index.line_of(("data",)) is not None
