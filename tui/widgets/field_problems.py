"""Mark the fields of a form whose values the catalog did not take: the field turns red and the
reason appears right under it, not only at the far end of a status line."""

from __future__ import annotations

from collections.abc import Mapping

from textual.widget import Widget
from textual.widgets import Input, Label

PROBLEM_CLASS = "-problem"


def mark_fields(form: Widget, problems: Mapping[str, str], fields: Mapping[str, str]) -> None:
    """Show ``problems`` (by filter name) on the inputs of ``form`` that ``fields`` names.

    Args:
        form: the container of the inputs.
        problems: what is wrong, by filter name (``mau``: "cannot read 'abc' as a count").
        fields: the id of the input that holds each filter's value.
    """
    shown: dict[str, str] = {}
    for name, field_id in fields.items():
        if name in problems:
            shown.setdefault(field_id, problems[name])
    for field_id in dict.fromkeys(fields.values()):
        found = form.query(f"#{field_id}").results(Input)
        box = next(iter(found), None)
        parent = box.parent if box is not None else None
        if box is None or not isinstance(parent, Widget):
            continue
        problem = shown.get(field_id)
        box.set_class(problem is not None, PROBLEM_CLASS)
        labels = parent.query_children(f"#{field_id}-problem").results(Label)
        label = next(iter(labels), None)
        if label is None:
            if problem is None:
                continue
            label = Label("", id=f"{field_id}-problem", classes="field-error", markup=False)
            parent.mount(label, after=box)
        label.update(f"⚠ {problem}" if problem else "")
        label.display = problem is not None
