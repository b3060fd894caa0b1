"""Property tests of the YAML loader: whatever a file holds, the answer is data or a located
error (never a traceback), within the caps."""

from __future__ import annotations

import tempfile
from pathlib import Path

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
        try:
            path = _write(Path(tmp), "any.yaml", text)
        except UnicodeEncodeError:
            return
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
        try:
            _write(Path(tmp), "models.yaml", "models:\n" + text)
        except UnicodeEncodeError:
            return
        try:
            load_curated(tmp)
        except DataFileError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.file.endswith("models.yaml")
                shown = str(problem)
                assert len(shown) < 600
                assert "\x1b" not in shown and "\x9b" not in shown
