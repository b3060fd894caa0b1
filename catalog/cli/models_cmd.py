"""``modelcat list``, ``shortlist``, ``show`` and ``export``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from catalog.cli.common import (
    AccessOpt,
    CommercialOpt,
    CompactOpt,
    DistributeOpt,
    FamilyOpt,
    FormatOpt,
    HostApiOpt,
    LicenseOpt,
    ListingFormat,
    ListingFormatOpt,
    MauOpt,
    MaxParamsOpt,
    MinParamsOpt,
    ModifyOpt,
    SearchOpt,
    SortOpt,
    TierOpt,
    TopOpt,
    TrainOnOutputsOpt,
    TunableOpt,
    UseOpt,
    err,
    intended_use,
    open_catalog,
)
from catalog.cli.estimate_cmd import ContextOpt, DtypeOpt, GpuMemoryOpt, MemoryOpt
from catalog.columns import MODEL_COLUMNS
from catalog.errors import UsageError
from catalog.render import (
    Column,
    Format,
    compact_json,
    emit,
    json_indent,
    write_json,
    write_json_csv,
    write_jsonl,
)
from catalog.units import plural

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.fit.hardware import Hardware
    from catalog.fit.verdict import ModelFit
    from catalog.search import Filters, Hit, Sort


def filters_from(
    *,
    family: list[str] | None,
    license: list[str] | None,
    access: list[str] | None,
    tunable: list[str] | None,
    commercial: bool,
    mau: str | None,
    min_params: str | None,
    max_params: str | None,
    search: str | None,
    tier: list[str] | None,
) -> Filters:
    """The shared filter flags as ``Filters`` (values validated, counts parsed)."""
    from catalog.search import make_filters

    return make_filters(
        family=family or (),
        license=license or (),
        access=access or (),
        tunable=tunable or (),
        commercial=commercial,
        mau=mau,
        min_params=min_params,
        max_params=max_params,
        search=search,
        tier=tier or (),
    )


def print_models(
    cat: Catalog,
    fmt: ListingFormat,
    *,
    filters: Filters,
    sort: Sort,
    top: int | None,
    title: str | None,
    compact: bool = False,
    ids: list[str] | None = None,
    replayable: bool = False,
) -> None:
    """Print a listing; an empty one says which filter removed everything.

    JSON, JSON Lines and CSV are written model by model as the store is read (never the
    whole listing in memory); a table and Markdown are laid out from the whole listing.
    ``title``: the table's (None: the number of models). ``ids``: filled with the ids listed.
    ``replayable``: the filters are the command line's alone (``list``, ``export``; not a
    saved query read from the store), so its statement may be kept for a replay.
    """
    if fmt.streamed:
        # stream_json raises a usage error when called, before any output: no half document
        def documents() -> Iterator[Any]:
            if fmt is not ListingFormat.csv and ids is None:  # JSON as the store keeps it
                keep = replay_keeper(cat, fmt.value, compact=compact) if replayable else None
                return cat.search.stream_lines(filters, sort=sort, top=top, keep=keep)
            return _noting(cat.search.stream_json(filters, sort=sort, top=top), ids)

        write_documents(documents, fmt, compact=compact)
        family_notes(cat, filters)
        return
    models = cat.query(filters, sort=sort, top=top)
    if ids is not None:
        ids.extend(m.id for m in models)
    emit(models, MODEL_COLUMNS, fmt.plain(), json_payload=[m.to_json() for m in models],
         title=plural(len(models), "model") if title is None else title,
         csv_from_json=True)  # fmt: skip
    family_notes(cat, filters)
    if not models and fmt is ListingFormat.table:
        err(why_empty(cat, filters))


def replay_keeper(
    cat: Catalog, shape: str, *, compact: bool, licenses: Sequence[str] = ()
) -> Callable[[str, Sequence[Any]], None] | None:
    """What keeps the plan of this listing for a replay (``catalog.replay``): for compact
    output of a SQLite store (indented JSON, for a terminal, is never replayed)."""
    if shape != "jsonl" and json_indent(compact=compact) is not None:
        return None
    return cat.replay_keeper(shape, licenses=licenses)


def write_documents(
    documents: Callable[[], Iterator[Any]], fmt: ListingFormat, *, compact: bool
) -> None:
    """JSON documents as JSON Lines, one JSON list (indented on a terminal unless
    ``compact``) or CSV (:func:`catalog.render.write_json_csv`: ``documents()`` is read
    twice), each written as soon as it is read."""
    if fmt is ListingFormat.jsonl:
        write_jsonl(documents())
    elif fmt is ListingFormat.json:
        write_json(documents(), indent=json_indent(compact=compact))
    else:
        write_json_csv(documents)


def _noting(documents: Iterator[dict[str, Any]], ids: list[str] | None) -> Iterator[dict[str, Any]]:
    """``documents`` as they come, their ids in ``ids`` (emptied first: CSV reads twice)."""
    if ids is None:
        yield from documents
        return
    ids.clear()
    for document in documents:
        ids.append(document["id"])
        yield document


def family_notes(cat: Catalog, filters: Filters) -> None:
    """A --family matched loosely (``llama`` is LLaMA) names the families close to it."""
    for name in filters.family:
        matched, close = cat.search.family_spelling(name)
        if matched is not None and matched != name and close:
            err(
                f"modelcat: --family {name!r} is {matched!r} only; did you mean "
                f"{', '.join(close)}? (repeat --family for several)"
            )


def why_empty(cat: Catalog, filters: Filters) -> str:
    """Name the filters that, dropped one at a time, would let models through."""
    return cat.search.why_empty(filters).message(_flag)


def _flag(name: str) -> str:
    # The one filter that is on by default is turned off by a flag of another name.
    return "--include-retired" if name == "hide_retired" else "--" + name.replace("_", "-")


def list_models(
    ctx: typer.Context,
    family: FamilyOpt = None,
    license: LicenseOpt = None,
    access: AccessOpt = None,
    tunable: TunableOpt = None,
    commercial: CommercialOpt = False,
    mau: MauOpt = None,
    min_params: MinParamsOpt = None,
    max_params: MaxParamsOpt = None,
    search: SearchOpt = None,
    tier: TierOpt = None,
    sort: SortOpt = None,
    top: TopOpt = None,
    fmt: ListingFormatOpt = ListingFormat.table,
    compact: CompactOpt = False,
) -> None:
    """List models (sorted by id), filtered."""
    from catalog.search import LIST_SORT, Sort

    filters = filters_from(
        family=family, license=license, access=access, tunable=tunable, commercial=commercial,
        mau=mau, min_params=min_params, max_params=max_params, search=search, tier=tier,
    )  # fmt: skip
    cat = open_catalog(ctx)
    order = Sort.parse(sort, default=LIST_SORT)
    print_models(cat, fmt, filters=filters, sort=order, top=top, title=None, compact=compact,
                 replayable=True)  # fmt: skip


def shortlist(
    ctx: typer.Context,
    use: UseOpt = None,
    modify: ModifyOpt = False,
    distribute: DistributeOpt = None,
    train_on_outputs: TrainOnOutputsOpt = None,
    host_api: HostApiOpt = None,
    family: FamilyOpt = None,
    license: LicenseOpt = None,
    access: AccessOpt = None,
    tunable: TunableOpt = None,
    commercial: CommercialOpt = False,
    mau: MauOpt = None,
    min_params: MinParamsOpt = None,
    max_params: MaxParamsOpt = None,
    search: SearchOpt = None,
    tier: TierOpt = None,
    sort: SortOpt = None,
    top: TopOpt = None,
    fits: Annotated[
        bool,
        typer.Option(
            "--fits", help="Only models whose inference estimate fits one device of this machine."
        ),
    ] = False,
    dtype: DtypeOpt = None,
    context: ContextOpt = None,
    memory: MemoryOpt = None,
    gpu_memory: GpuMemoryOpt = None,
    machine: Annotated[
        str | None,
        typer.Option(
            "--machine",
            metavar="NAME",
            help="Judge --fits on a machine recorded by `modelcat bench` (name or fingerprint).",
        ),
    ] = None,
    save: Annotated[
        str | None,
        typer.Option(
            "--save", metavar="NAME", help="Save the ids and the filters under NAME in the store."
        ),
    ] = None,
    load: Annotated[
        str | None,
        typer.Option("--load", metavar="NAME", help="Show the shortlist saved under NAME."),
    ] = None,
    include_retired: Annotated[
        bool,
        typer.Option(
            "--include-retired", help="Keep models whose vendor has stopped serving them."
        ),
    ] = False,
    fmt: ListingFormatOpt = ListingFormat.table,
    compact: CompactOpt = False,
) -> None:
    """Ranked models for your constraints, best first (see README: how ranking works).

    Models past their vendor's shutdown date (status `retired`, e.g. gpt-4) are left out
    unless --include-retired is given; `modelcat list` shows every model with its status.

    With any of --use/--modify/--distribute/--train-on-outputs/--host-api, models that
    `modelcat license check` finds forbidden for that use are left out (a Hub derivative is
    judged under its base models' licenses too).

    --fits keeps models whose inference estimate fits ONE device (a GPU's free memory or the
    available RAM, never the sum of GPUs), with the fit level and the best dtype (bf16, int8,
    int4 unless --dtype is given); --dtype/--context/--memory/--gpu-memory imply it.
    --machine NAME judges on a teammate's machine as recorded with its benchmark results.

    --save NAME stores the resulting ids and how they were chosen in the store (shared by
    everyone using it); --load NAME shows them again, in the saved order, and
    `shortlist list`, `shortlist show NAME` and `shortlist delete NAME` manage them.
    """
    import dataclasses

    from catalog.cli import saved_shortlist
    from catalog.search import SHORTLIST_SORT, FitQuery, Sort

    if ctx.invoked_subcommand is not None:
        return  # `shortlist list|show|delete`: the saved shortlists, not a new one

    if load is not None:
        others = (
            use, modify, distribute, train_on_outputs, host_api, family, license, access,
            tunable, commercial, mau, min_params, max_params, search, tier, sort, top, fits,
            dtype, context, memory, gpu_memory, machine, save, include_retired,
        )  # fmt: skip
        if any(v not in (None, False, []) for v in others):
            raise UsageError(
                "--load shows a saved shortlist as it was saved; drop the other options"
            )
        cat = open_catalog(ctx)
        models, title = saved_shortlist.load_shortlist(cat, load, fmt.plain())
        if fmt.streamed:
            write_documents(lambda: (m.to_json() for m in models), fmt, compact=compact)
        else:
            emit(models, MODEL_COLUMNS, fmt.plain(), json_payload=[m.to_json() for m in models],
                 title=title, csv_from_json=True)  # fmt: skip
        return
    if save is not None:
        from catalog.store.saved import valid_name

        valid_name(save, what="list")  # before any output: a bad name must not half-succeed
    if machine is not None and (memory or gpu_memory):
        raise UsageError(
            "--machine takes the memory from the recorded machine; drop --memory/--gpu-memory"
        )
    filters = filters_from(
        family=family, license=license, access=access, tunable=tunable, commercial=commercial,
        mau=mau, min_params=min_params, max_params=max_params, search=search, tier=tier,
    )  # fmt: skip
    filters = dataclasses.replace(filters, hide_retired=not include_retired)
    if use or modify or distribute or train_on_outputs or host_api:
        filters = dataclasses.replace(
            filters,
            use=intended_use(
                use=use, mau=mau, modify=modify, distribute=distribute,
                train_on_outputs=train_on_outputs, host_api=host_api,
            ),
        )  # fmt: skip
        # --mau is part of the intended use here: a license whose terms are unknown stays, as in
        # `license check` with the same flags, instead of being dropped by the commercial filter
        filters = dataclasses.replace(filters, mau=None)
    cat = open_catalog(ctx)
    order = Sort.parse(sort, default=SHORTLIST_SORT)
    fit: dict[str, Any] | None = None
    if fits or dtype or context is not None or memory or gpu_memory or machine:
        hardware, where = _hardware(cat, machine, memory, gpu_memory)
        filters = dataclasses.replace(
            filters, fits=FitQuery(hardware=hardware, dtype=dtype, context=context)
        )
        ids = _print_fitting(cat, filters, fmt, order, top, where, compact=compact)
        fit = {
            "dtype": dtype, "context": context, "memory": memory, "gpu_memory": gpu_memory,
            "machine": machine,
        }  # fmt: skip
    else:
        ids = []
        print_models(cat, fmt, filters=filters, sort=order, top=top, title="shortlist",
                     compact=compact, ids=ids if save is not None else None)  # fmt: skip
    if save is not None:
        query = saved_shortlist.shortlist_query(
            dataclasses.replace(filters, fits=None), order, top, fit
        )
        saved_shortlist.save_shortlist(cat, save, ids, query, fmt.plain())


def _hardware(
    cat: Catalog, machine: str | None, memory: str | None, gpu_memory: str | None
) -> tuple[Hardware, str]:
    """The hardware ``--fits`` judges on, and how to name it on stderr."""
    if machine is not None:
        from catalog.fit.machines import find_machine, recorded_hardware

        record = find_machine(cat, machine)
        label = f"recorded machine {record.label} ({record.fingerprint}; installed memory)"
        return recorded_hardware(record), label
    from catalog.fit.hardware import detect_hardware

    return detect_hardware(memory=memory, gpu_memory=gpu_memory), ""


def _on_model(column: Column) -> Column:
    """``column`` read from the model of a ``(model, fit)`` pair."""
    import dataclasses

    return dataclasses.replace(column, get=lambda pair: column.get(pair[0]))


FIT_COLUMNS = [
    *[_on_model(column) for column in MODEL_COLUMNS],
    Column("fit", lambda pair: pair[1].label()),
]


def _print_fitting(
    cat: Catalog,
    filters: Filters,
    fmt: ListingFormat,
    order: Sort,
    top: int | None,
    where: str = "",
    *,
    compact: bool = False,
) -> list[str]:
    """``shortlist --fits``: each kept model with its fit; the machine judged goes to stderr.

    Returns:
        The ids listed.
    """
    from catalog.units import format_bytes

    assert filters.fits is not None
    ids: list[str] = []
    if fmt.streamed:
        cat.search.criteria(filters)  # a usage error before any output, not half a document

        def documents() -> Iterator[dict[str, Any]]:
            for hit in cat.search.stream_hits(filters, sort=order, top=top):
                yield {**hit.model.to_json(), "fit": _verdict(hit, filters).to_json()}

        write_documents(lambda: _noting(documents(), ids), fmt, compact=compact)
        family_notes(cat, filters)
        return ids
    hits = cat.search.hits(filters, sort=order, top=top)
    listed = [(hit.model, _verdict(hit, filters)) for hit in hits]
    ids = [m.id for m, _ in listed]
    payload = [{**m.to_json(), "fit": f.to_json()} for m, f in listed]
    emit(listed, FIT_COLUMNS, fmt.plain(), json_payload=payload,
         title="shortlist: fits one device", csv_from_json=True)  # fmt: skip
    family_notes(cat, filters)
    if fmt is ListingFormat.table:
        hardware = filters.fits.hardware
        devices = [f"gpu:{g.index} {format_bytes(g.free_bytes)} free" for g in hardware.gpus]
        devices.append(f"RAM {format_bytes(hardware.ram_available_bytes)} available")
        err(
            f"judged on one device of{' ' + where if where else ''}: "
            + "; ".join(devices)
            + " (API-only models left out)"
        )
        if not listed:
            err(why_empty(cat, filters))
    return ids


def _verdict(hit: Hit, filters: Filters) -> ModelFit:
    verdict = hit.fit(filters)
    assert verdict is not None
    return verdict


def show(
    ctx: typer.Context,
    model: Annotated[
        str, typer.Argument(help="Catalog id (llama-2-7b) or Hub id (meta-llama/Llama-2-7b-hf).")
    ],
    fmt: FormatOpt = Format.table,
) -> None:
    """Everything known about one model."""
    from catalog.views import detail_json, model_detail

    cat = open_catalog(ctx)
    details = detail_json(model_detail(cat, model))
    if fmt is Format.json:
        emit([], [], fmt, json_payload=details)
        return
    if fmt is Format.table:
        from catalog.render import print_tree
        from catalog.views.detail_layout import layout

        print_tree(layout(details), title=f"{details['id']}: {details['name']}")
        return
    rows = list(_flatten(details))
    emit(rows, [Column("field", lambda r: r[0]), Column("value", lambda r: r[1])], fmt)


def export(
    ctx: typer.Context,
    fmt: ListingFormatOpt = ListingFormat.json,
    tier: TierOpt = None,
    compact: CompactOpt = False,
) -> None:
    """The whole catalog (curated, plus Hub-discovered with --tier hub) as json/jsonl/csv/md.

    JSON is one object: {"models": [...], "licenses": [...]}; JSON Lines, CSV and Markdown
    hold the models only (`modelcat license list --format json` has the licenses).
    """
    from catalog.search import LIST_SORT, make_filters

    filters = make_filters(tier=tier or ())
    cat = open_catalog(ctx)
    if fmt is ListingFormat.json:
        licenses = [compact_json(lic.model_dump(mode="json")) for lic in cat.licenses()]
        keep = replay_keeper(cat, "export", compact=compact, licenses=licenses)
        models = cat.search.stream_lines(filters, sort=LIST_SORT, keep=keep)
        write_json(
            {"models": models, "licenses": iter(licenses)}, indent=json_indent(compact=compact)
        )
        return
    print_models(cat, fmt, filters=filters, sort=LIST_SORT, top=None, title="catalog",
                 compact=compact, replayable=True)  # fmt: skip


def _flatten(value: Any, prefix: str = "") -> Any:
    """Nested JSON as (dotted key, text) rows for the table/CSV/Markdown views of ``show``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        for i, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{i}]")
    else:
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif value is None:
            text = ""
        else:
            text = str(value)
        yield (prefix, text)
