"""Fixtures of the search tests: the fake Hub with every curated repo and derivatives of them,
discovered through the real sync."""

from __future__ import annotations

import pytest

from catalog.api import Catalog
from catalog.hub import HubClient
from catalog.sync import discover
from tests.fixtures.fake_hub import FakeHub
from tests.sync.conftest import client, curated, hub, make_client  # noqa: F401  (fixtures)

LLAMA2 = "meta-llama/Llama-2-7b-hf"
REUPLOAD = "someone/Llama-2-7b-reupload"
QUANT = "TheBloke/Llama-2-7b-reupload-GPTQ"
ORPHAN = "someone/mystery-finetune"
MISTRAL_FT = "someone/mistral-7b-finetune"
CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}


def seed_derivatives(hub: FakeHub, cat: Catalog, client: HubClient) -> None:  # noqa: F811
    """An apache-tagged re-upload of Llama 2, its quantization, an orphan and a plain fine-tune,
    stored by ``sync --discover`` with their lineage."""
    hub.add_model(REUPLOAD, config=CONFIG, license="apache-2.0", base_model=LLAMA2)
    hub.add_model(
        QUANT, config=CONFIG, license="apache-2.0", base_model=REUPLOAD,
        base_model_relation="quantized",
    )  # fmt: skip
    hub.add_model(ORPHAN, config=CONFIG, license="mit", base_model="nobody/unknown-base")
    hub.add_model(
        MISTRAL_FT, config=CONFIG, license="apache-2.0", base_model="mistralai/Mistral-7B-v0.1"
    )
    discover(cat, client=client, author="someone")
    discover(cat, client=client, author="TheBloke")


@pytest.fixture
def derived(cat: Catalog, hub: FakeHub, client: HubClient) -> Catalog:  # noqa: F811
    """The shipped catalog plus the discovered derivatives."""
    seed_derivatives(hub, cat, client)
    return cat
