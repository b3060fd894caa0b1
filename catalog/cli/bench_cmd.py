"""``modelcat bench``: measure a local model and store the result; ``--history``; ``--machines``."""

from __future__ import annotations

import threading
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from catalog.cli.common import FormatOpt, err, open_catalog
from catalog.cli.interrupt import cancel_on_sigint
from catalog.errors import BenchmarkError, UsageError
from catalog.render import Format

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.bench.records import StoredRun
    from catalog.bench.result import BenchResult

INSTALL_MESSAGE = (
    "modelcat bench needs torch and transformers (the `bench` extra), which are not installed. "
    "Install the CPU build of torch first, so pip does not pull a multi-gigabyte CUDA build: "
    "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu ; "
    "then: pip install 'modelcat[bench]'"
)
CANCELLED_EXIT = 130
"""The shell's exit status for a program stopped by Ctrl-C (128 + SIGINT)."""


class DeviceChoice(StrEnum):
    """``--device``."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class DTypeChoice(StrEnum):
    """``--dtype``."""

    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"
    fp16 = "fp16"


class BackendChoice(StrEnum):
    """``--backend``."""

    transformers = "transformers"
    llama_cpp = "llama-cpp"
    openai = "openai"


def bench_command(
    ctx: typer.Context,
    model_or_path: Annotated[
        str | None,
        typer.Argument(
            metavar="[MODEL_OR_PATH]",
            help="A model folder, a GGUF file, a Hub id in the local cache, or a catalog id "
            "whose Hub repository is cached. With --endpoint: the catalog id the server's model "
            "is (optional). With --history: the model whose runs to list.",
            show_default=False,
        ),
    ] = None,
    repeat: Annotated[int, typer.Option("--repeat", "-r", min=1, help="Measured rounds.")] = 5,
    prompt_tokens: Annotated[
        int, typer.Option("--prompt-tokens", "-p", min=1, help="Prompt tokens (prefill).")
    ] = 512,
    gen_tokens: Annotated[
        int, typer.Option("--gen-tokens", "-n", min=2, help="Generated tokens (decode).")
    ] = 128,
    warmup: Annotated[int, typer.Option("--warmup", min=0, help="Unmeasured rounds first.")] = 1,
    device: Annotated[
        DeviceChoice, typer.Option("--device", help="cpu, cuda or auto.", case_sensitive=False)
    ] = DeviceChoice.auto,
    dtype: Annotated[
        DTypeChoice,
        typer.Option("--dtype", help="auto: fp32 on CPU, bf16/fp16 on CUDA.", case_sensitive=False),
    ] = DTypeChoice.auto,
    threads: Annotated[
        int | None,
        typer.Option("--threads", "-t", min=1, help="CPU threads (torch, llama.cpp)."),
    ] = None,
    backend: Annotated[
        BackendChoice | None,
        typer.Option(
            "--backend",
            help="transformers, llama-cpp or openai (default: llama-cpp for a GGUF file, "
            "openai with --endpoint, else transformers).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    context: Annotated[
        int | None,
        typer.Option("--context", min=1, help="llama-cpp: context size to load with."),
    ] = None,
    gpu_layers: Annotated[
        int, typer.Option("--gpu-layers", min=0, help="llama-cpp: layers offloaded to a GPU.")
    ] = 0,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint", help="openai: the server's base URL, e.g. http://127.0.0.1:8080/v1."
        ),
    ] = None,
    server_model: Annotated[
        str | None,
        typer.Option(
            "--model", help="openai: the model name the server knows (default: its first)."
        ),
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(
            "--api-key-env",
            help="openai: the environment variable holding the API key (never stored or printed).",
        ),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="openai: parallel streams per round.")
    ] = 1,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.001, help="openai: seconds to wait for a token."),
    ] = 60.0,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="openai: allow an endpoint that is not this machine."),
    ] = False,
    trust_remote_code: Annotated[
        bool,
        typer.Option(
            "--trust-remote-code", help="Allow running Python code shipped with the model."
        ),
    ] = False,
    allow_pickle: Annotated[
        bool,
        typer.Option(
            "--allow-pickle",
            help="Allow pickle weights (.bin) when no safetensors exist (loaded weights_only).",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load the model even when its memory estimate is larger than the device's "
            "free memory.",
        ),
    ] = False,
    machine_name: Annotated[
        str | None,
        typer.Option(
            "--machine-name",
            envvar="MODELCAT_MACHINE_NAME",
            help="Name this machine in the store (with --machines: rename --machine).",
        ),
    ] = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Print the result without storing it.")
    ] = False,
    history: Annotated[
        bool, typer.Option("--history", help="List stored runs (of MODEL, if given).")
    ] = False,
    machine: Annotated[
        str | None,
        typer.Option("--machine", help="With --history: only this machine (name or fingerprint)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="With --history: at most N runs.")
    ] = None,
    machines: Annotated[
        bool, typer.Option("--machines", help="List the machines with stored runs.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Benchmark a local model (load, prefill, decode, TTFT, peak memory, perplexity) and store it.

    Measures as llama-bench does: a warm-up, then --repeat rounds of a --prompt-tokens prefill
    and --gen-tokens greedy decode; mean ± std. Backends: transformers (a model folder),
    llama-cpp (a GGUF file, in process), openai (an OpenAI-compatible server at --endpoint,
    this machine only unless --allow-remote). Nothing is downloaded; remote code and pickle
    weights are refused unless allowed. Ctrl-C stops cleanly and stores nothing.

    `modelcat bench --history [MODEL] [--machine NAME]` lists past runs, to compare a model
    across machines; `modelcat bench --machines` lists the machines.
    """
    if history and machines:
        raise UsageError("give --history or --machines, not both")
    if machines:
        source = ctx.get_parameter_source("machine_name")
        from_env = source is not None and source.name == "ENVIRONMENT"
        _machines(ctx, machine=machine, new_name=None if from_env else machine_name, fmt=fmt)
        return
    if history:
        _history(ctx, model_or_path, machine=machine, limit=limit, fmt=fmt)
        return
    if machine is not None or limit is not None:
        raise UsageError("--machine and --limit go with --history (or --machines)")
    from catalog.bench.runner import default_backend

    chosen = backend.value if backend else default_backend(model_or_path, endpoint)
    if model_or_path is None and chosen != "openai":
        raise UsageError(
            "give a model folder, a GGUF file, a cached Hub id or a catalog id "
            "(or --endpoint, --history, --machines)"
        )
    ensure_backend(chosen)
    from catalog.bench.store import valid_machine_name
    from catalog.cli.bench_target import resolve_server_target, resolve_target

    name = valid_machine_name(machine_name) if machine_name is not None else None
    cat = open_catalog(ctx)
    if chosen == "openai":
        target = resolve_server_target(cat, model_or_path, server_model=server_model)
    else:
        target = resolve_target(cat, model_or_path or "", backend=chosen)
    cancel = threading.Event()
    settings = {
        "path_or_model": target.path_or_model or None, "backend": chosen, "device": device.value,
        "dtype": dtype.value, "threads": threads, "prompt_tokens": prompt_tokens,
        "gen_tokens": gen_tokens, "repeat": repeat, "warmup": warmup,
        "trust_remote_code": trust_remote_code, "allow_pickle": allow_pickle,
        "context": context, "gpu_layers": gpu_layers, "endpoint": endpoint,
        "server_model": server_model, "api_key_env": api_key_env,
        "concurrency": concurrency, "timeout": timeout, "allow_remote": allow_remote,
        "force": force,
    }  # fmt: skip
    store = None if no_store else {"catalog_id": target.catalog_id, "machine_name": name}
    run = _run(cat, label=model_or_path or endpoint or "", quiet=fmt is Format.json, cancel=cancel,
               settings=settings, store=store)  # fmt: skip
    _report(run, catalog_id=target.catalog_id, machine_name=name, fmt=fmt)


