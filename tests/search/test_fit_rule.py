"""One fit rule: the SQL fit filter keeps exactly the models whose own verdict (synced config.json
first, curated config otherwise, else the parameter count) says they fit, however many."""

from __future__ import annotations

import pytest

from catalog.api import Catalog
from catalog.fit.hardware import detect_hardware
from catalog.fit.verdict import model_fit
from catalog.hub import HubClient
from catalog.search import FitQuery, make_filters
from catalog.sync import sync_catalog
from catalog.testing.fake_hub import FakeHub


def _kept_by_sql(cat: Catalog, fit: FitQuery) -> set[str]:
    return {m.id for m in cat.query(make_filters(fits=fit))}


def _kept_by_verdict(cat: Catalog, fit: FitQuery) -> set[str]:
    return {
        m.id
        for m in cat.query(make_filters())
        if model_fit(m, fit.hardware, dtype=fit.dtype, context=fit.context, cat=cat).kept
    }


@pytest.mark.parametrize(
    ("memory", "gpu", "dtype", "context"),
    [
        ("8GB", "0", None, None),
        ("16GB", "0", "bf16", 2048),
        ("4GB", "24GB", "int4", 32768),
        ("64GB", "0", "int8", None),
        ("2GB", "0", "q4_k_m", 512),
    ],
)
def test_sql_filter_and_verdict_agree_on_every_model(
    cat: Catalog, memory: str, gpu: str, dtype: str | None, context: int | None
) -> None:
    fit = FitQuery(
        hardware=detect_hardware(memory=memory, gpu_memory=gpu), dtype=dtype, context=context
    )
    kept = _kept_by_sql(cat, fit)
    assert kept == _kept_by_verdict(cat, fit)
    assert kept and kept != {m.id for m in cat.query(make_filters())}


def test_a_synced_config_changes_the_stored_coefficients(
    cat: Catalog, hub: FakeHub, client: HubClient
) -> None:
    """The synced config's twice as many layers (a KV cache and weights twice as large) is what
    both the filter and the verdict judge: 4.4 GiB curated, 7.6 GiB synced, 6 GB here."""
    model = cat.get("falcon-7b")
    assert model.hub_id is not None
    fit = FitQuery(hardware=detect_hardware(memory="6GB", gpu_memory="0"), dtype="int4")
    before = _kept_by_sql(cat, fit)
    config = dict(model.config or {}, model_type="falcon", num_hidden_layers=64)
    hub.update_model(model.hub_id, config=config)
    sync_catalog(cat, client=client, models=["falcon-7b"], full=True)
    after = _kept_by_sql(cat, fit)
    assert after == _kept_by_verdict(cat, fit)
    assert "falcon-7b" in before and "falcon-7b" not in after
