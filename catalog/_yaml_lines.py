"""YAML loading that remembers the line of every node, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key given twice; YAML loaders silently keep the last one."""

    line: int
    key: str
    entry: str | None


@dataclass
class NodeIndex:
    """Line numbers (1-based) by path of keys and list positions."""

    lines: dict[Path_, int] = field(default_factory=dict)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def load_with_lines(path: Path) -> tuple[Any, NodeIndex]:
    """Parse ``path`` safely and index the line of every mapping value and list item.

    Dates stay strings (validated later by the schema), so ``2024-13-45`` becomes a located
    "bad date" problem instead of a loader crash.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    text = path.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=Loader)
    index = NodeIndex()
    if node is None:
        return None, index
    _walk(node, (), index, None)
    data = yaml.load(text, Loader=Loader)  # noqa: S506  (a SafeLoader subclass)
    return data, index


def _timestamp_as_text(loader: Any, node: Any) -> str:
    return str(loader.construct_scalar(node))


def _walk(node: Any, path: Path_, index: NodeIndex, entry: str | None) -> None:
    import yaml

    index.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key == "id" and isinstance(value_node, yaml.ScalarNode):
                entry = str(value_node.value)
            if key in seen:
                index.duplicate_keys.append(DuplicateKey(key_node.start_mark.line + 1, key, entry))
            seen.add(key)
        for key_node, value_node in node.value:
            _walk(value_node, (*path, str(key_node.value)), index, entry)
            # A key's own line is more useful than its value's for block values.
            index.lines[(*path, str(key_node.value))] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _walk(item, (*path, position), index, entry)
