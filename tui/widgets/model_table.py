"""A table that pages through a large result: only the rows on screen are ever fetched.

The owner hands the table a total and a ``loader(offset, limit)``; rows are fetched a page at a
time in thread workers as the cursor or the scrollbar reaches them, and kept in a small LRU cache.
100,000 matching models cost one page of rows, not 100,000 widgets.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from catalog.text import printable

Tone = Literal["", "good", "warn", "bad", "dim"]


@dataclass(frozen=True)
class TableColumn:
    """One column: its header, width in cells and how its text lines up."""

    key: str
    header: str
    width: int
    justify: Literal["left", "right"] = "left"
    sort_key: str | None = None
    """The ``catalog.search.Sort`` key a click on the header sorts by (None: not sortable)."""
    grow: bool = False
    """Takes the width left over when the table is wider than its columns."""
    drop: int = 0
    """When the table is too narrow, columns with a higher ``drop`` are hidden first (0: never)."""


@dataclass(frozen=True)
class Cell:
    """A cell's text and its tone (the theme decides the colour)."""

    text: str
    tone: Tone = ""

    def __post_init__(self) -> None:
        # Cells hold text from data: a control character in it must not reach the terminal.
        object.__setattr__(self, "text", printable(self.text))


@dataclass(frozen=True)
class TableRow:
    """One row: the model id and a cell per column."""

    key: str
    cells: tuple[Cell, ...]


RANK = "score"
"""The sort key of the ranking (best first), which no column shows."""
MARK_WIDTH = 2
"""The left gutter that shows a row's shortlist mark."""
GAP = 1
"""Blank cells between columns."""

PageLoader = Callable[[int, int], list[TableRow]]
"""``loader(offset, limit)``: the rows of one page; runs in a thread."""


