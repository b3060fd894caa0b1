"""Bounded YAML loading that remembers the line of every node, so errors can point at it.

Every YAML file a user hands modelcat (curated overlays, policy files, the config file) comes
through here, so nothing in one may take the machine down:

* a size cap, checked before anything is read; anything but a regular file is refused (a FIFO
  or a device would block or never end);
* a nesting cap: the composer keeps its own stack, so depth costs no recursion either;
* an alias budget: the nodes aliases would add if every alias were expanded (``*a`` counts the
  whole subtree ``&a`` names), so a few hundred bytes of nested aliases (an "alias bomb") stop
  with a located error instead of growing without bound; an alias to a node that contains it
  is refused too;
* integers of more than :data:`MAX_INT_DIGITS` digits are refused before Python parses them.

The line index never follows an alias, so a shared node is indexed once. A long list under a
top-level key (``models:``) can be read one entry at a time (:func:`stream_list`): an entry is
composed, indexed, constructed and handed over before the next is read, so memory follows the
largest entry rather than the file. Events come from libyaml when PyYAML has it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

Path_ = tuple[str | int, ...]

MAX_INT_DIGITS = 40
"""Longer integers are not counts of anything modelcat knows (10**40 already is absurd)."""


@dataclass(frozen=True)
class Limits:
    """What one file may cost."""

    max_bytes: int
    max_depth: int = 32
    """Nesting of mappings and lists; the curated files need 4, configs a few more."""
    max_alias_nodes: int = 100_000
    """Nodes that aliases may add to the file when expanded."""


SMALL_FILE = Limits(max_bytes=1_000_000)
"""Policy files and the config file: a few lines each."""
DATA_FILE = Limits(max_bytes=256 * 1024 * 1024)
"""Curated files: the shipped ones are ~100 KB; an overlay of 200,000 entries is ~50 MB."""


class LimitError(yaml.MarkedYAMLError):
    """The file goes past one of its :class:`Limits` (or holds an absurd integer)."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


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


@dataclass(frozen=True)
class StreamedItem:
    """One item of a streamed top-level list, with the lines of its nodes."""

    position: int
    value: Any
    index: NodeIndex
    """Paths start with the list's key and the item's position, as in the whole file."""


def load_with_lines(path: Path, *, limits: Limits = SMALL_FILE) -> tuple[Any, NodeIndex]:
    """Parse ``path`` safely and index the line of every mapping value and list item.

    Dates stay strings (validated later by the schema), so ``2024-13-45`` becomes a located
    "bad date" problem instead of a loader crash.

    Raises:
        OSError: the file cannot be opened, is not a regular file or is larger than the cap.
        yaml.YAMLError: the text is not YAML; :class:`LimitError` when a limit is passed.
    """
    with _open(path, limits) as stream:
        reader = _Reader(stream, limits)
        if not reader.start_document():
            return None, NodeIndex()
        index = NodeIndex()
        node = reader.compose((), index)
        reader.end_document()
    return reader.construct(node), index


def stream_list(path: Path, key: str, *, limits: Limits = DATA_FILE) -> Iterator[StreamedItem]:
    """The items of the list under the top-level ``key``, one at a time.

    Other top-level keys are read (for their anchors) and ignored. A problem is raised where
    it is met, after the items before it were yielded.

    Raises:
        OSError, yaml.YAMLError: as :func:`load_with_lines`.
        TopLevelError: the top level is not a mapping whose ``key`` holds a list, or a
            top-level key is given twice.
    """
    with _open(path, limits) as stream:
        reader = _Reader(stream, limits)
        if not reader.start_document():
            raise TopLevelError(1, f"expected a top-level '{key}:' list of entries")
        yield from reader.stream_top_list(key)
        reader.end_document()


def error_line(exc: BaseException) -> int | None:
    """The 1-based line a YAML error points at, when it points at one."""
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None


def at_line(exc: BaseException) -> str:
    """``":LINE"`` to put after a file name, or nothing when the error has no line."""
    line = error_line(exc)
    return f":{line}" if line is not None else ""


