"""The filter panel of the browse screen: every filter but the search box.

Attributes down, messages up: the screen gives the choices and the current ``FilterState``; the
panel posts ``FilterPanel.Changed`` with a new state whenever a control changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Collapsible, Input, Label, Select

from tui.state import FilterState, FitState, UseState

ANY = Select.NULL


@dataclass(frozen=True)
class FilterChoices:
    """What the selects offer."""

    families: Sequence[str]
    licenses: Sequence[str]
    access: Sequence[str]
    tunable: Sequence[str]
    tiers: Sequence[str]
    dtypes: Sequence[str] = ()


class FilterPanel(VerticalScroll):
    """Selects, checkboxes and inputs that together make a ``FilterState``."""

    DEFAULT_CSS = """
    FilterPanel {
        width: 30;
        padding: 0 1;
        background: $panel;
        border-right: vkey $border-blurred;
        scrollbar-size-vertical: 1;
        & Label.caption { color: $text-muted; margin-top: 1; }
        & Select, & Input, & Checkbox { width: 100%; }
        & Collapsible { padding: 0; margin-top: 1; border-top: none; background: $panel; }
        & Collapsible > Contents { padding: 0; }
        & #reset { width: 100%; margin-top: 1; }
    }
    """

    BORDER_TITLE: ClassVar[str] = "Filters"

    @dataclass
    class Changed(Message):
        """The user changed a filter; ``state`` is the panel's new state."""

        state: FilterState

    def __init__(
        self, choices: FilterChoices, state: FilterState, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.choices = choices
        self.state = state

    def compose(self) -> ComposeResult:
        c, s = self.choices, self.state
        yield from _select("Family", "family", c.families, s.family)
        yield Label("License", classes="caption")
        yield Input(
            s.license,
            placeholder="id, SPDX, ScanCode key, Hub tag",
            suggester=SuggestFromList(c.licenses, case_sensitive=False),
            id="license",
            compact=True,
        )
        yield from _select("Access", "access", c.access, s.access)
        yield from _select("Tunable with", "tunable", c.tunable, s.tunable)
        yield from _select("Tier", "tier", c.tiers, s.tier)
        yield Label("Max parameters", classes="caption")
        yield Input(s.max_params, placeholder="e.g. 8B", id="max_params", compact=True)
        yield Checkbox("Commercial use", s.commercial, id="commercial", compact=True)
        yield Label("…at monthly active users", classes="caption")
        yield Input(s.mau, placeholder="e.g. 900M", id="mau", compact=True)
        yield Checkbox(
            "Include retired models", s.include_retired, id="include_retired", compact=True
        )
        use = s.use or UseState()
        with Collapsible(title="Intended use", collapsed=s.use is None, id="use-box"):
            yield Checkbox("Hide forbidden models", s.use is not None, id="use_on", compact=True)
            yield from _select(
                "Use", "use_kind", ("commercial", "research", "personal"), use.use, blank=False
            )
            yield Checkbox("Fine-tune / modify", use.modify, id="modify", compact=True)
            yield Checkbox("Train on outputs", use.train_on_outputs, id="train", compact=True)
            yield Checkbox("Host as an API", use.host_api, id="host", compact=True)
            yield from _select(
                "Distribute",
                "distribute",
                ("none", "weights", "derivatives"),
                use.distribute,
                blank=False,
            )
        fit = s.fits or FitState()
        with Collapsible(title="Fits this machine", collapsed=s.fits is None, id="fit-box"):
            yield Checkbox("Only models that fit", s.fits is not None, id="fit_on", compact=True)
            yield from _select(
                "Weights dtype", "dtype", c.dtypes or (fit.dtype,), fit.dtype, blank=False
            )
            yield Label("Context (tokens)", classes="caption")
            yield Input(fit.context, placeholder="4096", id="context", compact=True)
        yield Button("Reset filters", id="reset", compact=True)

    def load(self, state: FilterState) -> None:
        """Show ``state`` without posting ``Changed`` (e.g. after a reset)."""
        self.state = state
        use, fit = state.use or UseState(), state.fits or FitState()
        values: dict[str, Any] = {
            "family": state.family, "license": state.license, "access": state.access,
            "tunable": state.tunable, "tier": state.tier, "max_params": state.max_params,
            "commercial": state.commercial, "mau": state.mau,
            "include_retired": state.include_retired, "use_on": state.use is not None,
            "use_kind": use.use, "modify": use.modify, "train": use.train_on_outputs,
            "host": use.host_api, "distribute": use.distribute, "fit_on": state.fits is not None,
            "dtype": fit.dtype, "context": fit.context,
        }  # fmt: skip
        with self.prevent(Select.Changed, Input.Changed, Checkbox.Changed):
            for key, value in values.items():
                widget = self.query_one(f"#{key}")
                if isinstance(widget, Select):
                    widget.value = value if value else ANY
                elif isinstance(widget, (Input, Checkbox)):
                    widget.value = value

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.state = self._read()
        self.post_message(self.Changed(self.state))

    @on(Button.Pressed, "#reset")
    def _reset(self, event: Button.Pressed) -> None:
        event.stop()
        self.load(FilterState(search=self.state.search))
        self.post_message(self.Changed(self.state))

    def _read(self) -> FilterState:
        def text(key: str) -> str:
            return self.query_one(f"#{key}", Input).value

        def flag(key: str) -> bool:
            return self.query_one(f"#{key}", Checkbox).value

        def choice(key: str, default: str = "") -> str:
            value = self.query_one(f"#{key}", Select).value
            return default if value is ANY else str(value)

        use = UseState(
            use=choice("use_kind", "commercial"),
            mau=text("mau"),
            modify=flag("modify"),
            distribute=choice("distribute", "none"),
            train_on_outputs=flag("train"),
            host_api=flag("host"),
        )
        fit = FitState(dtype=choice("dtype", FitState().dtype), context=text("context"))
        return FilterState(
            search=self.state.search,
            family=choice("family"),
            license=text("license").strip(),
            access=choice("access"),
            tunable=choice("tunable"),
            tier=choice("tier"),
            commercial=flag("commercial"),
            mau=text("mau"),
            max_params=text("max_params"),
            include_retired=flag("include_retired"),
            use=use if flag("use_on") else None,
            fits=fit if flag("fit_on") else None,
        )


def _select(
    label: str, key: str, options: Sequence[str], value: str, *, blank: bool = True
) -> ComposeResult:
    """A caption and a select; ``blank`` offers "any" (no constraint)."""
    yield Label(label, classes="caption")
    yield Select(
        [(o, o) for o in options],
        value=value if value in options else (ANY if blank else options[0]),
        prompt="any",
        allow_blank=blank,
        id=key,
        compact=True,
    )