class ModelTable(ScrollView, can_focus=True):
    """A keyboard- and mouse-driven table over a paged result."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Details"),
        Binding("space", "mark", "Mark"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("O", "reverse_sort", "Reverse", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "model-table--header",
        "model-table--cursor",
        "model-table--marked",
        "model-table--good",
        "model-table--warn",
        "model-table--bad",
        "model-table--dim",
    }

    DEFAULT_CSS = """
    ModelTable {
        scrollbar-gutter: stable;
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .model-table--header { text-style: bold; color: $text-accent; background: $panel; }
        & > .model-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .model-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        & > .model-table--marked { color: $text-accent; text-style: bold; }
        & > .model-table--good { color: $text-success; }
        & > .model-table--warn { color: $text-warning; }
        & > .model-table--bad { color: $text-error; }
        & > .model-table--dim { color: $text-muted; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)
    """The index of the highlighted row in the whole result."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to a row (``key`` is None while that row is loading)."""

        key: str | None
        index: int

    @dataclass
    class Selected(Message):
        """The user asked for a row's details (enter or a second click)."""

        key: str

    @dataclass
    class MarkToggled(Message):
        """The user marked or unmarked a row (space)."""

        key: str

    @dataclass
    class SortRequested(Message):
        """The user asked to sort by ``sort_key`` (a header click, ``o``); the same key again
        reverses it (``O``)."""

        sort_key: str

    @dataclass
    class LoadFailed(Message):
        """A page could not be read."""

        error: BaseException

    def __init__(
        self,
        columns: Sequence[TableColumn],
        *,
        page_size: int = 100,
        cache_pages: int = 20,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.page_size = page_size
        self.cache_pages = cache_pages
        self.total = 0
        self.marked: frozenset[str] = frozenset()
        """Row keys drawn with a mark (attributes down: the screen sets it)."""
        self.sort: tuple[str, bool] = (RANK, False)
        """The owner's sort, ``(sort key, descending)``: its header shows an arrow, ``o`` moves
        on from it (attributes down: the screen sets it)."""
        self._page_loader: PageLoader | None = None
        self._pages: OrderedDict[int, list[TableRow]] = OrderedDict()
        self._page_workers: dict[Worker[list[TableRow]], tuple[int, int]] = {}
        self._generation = 0
        self._widths: list[int] = [c.width for c in self.columns]
        self._shown: list[int] = list(range(len(self.columns)))
        """Indexes of the columns that fit the width (the rest are hidden until it grows)."""
        self._scrolled_for: Size | None = None
        """The virtual size the scrollbars were last updated for."""
        self._line_styles: dict[tuple[bool, str], Style] = {}
        """Styles of row parts by (on the cursor line, part): ``""`` the line, ``marked``, a
        tone. Kept until the widget's styles change (focus, theme): working a style out walks
        every ancestor, and a screenful of rows asks for hundreds."""

    # -- data ------------------------------------------------------------------------------

    def show(self, *, total: int, first_page: list[TableRow], loader: PageLoader) -> None:
        """Replace the result: ``total`` rows, the first page already read, the rest on demand."""
        self._generation += 1
        self._page_loader = loader
        self.total = total
        self._pages.clear()
        self._pages[0] = first_page
        self._layout_columns()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor_row = 0
        self.refresh()

    def set_total(self, total: int) -> None:
        """Change the row count of the current result (an exact count replacing a capped one)."""
        self.total = total
        self._layout_columns()
        self.refresh()

    def row(self, index: int) -> TableRow | None:
        """Row ``index`` if it is loaded; otherwise its page is requested and None returned."""
        if not 0 <= index < self.total:
            return None
        page, at = divmod(index, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[at] if at < len(rows) else None

    def loaded_rows(self) -> list[TableRow]:
        """Every row currently held, in result order (tests and exports of what is on screen)."""
        return [row for page in sorted(self._pages) for row in self._pages[page]]

    @property
    def highlighted_key(self) -> str | None:
        """The model id under the cursor (None while loading or when empty)."""
        row = self.row(self.cursor_row)
        return row.key if row else None

    def _request(self, page: int) -> None:
        if self._page_loader is None or (self._generation, page) in self._page_workers.values():
            return
        loader, offset, size = self._page_loader, page * self.page_size, self.page_size
        worker = self.run_worker(
            lambda: loader(offset, size),
            thread=True,
            group="model-table-pages",
            exit_on_error=False,
            description=f"rows {offset}-{offset + size}",
        )
        self._page_workers[worker] = (self._generation, page)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Store a loaded page (unless the result changed meanwhile) and redraw."""
        where = self._page_workers.get(event.worker)
        if where is None:
            return
        event.stop()
        if event.state == WorkerState.SUCCESS:
            del self._page_workers[event.worker]
            generation, page = where
            if generation == self._generation and event.worker.result is not None:
                self._pages[page] = event.worker.result
                while len(self._pages) > self.cache_pages:
                    self._pages.popitem(last=False)
                self.refresh()
                if page == self.cursor_row // self.page_size:
                    self.post_message(self.Highlighted(self.highlighted_key, self.cursor_row))
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            del self._page_workers[event.worker]
            if event.worker.error is not None:
                self.post_message(self.LoadFailed(event.worker.error))

    # -- layout ----------------------------------------------------------------------------

    def _layout_columns(self) -> None:
        available = self.scrollable_content_region.width - MARK_WIDTH
        shown = list(range(len(self.columns)))

        def needed() -> int:
            return sum(self.columns[i].width + GAP for i in shown)

        for i in sorted(shown, key=lambda i: -self.columns[i].drop):
            if needed() <= available or self.columns[i].drop == 0:
                break
            shown.remove(i)
        widths = [c.width for c in self.columns]
        spare = available - needed()
        growers = [i for i in shown if self.columns[i].grow] or shown[:1]
        if spare > 0 and growers:
            for n, i in enumerate(growers):
                widths[i] += spare // len(growers) + (1 if n < spare % len(growers) else 0)
        self._shown, self._widths = shown, widths
        self.virtual_size = Size(MARK_WIDTH + needed() + max(spare, 0), self.total + 1)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Textual's layout hands a widget without children its own size as the virtual size;
        # ScrollView takes that for a change of ours and redraws the scrollbars on every layout
        # pass (one per keystroke in the search box, which grows). Only a change of ours is.
        ours = self.virtual_size
        if ours == self._scrolled_for:
            virtual_size = ours
        self._scrolled_for = ours
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_resize(self, _event: events.Resize) -> None:
        self._layout_columns()
        self._scroll_cursor_into_view()

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    # -- rendering -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_styles.clear()

    def _style(self, cursor: bool, part: str = "") -> Style:
        """The style of ``part`` (``""``: the line itself, ``marked``, ``header`` or a tone) on a
        line that is (or is not) the cursor's."""
        style = self._line_styles.get((cursor, part))
        if style is None:
            if part == "":
                style = self.rich_style
                if cursor:
                    style += self.get_component_rich_style("model-table--cursor")
            else:
                style = self._style(cursor) + self.get_component_rich_style(f"model-table--{part}")
            self._line_styles[cursor, part] = style
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._style(False)
        if y == 0:
            strip = self._header_strip()
        else:
            index = scroll_y + y - 1
            strip = self._row_strip(index) if index < self.total else Strip.blank(0, base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_strip(self) -> Strip:
        style = self.get_component_rich_style("model-table--header")
        # One segment per cell, as rows have: exported SVGs place each segment at its column.
        segments = [Segment(" " * MARK_WIDTH, style)]
        key, descending = self.sort
        for i in self._shown:
            column = self.columns[i]
            header = column.header
            if column.sort_key is not None and column.sort_key == key:
                # The arrow first: a narrow column cuts the name, never the arrow.
                header = f"{'↓' if descending else '↑'}{header}"
            segments.append(Segment(_fit(header, self._widths[i], column.justify), style))
            segments.append(Segment(" " * GAP, style))
        return Strip(segments)

    def _row_strip(self, index: int) -> Strip:
        row = self.row(index)
        cursor = index == self.cursor_row
        line_style = self._style(cursor)
        if row is None:
            return Strip(
                [Segment(_fit("  …", self.virtual_size.width), self._style(cursor, "dim"))]
            )
        mark = row.key in self.marked
        marked = self._style(cursor, "marked")
        gap = " " * GAP
        segments = [Segment("● " if mark else " " * MARK_WIDTH, marked)]
        length = MARK_WIDTH
        for i in self._shown:
            cell, column, width = row.cells[i], self.columns[i], self._widths[i]
            text = _fit(cell.text, width, column.justify)
            length += width + GAP
            if mark and column.key == "id":
                segments += (Segment(text, marked), Segment(gap, line_style))
            elif cell.tone and not cursor:
                segments += (Segment(text, self._style(False, cell.tone)), Segment(gap, line_style))
            else:  # the gap in the cell's segment: fewer segments for Textual to process
                segments.append(Segment(text + gap, line_style))
        return Strip(segments, length)

    # -- cursor and actions ----------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted_key, new))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._visible_rows:
            self.scroll_to(
                y=self.cursor_row - self._visible_rows + 1, animate=False, immediate=True
            )

    def action_cursor(self, delta: int) -> None:
        """Move the cursor by ``delta`` rows."""
        self.cursor_row += delta

    def action_page(self, direction: int) -> None:
        """Move the cursor by a screenful."""
        self.cursor_row += direction * self._visible_rows

    def action_jump(self, where: int) -> None:
        """Go to the first row (0) or the last (-1)."""
        self.cursor_row = self.total - 1 if where < 0 else where

    def action_select(self) -> None:
        """Open the highlighted row."""
        key = self.highlighted_key
        if key is not None:
            self.post_message(self.Selected(key))

    def action_mark(self) -> None:
        """Mark or unmark the highlighted row and move down, as file managers do.

        The cursor moves here, not when the owner handles the message: three spaces in one
        burst then mark three consecutive rows, not one row three times.
        """
        key = self.highlighted_key
        if key is not None:
            self.post_message(self.MarkToggled(key))
            self.cursor_row += 1

    def action_cycle_sort(self) -> None:
        """Sort by the next sortable column on screen (after the last: back to the ranking)."""
        shown = [self.columns[i].sort_key for i in self._shown]
        keys = [RANK, *(key for key in shown if key)]
        current = self.sort[0]
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self.post_message(self.SortRequested(following))

    def action_reverse_sort(self) -> None:
        """Reverse the current sort."""
        self.post_message(self.SortRequested(self.sort[0]))

    def on_click(self, event: events.Click) -> None:
        """A click on a row moves the cursor; a second click (or a double click) opens it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x + round(self.scroll_x))
            if column is not None and column.sort_key:
                self.post_message(self.SortRequested(column.sort_key))
            return
        index = round(self.scroll_y) + offset.y - 1
        if not 0 <= index < self.total:
            return
        again = index == self.cursor_row
        self.cursor_row = index
        if again or event.chain > 1:
            self.action_select()

    def _column_at(self, x: int) -> TableColumn | None:
        edge = MARK_WIDTH
        for i in self._shown:
            if edge <= x < edge + self._widths[i] + GAP:
                return self.columns[i]
            edge += self._widths[i] + GAP
        return None


def _fit(text: str, width: int, justify: Literal["left", "right"] = "left") -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…" if width else ""
    pad = " " * (width - cell_len(text))
    return pad + text if justify == "right" else text + pad
