"""Fixtures of the search tests: the fake Hub with every curated repo and derivatives of them,
discovered through the real sync; every store once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.api import Catalog
from catalog.hub import HubClient
from catalog.paths import to_db_url
from catalog.sync import discover, sync_catalog
from catalog.testing.fake_hub import FakeHub, running_fake_hub
from catalog.testing.hub_seed import hub_license, load_curated, seed_curated
from tests.fixtures.postgres import SKIP_REASON, create_database, drop_database, server_url
from tests.sync.conftest import client, curated, hub, make_client  # noqa: F401  (fixtures)

LLAMA2 = "meta-llama/Llama-2-7b-hf"
REUPLOAD = "someone/Llama-2-7b-reupload"
QUANT = "TheBloke/Llama-2-7b-reupload-GPTQ"
ORPHAN = "someone/mystery-finetune"
MISTRAL_FT = "someone/mistral-7b-finetune"
CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}


@pytest.fixture
def cat(db_url: str) -> Iterator[Catalog]:
    """The shipped catalog in a fresh store, once on SQLite and once on PostgreSQL."""
    catalog = Catalog.open(db_url)
    yield catalog
    catalog.close()


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


MISTRAL = "mistralai/Mistral-7B-v0.1"
DERIVATIVES: tuple[tuple[str, str | None, str | list[str] | None, str, str], ...] = (
    # repo, our license id (None: no tag), base model(s), relation, curated entry whose config it has
    (REUPLOAD, "apache-2.0", LLAMA2, "finetune", "llama-2-7b"),
    (QUANT, "apache-2.0", REUPLOAD, "quantized", "llama-2-7b"),
    (ORPHAN, "mit", "nobody/unknown-base", "finetune", "qwen2.5-0.5b"),
    (MISTRAL_FT, "apache-2.0", MISTRAL, "finetune", "mistral-7b"),
    ("someone/Llama-3.1-8B-instruct-ft", "llama3.1", "meta-llama/Llama-3.1-8B", "finetune",
     "llama-3.1-8b"),
    ("someone/falcon-180B-chat-ft", "apache-2.0", "tiiuae/falcon-180B", "finetune", "falcon-180b"),
    ("someone/gemma-2-9b-lora", "gemma", "google/gemma-2-9b", "adapter", "gemma-2-9b"),
    ("someone/qwen2.5-0.5b-gpt-4o-distill", "apache-2.0", "Qwen/Qwen2.5-0.5B", "finetune",
     "qwen2.5-0.5b"),
    ("someone/llama2-mistral-merge", "mit", [LLAMA2, MISTRAL], "merge", "mistral-7b"),
    ("someone/gpt2-nc-finetune", "cc-by-nc-4.0", "openai-community/gpt2", "finetune", "gpt2"),
    ("someone/command-r-apache", "apache-2.0", "CohereForAI/c4ai-command-r-v01", "finetune",
     "command-r"),
    ("someone/untagged-smollm", None, None, "finetune", "smollm2-135m"),
    ("TheBloke/Llama-2-70B-GPTQ", "llama2", "meta-llama/Llama-2-70b-hf", "quantized",
     "llama-2-70b"),
    ("TheBloke/deepseek-r1-distill-7b", "mit", "deepseek-ai/DeepSeek-R1", "finetune",
     "qwen2.5-7b"),
)  # fmt: skip
"""Hub-tier derivatives of the proof store: re-uploads under a laxer tag, quantizations of
them, merges, adapters, an unknown base and an untagged repo, each with a real config."""
SYNCED_CONFIGS = {"falcon-7b": {"num_hidden_layers": 64}, "pythia-1b": {"hidden_size": 4096}}
"""Curated models whose config on the Hub differs from the curated one (the synced one wins)."""


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def proof_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of a store with the curated catalog (synced, some configs changed on the Hub) and
    Hub-tier derivatives with lineage and synced configs, built once per session and backend
    through the real sync against the fake Hub. Tests only read it."""
    if request.param == "sqlite":
        url = to_db_url(tmp_path_factory.mktemp("proof") / "store.db")
    else:
        base = server_url()
        if base is None:
            pytest.skip(SKIP_REASON)
        url = create_database(base)
    try:
        with running_fake_hub(tmp_path_factory.mktemp("proof-hub") / "hf-home") as fake:
            _build_proof_store(fake, url)
        yield url
    finally:
        if request.param != "sqlite":
            drop_database(url)


def _build_proof_store(fake: FakeHub, url: str) -> None:
    curated_models = load_curated().models
    seed_curated(fake)
    for model_id, change in SYNCED_CONFIGS.items():
        entry = curated_models[model_id]
        assert entry.hub_id is not None
        config = {"model_type": entry.architecture, **(entry.config or {}), **change}
        fake.update_model(entry.hub_id, config=config)
    for repo, license_id, base, relation, like in DERIVATIVES:
        entry = curated_models[like]
        tag, name = hub_license(license_id) if license_id else (None, None)
        config = {
            "architectures": [f"{(entry.architecture or 'llama').title()}ForCausalLM"],
            "model_type": entry.architecture or "llama",
            **(entry.config or {}),
        }
        fake.add_model(
            repo, config=config, license=tag, license_name=name, base_model=base,
            base_model_relation=relation, safetensors_total=entry.params,
        )  # fmt: skip
    hub_client = HubClient(endpoint=fake.url, token=False, timeout=5.0, backoff=0.0, max_retries=2)
    with Catalog.open(url) as cat:
        report = sync_catalog(cat, client=hub_client)
        assert not report.failed, report.failed
        for author in ("someone", "TheBloke"):
            discover(cat, client=hub_client, author=author)
        # A discovered repo counts as synced (same sha): only a full sync fetches its config.json.
        repos = [repo for repo, *_ in DERIVATIVES]
        derived = sync_catalog(cat, client=hub_client, models=repos, full=True)
        assert not derived.failed, derived.failed
