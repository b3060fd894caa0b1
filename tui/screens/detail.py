"""Everything known about one model: facts and sources, license and verdict, tuning, estimates,
Hub data, local copies and benchmarks."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import Worker, WorkerState

from catalog.errors import CatalogError
from catalog.text import printable, printable_tree
from catalog.units import format_bytes, format_context, format_count
from catalog.views import ModelDetail, model_detail
from tui.screens.base import ModelcatScreen
from tui.state import UseState
from tui.widgets.estimate_card import EstimateCard

if TYPE_CHECKING:
    from catalog.bench.result import Stat
    from catalog.licenses import IntendedUse
    from catalog.schema import ApiInfo, Lifecycle
    from catalog.store.hub_records import HubSnapshot
    from catalog.sync.lineage import Lineage

VERDICT_CLASS = {"allowed": "good", "conditional": "warn", "forbidden": "bad", "unknown": "warn"}
FACTS = (
    ("name", "name"), ("family", "family"), ("publisher", "publisher"),
    ("released", "release_date"), ("variant", "variant"), ("parameters", "params"),
    ("active parameters", "active_params"), ("context", "context_length"),
    ("architecture", "architecture"), ("hub id", "hub_id"), ("license", "license"),
    ("access", "access"), ("tier", "tier"),
)  # fmt: skip


class DetailScreen(ModelcatScreen):
    """One model, every section; space marks it, b benchmarks it (not an API-only model), o opens
    and y copies the source URL of the highlighted row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark"),
        Binding("b", "bench", "Bench"),
        Binding("o", "open_source", "Open source"),
        Binding("y", "copy_source", "Copy source"),
    ]

    def __init__(self, model_id: str) -> None:
        super().__init__()
        self.model_id = model_id
        self.data: ModelDetail | None = None
        self.use_label = ""
        self.use_error: str | None = None
        """Why the intended use set in the filter panel cannot be judged (a bad MAU)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(f"Loading {self.model_id}…", id="loading", classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._gather()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="Details")
    def _gather(self) -> ModelDetail:
        chosen = self.mc.filters.use
        state = chosen or UseState()
        self.use_label = state.describe() + (
            "" if chosen else " (default; set it under Intended use)"
        )
        intended: IntendedUse | None = None
        try:
            intended = state.intended_use()
        except CatalogError as exc:
            self.use_error = str(exc)
        detail = model_detail(
            self.mc.catalog, self.model_id, use=intended, hardware=self.mc.hardware
        )
        return printable_tree(detail)  # nothing from the Hub or a file reaches the terminal raw

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group == "detail" and state == WorkerState.SUCCESS:
            assert isinstance(worker.result, ModelDetail)
            self.data = worker.result
            self.refresh_bindings()  # b goes for an API-only model
            body = self.query_one("#detail", VerticalScroll)
            body.remove_children()
            body.mount_all(self._sections(worker.result))
            body.focus()

    def action_mark(self) -> None:
        """Mark or unmark this model for the shortlist."""
        marked = self.mc.shortlist.toggle(self.model_id)
        self.notify(f"{self.model_id} {'marked' if marked else 'unmarked'}", timeout=3)
        self._title()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "bench":
            # An API-only model has no weights to run here: no key, no footer entry.
            return self.data is not None and not self.data.model.is_api
        return True

    def action_bench(self) -> None:
        """Benchmark this model."""
        self.mc.open_bench(self.model_id)

    def source_url(self) -> str | None:
        """The source URL of the highlighted row of the focused table (None: no such row)."""
        table = self.focused
        if not isinstance(table, DataTable) or not table.row_count:
            return None
        cells = [str(cell) for cell in table.get_row_at(table.cursor_row)]
        return next((c for c in reversed(cells) if c.startswith(("https://", "http://"))), None)

    def action_open_source(self) -> None:
        """Open the highlighted row's source in the browser (copied where there is none)."""
        import webbrowser

        url = self.source_url()
        if url is None:
            self.notify("Move to a row with a source first (tab to a table).", timeout=4)
            return
        try:
            browser: webbrowser.BaseBrowser | None = webbrowser.get()
        except webbrowser.Error:
            browser = None
        # A console browser (lynx, w3m) would take over this very terminal: copy instead.
        console = isinstance(browser, webbrowser.GenericBrowser) and not isinstance(
            browser, webbrowser.BackgroundBrowser
        )
        if browser is None or console:
            self.app.copy_to_clipboard(url)
            self.notify(f"No graphical browser here; copied {url}", timeout=6)
            return
        browser.open(url)
        self.notify(f"Opening {url}", timeout=4)

    def action_copy_source(self) -> None:
        """Copy the highlighted row's source URL to the clipboard."""
        url = self.source_url()
        if url is None:
            self.notify("Move to a row with a source first (tab to a table).", timeout=4)
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", timeout=4)

    def _title(self) -> None:
        if self.data is not None:
            self.query_one("#title", Static).update(self._title_text(self.data))

    def _title_text(self, data: ModelDetail) -> Content:
        mark = "  ● marked" if self.model_id in self.mc.shortlist else ""
        return Content.from_markup(
            "[b]$name[/b]  $id$mark", name=data.model.name, id=data.model.id, mark=mark
        )

    # -- sections --------------------------------------------------------------------------

    def _sections(self, data: ModelDetail) -> list[Widget]:
        m = data.model
        out: list[Widget] = [Static(self._title_text(data), id="title", classes="title")]
        out += _section("Facts and sources")
        facts = _table("field", "value", "source", cursor=True)
        for label, attr in FACTS:
            value = getattr(m, attr)
            if attr in ("params", "active_params") and value:
                value = f"{format_count(value)} ({value:,})"
            elif attr == "context_length" and value:
                value = format_context(value)
            facts.add_row(
                label, "—" if value in (None, "") else str(value), m.sources.get(attr, "")
            )
        if m.lifecycle is not None:
            facts.add_row("status", _status_text(m.lifecycle), m.lifecycle.source)
        out.append(facts)
        if m.notes:
            out.append(Static(m.notes, classes="hint"))
        if m.api is not None:
            out += _vendor(m.api)
        out += self._license(data)
        out += _section("Tuning")
        tuning = _table("methods", "routes")
        tuning.add_row(", ".join(m.tunability) or "none", ", ".join(m.tuning_routes) or "—")
        out.append(tuning)
        if m.tunability_notes:
            out.append(Static(m.tunability_notes, classes="hint"))
        out += _section("Estimates")
        if data.estimate_note:
            out.append(Static(data.estimate_note, classes="unavailable"))
        else:
            fits = {dtype: f"{f.level} ({f.device})" for dtype, f in data.fits.items()}
            estimates = [e.to_json() for e in data.estimates]
            out.append(EstimateCard(estimates, fits=fits, source=data.shape_source))
        out += self._hub(data)
        out += _section("On this machine")
        if data.local_note:
            out.append(Static(data.local_note, classes="unavailable"))
        elif not data.local:
            out.append(Static("No local copy in the Hugging Face cache.", classes="hint"))
        else:
            copies = _table("path", "revision", "size", "formats")
            for copy in data.local:
                copies.add_row(
                    printable(str(copy.path)), (copy.revision or "")[:10], format_bytes(copy.size_bytes),
                    ", ".join(copy.formats),
                )  # fmt: skip
            out.append(copies)
        out += _section("Benchmarks")
        if not data.bench:
            out.append(Static("No benchmark yet: press b.", classes="hint"))
        else:
            runs = _table("when", "machine", "device", "decode tok/s", "prefill tok/s", "peak")
            for run in data.bench:
                runs.add_row(
                    run.started_at.strftime("%Y-%m-%d %H:%M"), run.machine_label[:16],
                    f"{run.device} {run.result.label}", _stat(run.decode_tps),
                    _stat(run.prefill_tps) if run.prefill_tps else "",
                    format_bytes(run.peak_memory_bytes) if run.peak_memory_bytes else "",
                )  # fmt: skip
            out.append(runs)
        return out

    def _hub(self, data: ModelDetail) -> list[Widget]:
        out = _section("Hub data and drift")
        if data.hub_note:
            out.append(Static(data.hub_note, classes="unavailable"))
            return out
        facts = _hub_facts(data.hub) if data.hub is not None else []
        if not facts:
            out.append(Static("Not synced yet: press s to sync with the Hub.", classes="hint"))
            return out
        table = _table("field", "Hub value")
        for label, value in facts:
            table.add_row(label, value)
        out.append(table)
        if data.drift:
            drift = _table("drift", "curated", "Hub now", "detail")
            for item in data.drift:
                drift.add_row(item.field, _text(item.curated), _text(item.hub), item.detail or "")
            out.append(Label("The Hub now disagrees with the curated data:", classes="caption"))
            out.append(drift)
        if data.lineage is not None:
            out += _lineage(data.lineage)
        return out

    def _license(self, data: ModelDetail) -> list[Widget]:
        lic = data.license
        out = _section(f"License: {lic.name} ({lic.id})")
        ident = [f"SPDX {lic.spdx}" if lic.spdx else "no SPDX id"]
        ident.append("OSI approved" if lic.osi_approved else "not OSI approved")
        if lic.mau_limit:
            ident.append(f"cap {lic.mau_limit:,} monthly active users")
        out.append(Static(" · ".join(ident) + f"\n{lic.source}", classes="hint"))
        verdict = data.verdict if self.use_error is None else None
        if verdict is None:
            out.append(Static(self.use_error or data.verdict_note or "", classes="unavailable"))
        else:
            tone = VERDICT_CLASS.get(verdict.verdict, "")
            out.append(
                Static(
                    Content.from_markup(
                        "Verdict for $use: [b]$v[/b]", use=self.use_label, v=verdict.verdict.upper()
                    ),
                    classes=f"verdict {tone}",
                )
            )
            if verdict.obligations:
                out.append(Static("\n".join(f"• {o}" for o in verdict.obligations)))
            reasons = _table("term", "effect", "why", "source")
            for reason in verdict.reasons:
                reasons.add_row(reason.term, reason.effect, reason.detail, reason.source or "")
            out.append(reasons)
        terms = _table("term", "value", "clause")
        for name, term in lic.terms.items():
            terms.add_row(name.replace("_", " "), term.value, term.clause)
        out.append(Label("All terms", classes="caption"))
        out.append(terms)
        return out