class TopLevelError(yaml.YAMLError):
    """The file's top level is not the mapping with a list the caller expects."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor, with dates kept as text and integers bounded."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise LimitError(
                f"an integer of {digits} digits (at most {MAX_INT_DIGITS})", node.start_mark
            )
        return int(super().construct_yaml_int(node))

    def construct_timestamp_as_text(self, node: ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # PyYAML raises bare IndexError/ValueError on some malformed scalars (``!!int ""``,
        # ``!!binary`` that is not base64, ``!!float`` out of range): locate them instead.
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:
            raise _unreadable(exc, node) from None


def _unreadable(exc: Exception, node: Node) -> yaml.YAMLError:
    return yaml.constructor.ConstructorError(
        None, None, f"a value that cannot be read ({type(exc).__name__})", node.start_mark
    )


_Constructor.yaml_constructors = {
    **SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": _Constructor.construct_yaml_int,
    "tag:yaml.org,2002:timestamp": _Constructor.construct_timestamp_as_text,
}


@dataclass
class _Frame:
    node: Node
    path: Path_
    size: int = 1
    key: Node | None = None
    """For a mapping: the key whose value comes next."""
    keys: set[str] = field(default_factory=set)
    entry: str | None = None
    """The ``id`` of this mapping (or of the nearest enclosing one), for duplicate-key reports."""


class _Reader:
    """An iterative composer over the parser's events, with the limits and the line index."""

    def __init__(self, stream: IO[bytes], limits: Limits) -> None:
        self.limits = limits
        self.parser = _parser(stream, limits)
        self.resolver = Resolver()
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}
        """Expanded size by ``id`` of every anchored node (what an alias to it costs)."""
        self.open_nodes: set[int] = set()
        self.alias_nodes = 0

    def start_document(self) -> bool:
        """Skip to the first document; False for an empty stream."""
        self.parser.get_event()  # StreamStartEvent
        if self.parser.check_event(yaml.StreamEndEvent):
            return False
        self.parser.get_event()  # DocumentStartEvent
        return True

    def end_document(self) -> None:
        self.parser.get_event()  # DocumentEndEvent
        if not self.parser.check_event(yaml.StreamEndEvent):
            event = self.parser.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                None,
                "but found another document",
                event.start_mark,
            )

    def construct(self, node: Node) -> Any:
        try:
            return _Constructor().construct_document(node)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # PyYAML's own slips (see _Constructor.construct_object)
            raise _unreadable(exc, node) from None

    def compose(self, path: Path_, index: NodeIndex, entry: str | None = None) -> Node:
        """The next node, whole (aliases resolved, not copied), indexed under ``path``."""
        stack: list[_Frame] = []
        parser = self.parser
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                frame = stack.pop()
                node, size, node_path = frame.node, frame.size, frame.path
                node.end_mark = event.end_mark
                if id(node) in self.open_nodes:
                    self.open_nodes.discard(id(node))
                    self.sizes[id(node)] = size
            else:
                node_path = path if not stack else _path_in(stack[-1])
                if kind is yaml.ScalarEvent:
                    node = ScalarNode(
                        self._tag(ScalarNode, event.tag, event.value, event.implicit),
                        event.value,
                        event.start_mark,
                        event.end_mark,
                        style=event.style,
                    )
                    # A long string aliased many times costs memory too: it counts per 64 chars.
                    size = 1 + len(event.value) // 64
                    self._anchor(event, node, size)
                elif kind is yaml.AliasEvent:
                    node = self._alias(event)
                    size = self.sizes[id(node)]
                else:  # SequenceStartEvent or MappingStartEvent
                    self._open(event, stack, node_path, index, entry)
                    continue
                index.lines[node_path] = event.start_mark.line + 1
            if not stack:
                return node
            _attach(stack[-1], node, size, node_path, index)

    def _open(
        self, event: Any, stack: list[_Frame], path: Path_, index: NodeIndex, entry: str | None
    ) -> None:
        if len(stack) >= self.limits.max_depth:
            raise LimitError(f"nested deeper than {self.limits.max_depth} levels", event.start_mark)
        node_class = SequenceNode if type(event) is yaml.SequenceStartEvent else MappingNode
        node = node_class(
            self._tag(node_class, event.tag, None, event.implicit),
            [],
            event.start_mark,
            None,
            flow_style=event.flow_style,
        )
        if event.anchor is not None:
            self._anchor(event, node, 0)
            self.open_nodes.add(id(node))
        index.lines[path] = event.start_mark.line + 1
        stack.append(_Frame(node, path, entry=stack[-1].entry if stack else entry))

    def stream_top_list(self, key: str) -> Iterator[StreamedItem]:
        parser = self.parser
        top = NodeIndex()
        if not parser.check_event(yaml.MappingStartEvent):
            line = parser.peek_event().start_mark.line + 1
            raise TopLevelError(line, f"expected a top-level '{key}:' list of entries")
        parser.get_event()
        found = False
        seen: set[str] = set()
        while not parser.check_event(yaml.MappingEndEvent):
            key_node = self.compose(("<key>",), top)
            name = str(key_node.value) if isinstance(key_node, ScalarNode) else "<key>"
            line = key_node.start_mark.line + 1
            if name in seen:
                raise TopLevelError(line, f"duplicate top-level key {name!r}")
            seen.add(name)
            if name != key:
                self.compose((name,), top)
                continue
            found = True
            # An anchored list may be aliased later, so it is composed whole instead.
            if parser.check_event(yaml.SequenceStartEvent) and parser.peek_event().anchor is None:
                parser.get_event()
                position = 0
                while not parser.check_event(yaml.SequenceEndEvent):
                    index = NodeIndex()
                    node = self.compose((key, position), index)
                    yield StreamedItem(position, self.construct(node), index)
                    position += 1
                parser.get_event()
                continue
            value = self.compose((key,), top)
            if not isinstance(value, SequenceNode):
                raise TopLevelError(line, f"expected a top-level '{key}:' list of entries")
            for position, item in enumerate(value.value):
                index = NodeIndex(lines={(key, position): item.start_mark.line + 1})
                yield StreamedItem(position, self.construct(item), index)
        parser.get_event()
        if not found:
            raise TopLevelError(1, f"expected a top-level '{key}:' list of entries")

    # ---- plumbing ---------------------------------------------------------------------------

    def _tag(self, kind: type[Node], tag: str | None, value: Any, implicit: Any) -> str:
        if tag is None or tag == "!":
            return str(self.resolver.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
        return tag

    def _anchor(self, event: Any, node: Node, size: int) -> None:
        anchor = event.anchor
        if anchor is None:
            return
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {_short(anchor)}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        self.anchors[anchor] = node
        self.sizes[id(node)] = size

    def _alias(self, event: Any) -> Node:
        node = self.anchors.get(event.anchor)
        if node is None:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {_short(event.anchor)}", event.start_mark
            )
        if id(node) in self.open_nodes:
            raise LimitError(
                f"alias {_short(event.anchor)} points into the node it is part of",
                event.start_mark,
            )
        self.alias_nodes += self.sizes[id(node)]
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise LimitError(
                f"aliases expand to more than {self.limits.max_alias_nodes} nodes "
                "(nested aliases multiply; write the values out instead)",
                event.start_mark,
            )
        return node


