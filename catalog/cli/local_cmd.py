"""``modelcat local``: models already on this machine, linked to their catalog entries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalog.cli.common import FormatOpt, err, open_catalog
from catalog.render import Column, Format, emit
from catalog.units import plural


def _size(value: int) -> str:
    from catalog.units import format_bytes

    return format_bytes(value)


def _params(value: int | None) -> str:
    from catalog.units import format_count

    return "" if value is None else format_count(value)


LOCAL_COLUMNS = [
    Column("path", lambda m: str(m.path)),
    Column("source", lambda m: m.source),
    Column("name", lambda m: m.name),
    Column("hub id", lambda m: m.hub_id),
    Column("catalog id", lambda m: m.catalog_id),
    Column("revision", lambda m: (m.revision or "")[:12]),
    Column("size", lambda m: _size(m.size_bytes), "right"),
    Column("formats", lambda m: list(m.formats)),
    Column("quant", lambda m: m.quantization),
    Column("params", lambda m: _params(m.gguf.parameters if m.gguf else None), "right"),
    Column("ctx", lambda m: m.gguf.context_length if m.gguf else None, "right"),
    Column("remote code", lambda m: m.remote_code),
]


def local_command(
    ctx: typer.Context,
    path: Annotated[
        list[Path] | None,
        typer.Option(
            "--path",
            help="A model folder, GGUF file or folder of models to search (repeatable); "
            "added to the `paths` of the config file ($MODELCAT_CONFIG).",
        ),
    ] = None,
    no_hf_cache: Annotated[
        bool,
        typer.Option("--no-hf-cache", help="Do not scan the Hugging Face cache."),
    ] = False,
    max_depth: Annotated[
        int,
        typer.Option("--max-depth", min=0, max=10, help="How deep folders are searched."),
    ] = 4,
    fmt: FormatOpt = Format.table,
) -> None:
    """Models on this machine, linked to the catalog: the Hugging Face cache, your folders, and
    the GGUF models of LM Studio, llama.cpp's cache and Ollama.

    Shows size on disk, revision, weight formats (safetensors, pickle, gguf), whether loading
    would run code shipped with the model, and for GGUF files what their header says
    (quantization, parameters, context). Nothing is loaded or run.
    """
    from catalog.local.hf_cache import hf_cache_dir
    from catalog.local.inventory import installed_models

    cat = open_catalog(ctx)
    scan, folders = installed_models(
        cat, paths=path or [], hf_cache=not no_hf_cache, max_depth=max_depth
    )
    models = list(scan.models)
    for warning in scan.warnings:
        err(f"modelcat: {warning}")
    emit(
        models,
        LOCAL_COLUMNS,
        fmt,
        json_payload=[m.to_json() for m in models],
        title=plural(len(models), "local model"),
    )
    if not models and fmt is Format.table:
        # A missing cache was reported by the scan already: name only what was searched.
        cache = None if no_hf_cache or not hf_cache_dir().is_dir() else hf_cache_dir()
        where = [f"the Hugging Face cache ({cache})"] if cache else []
        where += [str(f) for f in folders]
        if where:
            found = f"No models found in {', '.join(where)}."
        else:
            found = "Nothing searched (--no-hf-cache and no --path)." if no_hf_cache else ""
        err(f"{found} Add folders with --path or a `paths:` list in the config file.".strip())