def ensure_backend(backend: str = "transformers") -> None:
    """Say how to install what a backend needs when it is missing: the ``bench`` extra
    (torch, transformers), the ``gguf`` extra (llama-cpp-python); the openai client needs
    only httpx, which always comes along.

    Raises:
        BenchmarkError: a module the backend needs is not importable (exit 2).
    """
    import importlib.util

    if backend == "llama-cpp":
        if importlib.util.find_spec("llama_cpp") is None:
            from catalog.bench.backends.llama_cpp import INSTALL_HINT

            raise BenchmarkError(f"modelcat bench: {INSTALL_HINT}")
        return
    if backend == "openai":
        return
    for name in ("torch", "transformers"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise BenchmarkError(INSTALL_MESSAGE)


def _run(
    cat: Catalog,
    *,
    label: str,
    quiet: bool,
    cancel: threading.Event,
    settings: dict[str, Any],
    store: dict[str, Any] | None,
) -> BenchResult | StoredRun:
    """Run (and store, unless ``store`` is None) with progress and Ctrl-C handling; a
    cancelled run stores nothing and ends the process (exit 130)."""
    from catalog.bench import BenchmarkCancelled, run_benchmark
    from catalog.bench.store import benchmark_and_store
    from catalog.cli.bench_progress import bench_progress, progress_style

    try:
        with (
            cancel_on_sigint(cancel, stopping="stopping at the next step"),
            bench_progress(progress_style(quiet=quiet), label=label) as progress,
        ):
            if store is None:
                result = run_benchmark(progress=progress, cancel=cancel, **settings)
                if cancel.is_set():  # Ctrl-C after the last step: the user asked to stop
                    raise BenchmarkCancelled()
                return result
            return benchmark_and_store(cat, progress=progress, cancel=cancel, **store, **settings)
    except (BenchmarkCancelled, KeyboardInterrupt):
        cancelled()


def cancelled() -> NoReturn:
    """Report a cancelled run and end with the Ctrl-C exit status."""
    err("modelcat: benchmark cancelled; nothing was recorded")
    raise typer.Exit(CANCELLED_EXIT)


def _report(
    run: BenchResult | StoredRun,
    *,
    catalog_id: str | None,
    machine_name: str | None,
    fmt: Format,
) -> None:
    from catalog.bench.records import StoredRun
    from catalog.cli.bench_output import print_run

    if isinstance(run, StoredRun):
        result, payload = run.result, run.to_json()
    else:
        result = run
        payload = {
            "id": None,
            **run.to_json(),
            "catalog_id": catalog_id,
            "machine_name": machine_name,
            "recorded_at": None,
        }
    print_run(result, fmt, payload=payload)
    for note in result.notes:  # in every format: JSON readers see it in "notes" as well
        err(f"modelcat: {note}")
    if fmt is Format.table:
        if payload["id"]:
            key = catalog_id or result.model
            err(f"stored as run {payload['id']}; see `modelcat bench --history {key}`")
        else:
            err("not stored (--no-store)")


def _history(
    ctx: typer.Context, model: str | None, *, machine: str | None, limit: int | None, fmt: Format
) -> None:
    from catalog.bench.store import load_results
    from catalog.cli.bench_output import print_history
    from catalog.units import plural

    cat = open_catalog(ctx)
    keys = _model_keys(cat, model) if model else None
    runs = load_results(cat, model=keys, machine=machine, limit=limit)
    machine_count = len({r.machine_fingerprint for r in runs})
    of = f" of {model}" if model else ""
    if runs:
        title = f"{plural(len(runs), 'run')}{of} on {plural(machine_count, 'machine')}"
    else:
        title = f"no runs{of}{f' on machine {machine}' if machine else ''} yet"
    print_history(runs, fmt, title=title)
    if not runs and fmt is Format.table:
        what = f" of {model}" if model else ""
        where = f" on machine {machine!r}" if machine else ""
        err(f"No stored benchmark runs{what}{where}. Run `modelcat bench MODEL_OR_PATH` first.")


def _model_keys(cat: Catalog, model: str) -> list[str]:
    """Everything a stored run of ``model`` may be filed under: the text itself, a folder's
    absolute path, and for a catalog model its id and Hub id."""
    from catalog.errors import UnknownModelError

    keys = [model]
    path = Path(model).expanduser()
    if path.exists():
        keys.append(str(path.absolute()))
        return keys
    try:
        entry = cat.get(model)
    except UnknownModelError:
        return keys
    keys.append(entry.id)
    if entry.hub_id:
        keys.append(entry.hub_id)
    return keys


def _machines(
    ctx: typer.Context, *, machine: str | None, new_name: str | None, fmt: Format
) -> None:
    from catalog.bench.store import list_machines, name_machine
    from catalog.cli.bench_output import print_machines

    cat = open_catalog(ctx)
    if new_name is not None:
        if machine is None:
            raise UsageError(
                "to rename a machine give --machine FINGERPRINT and --machine-name NAME"
            )
        renamed = name_machine(cat, machine=machine, name=new_name)
        err(f"machine {renamed.fingerprint} is now named {renamed.name!r}")
    found = list_machines(cat)
    print_machines(found, fmt)
    if not found and fmt is Format.table:
        err("No machines yet: they are recorded with each stored benchmark run.")
