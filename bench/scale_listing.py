"""A synthetic Hub listing for scale runs: ``HubModel`` objects as a discovery sync receives them.

The spread (families, sizes, licenses, gated repos, quantized uploads, fine-tunes of curated
base models) resembles the Hub's text-generation models, so the catalog rows they turn into
exercise the same filters and indexes real discovered models do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator, Mapping

from catalog.hub import HubModel

# (family, publisher, architecture, license id, gated at the publisher, sizes in billions)
FAMILIES = [
    ("Llama 3.1", "meta-llama", "llama", "llama3.1", True, [8, 70, 405]),
    ("Llama 2", "meta-llama", "llama", "llama2", True, [7, 13, 70]),
    ("Mistral", "mistralai", "mistral", "apache-2.0", False, [7, 12, 24]),
    ("Qwen2.5", "Qwen", "qwen2", "apache-2.0", False, [0.5, 1.5, 3, 7, 14, 32, 72]),
    ("Gemma 2", "google", "gemma2", "gemma", True, [2, 9, 27]),
    ("Phi-3", "microsoft", "phi3", "mit", False, [3.8, 7, 14]),
    ("Falcon", "tiiuae", "falcon", "apache-2.0", False, [1, 7, 40]),
    ("Pythia", "EleutherAI", "gpt_neox", "apache-2.0", False, [0.07, 0.41, 1, 2.8, 6.9, 12]),
    ("BLOOM", "bigscience", "bloom", "bigscience-bloom-rail-1.0", False, [0.56, 1.1, 3, 7.1]),
    ("DeepSeek LLM", "deepseek-ai", "llama", "deepseek-license-1.0", False, [1.3, 7, 67]),
    ("OLMo", "allenai", "olmo", "apache-2.0", False, [1, 7, 13]),
    ("StarCoder", "bigcode", "gpt_bigcode", "bigcode-openrail-m", True, [1, 3, 7, 15]),
]
AUTHORS = ["TheBloke", "unsloth", "bartowski", "NousResearch", "lmsys", "mlx-community", "teknium"]
SUFFIXES = ["", "-instruct", "-chat", "-GGUF", "-AWQ", "-GPTQ", "-dpo", "-sft", "-v2", "-code"]
QUANTIZED = ("-AWQ", "-GPTQ", "-GGUF")


def listing(
    n: int,
    *,
    license_tags: Mapping[str, tuple[str | None, str | None]],
    base_repos: Mapping[str, str],
    seed: int = 7,
) -> Iterator[HubModel]:
    """``n`` listed repos, one at a time (a million never sit in memory at once).

    Args:
        n: how many.
        license_tags: license id -> the Hub's (license tag, license_name) for it.
        base_repos: family -> a curated Hub id of that family, declared as the base model so
            the fine-tune joins the family (as the sync does with ``baseModels``).
        seed: the random seed (the same seed gives the same listing).
    """
    rng = random.Random(seed)
    start = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        family, org, arch, lic, gated, sizes = rng.choice(FAMILIES)
        size = rng.choice(sizes)
        params = int(size * 1e9 * rng.uniform(0.97, 1.03))
        author = rng.choice([org, *AUTHORS])
        suffix = rng.choice(SUFFIXES)
        repo_id = f"{author}/{family.replace(' ', '-')}-{size}B{suffix}-{i}"
        created = start + dt.timedelta(days=rng.randrange(0, 1400))
        license_id = lic if rng.random() > 0.1 else "apache-2.0"
        tag, name = license_tags.get(license_id, ("other", None))
        base = base_repos.get(family)
        quantized = suffix in QUANTIZED
        yield HubModel(
            repo_id=repo_id,
            sha=hashlib.sha1(repo_id.encode()).hexdigest(),
            last_modified=created + dt.timedelta(days=rng.randrange(0, 60)),
            created_at=created,
            gated="manual" if gated and author == org else False,
            private=False,
            disabled=False,
            downloads=int(rng.paretovariate(1.2) * 10),
            likes=int(rng.paretovariate(1.5)),
            license=tag,
            license_name=name,
            tags=("transformers", "safetensors", "text-generation")
            + ((f"base_model:finetune:{base}",) if base else ()),
            pipeline_tag="text-generation",
            library_name="gguf" if suffix == "-GGUF" else "transformers",
            base_models=(base,) if base and author != org else (),
            safetensors_total=params,
            safetensors_parameters={"BF16": params},
            quantized=quantized,
            config_subset={"model_type": arch, "architectures": [f"{arch.title()}ForCausalLM"]},
        )