def _hub_facts(hub: HubSnapshot) -> list[tuple[str, str]]:
    """The Hub facts worth a row: the ones the last sync filled in."""
    facts: list[tuple[str, object]] = [
        ("sha", hub.sha),
        ("last modified", hub.last_modified),
        ("gated", hub.gated),
        ("license", hub.license),
        ("license name", hub.license_name),
        ("downloads", hub.downloads),
        ("likes", hub.likes),
        ("safetensors total", hub.safetensors_total),
        ("safetensors parameters", hub.safetensors_parameters),
        ("quantized", hub.quantized),
        ("library name", hub.library_name),
        ("pipeline tag", hub.pipeline_tag),
        ("base models", hub.base_models),
        ("synced at", hub.synced_at),
        ("checked at", hub.checked_at),
        ("error", hub.error),
        ("config note", hub.config_note),
        ("has config", hub.config is not None),
    ]
    if hub.sha is None and hub.synced_at is None and hub.error is None:
        return []
    return [(label, _text(value)) for label, value in facts if value not in (None, "", (), {})]


def _lineage(lineage: Lineage) -> list[Widget]:
    bases = _table("base model", "relation", "license", "in the catalog", "via")
    for base in lineage.bases:
        bases.add_row(
            base.repo_id, base.relation or "derived", base.license, base.model_id or "—",
            base.via or "",
        )  # fmt: skip
    out: list[Widget] = [
        Label(f"Lineage: bound by {', '.join(lineage.licenses)}", classes="caption"),
        bases,
    ]
    if lineage.contradiction:
        out.append(Static(lineage.contradiction, classes="verdict warn"))
    return out


