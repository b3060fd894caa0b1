"""How the catalog scales: a store with 100,000 synthetic models, timed end to end.

Prints medians of
- an in-process filtered shortlist (target <= 20 ms),
- a whole ``modelcat shortlist --format json --top 20`` process on that store, against a bare
  ``python -c "import sqlmodel"`` measured in the same run (target <= 1.5x),
- ``modelcat --help`` (target <= 150 ms),
- the rebuild of the curated part from the YAML files.

Usage: python bench/catalog_scale.py [--models 100000] [--db URL] [--repeat 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from catalog.api import Catalog
from catalog.domain import Model
from catalog.store.convert import model_row
from catalog.store.engine import analyze
from catalog.store.tables import MODEL

# (family, publisher, architecture, license, access, typical sizes in billions)
FAMILIES = [
    ("Llama 3.1", "meta-llama", "llama", "llama3.1", "gated", [8, 70, 405]),
    ("Llama 2", "meta-llama", "llama", "llama2", "gated", [7, 13, 70]),
    ("Mistral", "mistralai", "mistral", "apache-2.0", "open", [7, 12, 24]),
    ("Qwen2.5", "Qwen", "qwen2", "apache-2.0", "open", [0.5, 1.5, 3, 7, 14, 32, 72]),
    ("Gemma 2", "google", "gemma2", "gemma", "gated", [2, 9, 27]),
    ("Phi-3", "microsoft", "phi3", "mit", "open", [3.8, 7, 14]),
    ("Falcon", "tiiuae", "falcon", "apache-2.0", "open", [1, 7, 40]),
    ("Pythia", "EleutherAI", "gpt_neox", "apache-2.0", "open", [0.07, 0.41, 1, 2.8, 6.9, 12]),
    ("BLOOM", "bigscience", "bloom", "bigscience-bloom-rail-1.0", "open", [0.56, 1.1, 3, 7.1]),
    ("DeepSeek", "deepseek-ai", "llama", "deepseek-license-1.0", "open", [1.3, 7, 67]),
    ("OLMo", "allenai", "olmo", "apache-2.0", "open", [1, 7, 13]),
    ("StarCoder", "bigcode", "gpt_bigcode", "bigcode-openrail-m", "gated", [1, 3, 7, 15]),
]
AUTHORS = ["TheBloke", "unsloth", "bartowski", "NousResearch", "lmsys", "mlx-community", "teknium"]
SUFFIXES = ["", "-instruct", "-chat", "-GGUF", "-AWQ", "-GPTQ", "-dpo", "-sft", "-v2", "-code"]
METHODS = [("full", "lora", "qlora", "prompt-tuning"), ("lora", "qlora"), ("full", "lora"), ()]


def synthetic_models(n: int, seed: int = 7) -> list[Model]:
    """``n`` plausible Hub-discovered models with a realistic spread of families and sizes."""
    rng = random.Random(seed)
    models: list[Model] = []
    for i in range(n):
        family, org, arch, lic, access, sizes = rng.choice(FAMILIES)
        size = rng.choice(sizes)
        params = int(size * 1e9 * rng.uniform(0.97, 1.03))
        author = rng.choice([org, *AUTHORS])
        name = f"{family.replace(' ', '-')}-{size}B{rng.choice(SUFFIXES)}-{i}"
        released = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 1400))
        models.append(
            Model(
                id=f"{author.lower()}--{name.lower()}",
                name=name,
                family=family,
                publisher=author,
                release_date=released,
                variant=rng.choice(["base", "chat", "instruct", "code"]),
                params=params,
                active_params=None,
                context_length=rng.choice([2048, 4096, 8192, 32768, 131072]),
                architecture=arch,
                hub_id=f"{author}/{name}",
                license=lic if rng.random() > 0.1 else "apache-2.0",
                access="gated" if access == "gated" and author == org else "open",
                tunability=rng.choice(METHODS),
                tuning_routes=("peft", "trl"),
                sources={"license": f"https://huggingface.co/{author}/{name}"},
                tier="hub",
            )
        )
    return models


def fill(cat: Catalog, n: int) -> float:
    """Insert ``n`` synthetic models; returns the seconds it took."""
    commercial = {lic.id: lic.term("commercial_use").value for lic in cat.licenses()}
    start = time.perf_counter()
    models = synthetic_models(n)
    with cat.engine.begin() as conn:
        conn.execute(MODEL.delete().where(MODEL.c.tier == "hub"))
        for i in range(0, len(models), 5000):
            rows = [
                model_row(m, commercial_use=commercial[m.license]) for m in models[i : i + 5000]
            ]
            conn.execute(MODEL.insert(), rows)
    analyze(cat.engine)  # as a discovery sync does after a bulk insert
    return time.perf_counter() - start


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="modelcat-bench-")
    url = args.db or str(Path(tmp) / "scale.db")
    cat = Catalog.open(url)
    fill_s = fill(cat, args.models)
    total = cat.info().models
    print(
        f"store: {cat.info().backend}, {total:,} models ({args.models:,} synthetic, filled in {fill_s:.1f} s)"
    )

    queries: dict[str, Callable[[], object]] = {
        "open + lora + commercial + <=8B, top 20": lambda: cat.shortlist(
            access=["open"], tunable=["lora"], commercial=True, max_params="8B", top=20
        ),
        "family + license, top 20": lambda: cat.shortlist(
            family=["Qwen2.5"], license=["apache-2.0"], top=20
        ),
        "--mau 900M, top 20": lambda: cat.shortlist(mau="900M", top=20),
        "search 'instruct', top 20": lambda: cat.shortlist(search="instruct", top=20),
        "count (open, <=8B)": lambda: cat.count(
            __import__("catalog.api").api.make_filters(access=["open"], max_params="8B")
        ),
    }
    print("\nin-process queries (median ms, target <= 20):")
    for label, fn in queries.items():
        print(f"  {label:42s} {median_ms(fn, args.repeat):8.2f}")

    env = {**os.environ, "MODELCAT_DB": url}
    exe = str(Path(sys.executable).with_name("modelcat"))
    bare = process_ms([sys.executable, "-c", "import sqlmodel"], args.repeat, env)
    shortlist = process_ms([exe, "shortlist", "--format", "json", "--top", "20"], args.repeat, env)
    filtered = process_ms(
        [
            exe,
            "shortlist",
            "--format",
            "json",
            "--top",
            "20",
            "--access",
            "open",
            "--max-params",
            "8B",
            "--commercial",
        ],
        args.repeat,
        env,
    )
    helped = process_ms([exe, "--help"], args.repeat, env)
    print("\nwhole processes (median ms):")
    print(f"  python -c 'import sqlmodel'                {bare:8.1f}")
    print(
        f"  modelcat shortlist --format json --top 20  {shortlist:8.1f}  ({shortlist / bare:.2f}x bare, target <= 1.5x)"
    )
    print(
        f"  ... with --access open --max-params 8B     {filtered:8.1f}  ({filtered / bare:.2f}x bare)"
    )
    print(f"  modelcat --help                            {helped:8.1f}  (target <= 150 ms)")

    rebuild = median_ms(cat.rebuild, max(3, args.repeat // 3))
    print(f"\nrebuild of the curated part from YAML: {rebuild:.1f} ms (median)")
    cat.close()


if __name__ == "__main__":
    main()