def _path_in(frame: _Frame) -> Path_:
    """The path of the node about to be added to ``frame``."""
    if isinstance(frame.node, SequenceNode):
        return (*frame.path, len(frame.node.value))
    key = frame.key
    if isinstance(key, ScalarNode):
        return (*frame.path, str(key.value))
    return (*frame.path, "<key>")


def _attach(frame: _Frame, node: Node, size: int, path: Path_, index: NodeIndex) -> None:
    frame.size += size
    if isinstance(frame.node, SequenceNode):
        frame.node.value.append(node)
        return
    key = frame.key
    if key is None:
        frame.key = node
        return
    frame.key = None
    frame.node.value.append((key, node))
    if not isinstance(key, ScalarNode):
        return
    # A key's own line is more useful than its value's for block values.
    index.lines[path] = key.start_mark.line + 1
    name = str(key.value)
    if name == "id" and isinstance(node, ScalarNode):
        frame.entry = str(node.value)
    if name in frame.keys:
        index.duplicate_keys.append(DuplicateKey(key.start_mark.line + 1, name, frame.entry))
    frame.keys.add(name)


def _short(text: object, limit: int = 40) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _CappedStream:
    """A binary stream that refuses to yield more than ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.limit = limit
        self.left = limit

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size if size >= 0 else self.left + 1)
        self.left -= len(chunk)
        if self.left < 0:
            raise OSError(f"larger than the {self.limit} bytes allowed")
        return chunk


def _parser(stream: IO[bytes], limits: Limits) -> Any:
    capped = _CappedStream(stream, limits.max_bytes)
    if yaml.__with_libyaml__:
        from yaml._yaml import CParser  # libyaml only

        return CParser(capped)
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class PyParser(Reader, Scanner, Parser):
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    return PyParser(capped)


def _open(path: Path, limits: Limits) -> IO[bytes]:
    """``path`` opened for reading once it is known to be a regular file within the cap."""
    stream = open_regular(path)
    try:
        size = os.fstat(stream.fileno()).st_size
        if size > limits.max_bytes:
            raise OSError(f"{size} bytes is larger than the {limits.max_bytes} bytes allowed")
    except BaseException:
        stream.close()
        raise
    return stream


def open_regular(path: Path) -> IO[bytes]:
    """Open ``path`` for binary reading without ever blocking, refusing anything not a file.

    ``O_NONBLOCK`` keeps a FIFO with no writer from blocking the open; the check on the open
    descriptor (not on the name) then refuses FIFOs, devices and sockets.

    Raises:
        OSError: cannot be opened, or not a regular file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{path} is not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