def _section(title: str) -> list[Widget]:
    return [Label(title, classes="section")]


def _vendor(api: ApiInfo) -> list[Widget]:
    """The vendor's API and its prices (US$ per million tokens), with where they were read."""
    out = _section(f"API: {api.vendor}")
    prices = _table(
        "API model",
        "input $/Mtok",
        "output $/Mtok",
        "training $/Mtok",
        "as of",
        "source",
        cursor=True,
    )
    pricing = api.pricing
    if pricing is None:
        out.append(Static(f"{api.model_name}: the catalog has no prices for it.", classes="hint"))
        return out
    prices.add_row(
        api.model_name, _price(pricing.input_per_mtok), _price(pricing.output_per_mtok),
        _price(pricing.training_per_mtok), pricing.as_of.isoformat(), str(pricing.source),
    )  # fmt: skip
    out.append(prices)
    return out


def _price(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _table(*columns: str, cursor: bool = False) -> DataTable[str]:
    # A table with sources gets a row cursor, so o and y know which source is meant.
    table: DataTable[str] = DataTable(show_cursor=cursor, cursor_type="row", zebra_stripes=True)
    table.add_columns(*columns)
    return table


def _stat(stat: Stat) -> str:
    return f"{stat.mean:.1f} ± {stat.std:.1f}"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _status_text(lc: Lifecycle) -> str:
    """``retired since 2026-10-23 (replacement gpt-5.6-sol)``: the lifecycle in one line."""
    status = lc.status()
    when = {"retired": " since", "deprecated": ", shuts down"}.get(status, "")
    text = f"{status}{when} {lc.shutdown}" if lc.shutdown and when else status
    return f"{text} (replacement {lc.replacement})" if lc.replacement else text
