"""How the Hub sync scales: the fake Hub with 10,000 models, requests and wall time per step.

Prints, for one run of the fake Hub (a real HTTP server on 127.0.0.1 that adds a fixed latency
to every answer, 50 ms by default, as a distant Hub would):
- a discovery sync of every model (target: at most 12 listing requests),
- a full sync of the curated models with concurrency vs one at a time, each with a fresh
  Hugging Face cache, ``--repeat`` times (target: at least 4x faster), and its requests beside
  the minimum (one info per model plus one GET per repo holding a config.json),
- a no-change re-sync of the curated models (target: no per-model request beyond the cheap check).

Usage: python bench/sync_scale.py [--models 10000] [--latency-ms 50] [--concurrency 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any

from catalog.api import Catalog
from catalog.hub import HubClient
from catalog.sync import SyncReport, discover, sync_catalog
from catalog.sync.fetch import CHEAP_EXPAND
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import seed_curated

TOKEN = "bench-token"


class SlowHub(FakeHub):
    """The fake Hub, answering every request ``latency`` seconds late (handlers run in threads)."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    def _handle(self, method: str, raw_path: str, headers: Message) -> Any:
        reply = super()._handle(method, raw_path, headers)
        reply.delay += self.latency
        return reply


def client(hub: FakeHub, cache: Path) -> HubClient:
    """A client with its own Hugging Face cache, so every config.json is really downloaded."""
    os.environ["HF_HUB_CACHE"] = str(cache)
    return HubClient(endpoint=hub.url, token=TOKEN, timeout=30.0)


def timed(fn: Callable[[], SyncReport]) -> tuple[SyncReport, float]:
    start = time.perf_counter()
    report = fn()
    return report, time.perf_counter() - start


def per_model_requests(hub: FakeHub) -> int:
    """Requests about one repo: info calls beyond the cheap check, and file downloads."""
    full_info = [r for r in hub.requests("info") if r.param("expand") != list(CHEAP_EXPAND)]
    return len(full_info) + hub.count("resolve")


def breakdown(hub: FakeHub) -> str:
    """The requests of one sync by kind."""
    heads = sum(1 for r in hub.requests() if r.method == "HEAD")
    gets = sum(1 for r in hub.requests("resolve") if r.method == "GET")
    return f"{hub.count('info')} info + {gets} config.json GETs + {heads} HEADs"


def spread(samples: list[float]) -> str:
    mean = statistics.mean(samples)
    std = statistics.stdev(samples) if len(samples) > 1 else 0.0
    raw = ", ".join(f"{s:.2f}" for s in samples)
    return f"{mean:.2f} s ± {std:.2f} (n={len(samples)}: {raw})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000, help="repos on the fake Hub")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every answer")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each full curated sync")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="modelcat-sync-bench-"))
    os.environ.update(
        HF_HOME=str(work / "hf-home"), HF_HUB_DISABLE_XET="1", HF_HUB_DISABLE_TELEMETRY="1"
    )
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "HF_ENDPOINT"):
        os.environ.pop(name, None)
    hub = SlowHub(args.latency_ms / 1000).start()
    try:
        hub.seed_reference_models()
        curated = seed_curated(hub)
        for hub_id in curated:
            hub.grant_access(hub_id, TOKEN)
        hub.add_synthetic_models(max(0, args.models - len(hub.repo_ids)))
        cat = Catalog.open(work / "modelcat.db")
        print(
            f"fake Hub: {len(hub.repo_ids):,} models, {len(curated)} curated repos, "
            f"{args.latency_ms:g} ms added to every answer (a realistic round trip)"
        )

        hub.reset_log()
        report, seconds = timed(lambda: discover(cat, client=client(hub, work / "c0")))
        print(
            f"\ndiscovery of all: {report.discovered:,} listed, {len(report.synced):,} stored as "
            f"tier hub; {hub.count('list')} listing requests, {report.requests} requests in all "
            f"(target <= 12); {seconds:.2f} s"
        )

        runs: dict[int, list[float]] = {args.concurrency: [], 1: []}
        requests: dict[int, str] = {}
        for i in range(args.repeat):
            for concurrency in runs:  # alternate, so drift in the machine hits both alike
                hub.reset_log()
                fresh = client(hub, work / f"cache-{concurrency}-{i}")
                report, seconds = timed(
                    lambda c=fresh, n=concurrency: sync_catalog(
                        cat, client=c, full=True, concurrency=n
                    )
                )
                assert report.ok, report.failed
                runs[concurrency].append(seconds)
                requests[concurrency] = f"{report.requests} requests ({breakdown(hub)})"
        fast, slow = runs[args.concurrency], runs[1]
        with_config = sum(1 for r in curated if hub.get_model(r).config is not None)
        print(f"\nfull curated sync ({len(curated)} models, info + config.json each, fresh cache):")
        print(
            f"  minimum: {len(curated) + with_config} requests ({len(curated)} info + "
            f"{with_config} config.json GETs)"
        )
        print(f"  concurrency {args.concurrency}: {spread(fast)}, {requests[args.concurrency]}")
        print(f"  one at a time:  {spread(slow)}, {requests[1]}")
        ratio = statistics.mean(slow) / statistics.mean(fast)
        print(f"  speed-up: {ratio:.1f}x (target >= 4x)")

        hub.reset_log()
        report, seconds = timed(lambda: sync_catalog(cat, client=client(hub, work / "c1")))
        print(
            f"\nno-change re-sync of the curated set: {len(report.unchanged)} unchanged, "
            f"{report.requests} requests ({hub.count('list')} author listings, "
            f"{hub.count('info')} small info calls for lone repos), "
            f"{per_model_requests(hub)} per-model requests beyond the cheap check (target 0); "
            f"{seconds:.2f} s"
        )
        cat.close()
    finally:
        hub.stop()
        shutil.rmtree(work, ignore_errors=True)  # the store and a Hugging Face cache per run


if __name__ == "__main__":
    main()
