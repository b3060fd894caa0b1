"""The small catalog modules the CLI and the TUI share: why a listing is empty, shortlist export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.api import Catalog, make_filters
from catalog.errors import UsageError
from catalog.export import export_models


def test_why_empty_names_each_filter_that_alone_removes_everything(cat: Catalog) -> None:
    filters = make_filters(access=["api"], max_params="1B")
    assert cat.count(filters) == 0
    reason = cat.search.why_empty(filters)
    assert set(reason.active) == {"access", "max_params"}
    assert set(reason.culprits) == {"access", "max_params"}
    assert "--max-params" in reason.message(lambda n: "--" + n.replace("_", "-"))


def test_why_empty_when_no_single_filter_is_to_blame(cat: Catalog) -> None:
    filters = make_filters(search="no-such-model-anywhere", access=["api"])
    reason = cat.search.why_empty(filters)
    assert reason.culprits == ("search",)
    both = make_filters(search="zzz-none", ids=["no-such-id"])
    assert cat.search.why_empty(both).culprits == ()
    assert "several filters" in cat.search.why_empty(both).message()


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_export_writes_each_format(cat: Catalog, tmp_path: Path, fmt: str) -> None:
    models = [cat.get("pythia-1b"), cat.get("falcon-7b")]
    path = export_models(models, fmt=fmt, path=tmp_path / "sub" / f"list.{fmt}")  # type: ignore[arg-type]
    text = path.read_text()
    assert path.is_absolute() and path.parent.name == "sub"
    if fmt == "json":
        assert [m["id"] for m in json.loads(text)] == ["pythia-1b", "falcon-7b"]
    elif fmt == "csv":
        assert text.splitlines()[1].startswith("pythia-1b,")
    else:
        assert text.splitlines()[4].startswith("| pythia-1b |")


def test_export_refuses_bad_formats_and_paths(cat: Catalog, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown export format"):
        export_models([], fmt="xml", path=tmp_path / "x")  # type: ignore[arg-type]
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="cannot write"):
        export_models([cat.get("pythia-1b")], fmt="json", path=blocker / "inside.json")
