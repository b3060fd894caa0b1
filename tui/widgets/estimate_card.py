"""The estimate card: inference memory per dtype, and what each way of adapting the model costs.

It shows ``catalog.estimate.Estimate.to_json()`` documents as they are; a figure the estimator
could not compute (no config.json) says so instead of showing a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from catalog.units import format_bytes, format_count

METHOD_LABELS = {
    "full": "Full fine-tuning",
    "lora": "LoRA",
    "qlora": "QLoRA",
    "prompt_tuning": "Prompt tuning",
    "prompt_engineering": "Prompt engineering",
}
UNKNOWN = "? (needs config)"


class EstimateCard(Vertical):
    """Inference memory per dtype and the training table, from estimate documents."""

    DEFAULT_CSS = """
    EstimateCard {
        height: auto;
        & DataTable { height: auto; margin-bottom: 1; }
        & .caption { color: $text-muted; }
        & .assumptions { color: $text-muted; text-style: italic; }
    }
    """

    def __init__(
        self,
        estimates: Sequence[Mapping[str, Any]],
        *,
        fits: Mapping[str, str] | None = None,
        source: str = "",
        id: str | None = None,
    ) -> None:
        """Args:
        estimates: one ``Estimate.to_json()`` per dtype, the first one's training table shown.
        fits: dtype -> fit verdict on this machine (``fits``, ``tight``, ``no``), when known.
        source: where the model's shape came from (a local config, a parameter count).
        """
        super().__init__(id=id)
        self.estimates = list(estimates)
        self.fits = dict(fits or {})
        self.source = source

    def compose(self) -> ComposeResult:
        if not self.estimates:
            yield Static("No estimate: this model publishes no parameter count.", classes="caption")
            return
        if self.source:
            yield Label(f"Shape from {self.source}", classes="caption")
        yield Label("Inference memory (one device)", classes="caption")
        yield DataTable(id="inference", show_cursor=False, zebra_stripes=True)
        yield Label("Adapting the model (training memory, bf16 weights)", classes="caption")
        yield DataTable(id="training", show_cursor=False, zebra_stripes=True)
        notes = self.estimates[0].get("assumptions") or []
        if notes:
            yield Static("\n".join(f"• {note}" for note in notes), classes="assumptions")

    def on_mount(self) -> None:
        if not self.estimates:
            return
        inference = self.query_one("#inference", DataTable)
        columns = ["dtype", "weights", "KV cache", "total"]
        if self.fits:
            columns.append("fits here")
        inference.add_columns(*columns)
        for doc in self.estimates:
            inf = doc["inference"]
            row = [
                inf["dtype"],
                _bytes(inf["weights_bytes"]),
                _bytes(inf["kv_cache_bytes"]),
                _bytes(inf["total_bytes"], lower_bound=inf.get("total_is_lower_bound", False)),
            ]
            if self.fits:
                row.append(self.fits.get(inf["dtype"], "?"))
            inference.add_row(*row)
        training = self.query_one("#training", DataTable)
        training.add_columns("method", "trainable params", "memory", "stored per task")
        for method, doc in self.estimates[0]["training"].items():
            trainable = doc.get("trainable_params")
            training.add_row(
                METHOD_LABELS.get(method, method),
                format_count(trainable) if trainable is not None else UNKNOWN,
                _bytes(doc.get("total_bytes"), lower_bound=doc.get("total_is_lower_bound", False)),
                _storage(doc),
            )


def _bytes(value: int | None, *, lower_bound: bool = False) -> str:
    if value is None:
        return UNKNOWN
    return ("≥ " if lower_bound else "") + format_bytes(value)


def _storage(doc: Mapping[str, Any]) -> str:
    size = doc.get("storage_per_task_bytes")
    what = str(doc.get("storage_per_task") or "")
    return f"{format_bytes(size)}: {what}" if size is not None else what
