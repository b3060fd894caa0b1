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
from yaml.nodes import ScalarNode
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
        value = reader.build((), index)
        reader.end_document()
    return value, index


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
    """PyYAML's safe constructor, used for the scalars that are not plain text: dates kept as
    text, integers bounded."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(node.value)
        digits = sum(ch.isdigit() for ch in text) if len(text) > MAX_INT_DIGITS else 0
        if digits > MAX_INT_DIGITS:
            raise LimitError(
                f"an integer of {digits} digits (at most {MAX_INT_DIGITS})", node.start_mark
            )
        return int(super().construct_yaml_int(node))

    def construct_timestamp_as_text(self, node: ScalarNode) -> str:
        return str(self.construct_scalar(node))


_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _CORE + "str", _CORE + "map", _CORE + "seq"
_SET, _OMAP, _PAIRS = _CORE + "set", _CORE + "omap", _CORE + "pairs"
_MERGE, _VALUE = _CORE + "merge", _CORE + "value"
_SCALARS = {
    _CORE + "null": _Constructor.construct_yaml_null,
    _CORE + "bool": _Constructor.construct_yaml_bool,
    _CORE + "int": _Constructor.construct_yaml_int,
    _CORE + "float": _Constructor.construct_yaml_float,
    _CORE + "binary": _Constructor.construct_yaml_binary,
    _CORE + "timestamp": _Constructor.construct_timestamp_as_text,
}
"""The scalar tags of the safe loader besides ``str`` (which needs no constructor)."""
_MAPPING_TAGS = (_MAP, _SET)
_LIST_TAGS = (_SEQ, _OMAP, _PAIRS)
_IMPLICIT: dict[str, list[tuple[str, Any]]] = Resolver.yaml_implicit_resolvers
_NO_KEY = object()


@dataclass(frozen=True)
class _KeyTag:
    """A plain ``<<`` (merge) or ``=`` (value): meaningful only as a mapping key."""

    tag: str
    text: str
    mark: Any


class _Frame:
    """A mapping or list being built."""

    __slots__ = ("anchor", "entry", "key", "key_line", "key_name", "merges", "path", "size",
                 "start", "tag", "value")  # fmt: skip

    def __init__(
        self, value: Any, tag: str, path: Path_, entry: str | None, anchor: str | None, start: Any
    ) -> None:
        self.value = value
        self.tag = tag
        self.path = path
        self.entry = entry
        """The ``id`` of this mapping (or of the nearest enclosing one), for duplicate keys."""
        self.anchor = anchor
        self.start = start
        self.size = 1
        """Nodes in this subtree, aliases expanded: what an alias to it costs."""
        self.key: Any = _NO_KEY
        """For a mapping: the key whose value comes next."""
        self.key_name = ""
        self.key_line = 0
        self.merges: list[dict[Any, Any]] = []


class _Reader:
    """Builds Python values straight from the parser's events, with the limits and the line
    index: no node tree is made, so an entry costs one pass over its events."""

    def __init__(self, stream: IO[bytes], limits: Limits) -> None:
        self.limits = limits
        self.parser = _parser(stream, limits)
        self.constructor = _Constructor()
        self.anchors: dict[str, tuple[Any, int, str | None]] = {}
        """The value of each closed anchor, its expanded size and its text (for a scalar)."""
        self.anchor_marks: dict[str, Any] = {}
        self.open_anchors: set[str] = set()
        """Anchors of the lists and mappings being built: an alias to one would be a cycle."""
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

    def build(self, path: Path_, index: NodeIndex, entry: str | None = None) -> Any:
        """The next node's value, its lines indexed under ``path``. An alias gives the anchored
        value itself, as PyYAML does."""
        stack: list[_Frame] = []
        get_event = self.parser.get_event
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        end_events = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
        while True:
            event = get_event()
            kind = type(event)
            text: str | None = None
            if kind is scalar_event:
                text = event.value
                # Most scalars are text no implicit type could match: skip resolving them.
                if event.tag is None and (not event.implicit[0] or text[:1] not in _IMPLICIT):
                    value = text
                else:
                    value = self._scalar(event)
                size = 1 + (len(text) >> 6)  # a long string aliased many times costs memory too
                if event.anchor is not None:
                    self._anchor(event.anchor, event.start_mark)
                    self.anchors[event.anchor] = (value, size, text)
            elif kind is alias_event:
                value, size, text = self._alias(event)
            elif kind in end_events:
                frame = stack.pop()
                value, size = self._close(frame), frame.size
                if not stack:
                    return value
                self._add(stack[-1], value, size, None, frame.start.line + 1, index)
                continue
            else:
                self._open(event, stack, path, index, entry)
                continue
            if stack:
                self._add(stack[-1], value, size, text, event.start_mark.line + 1, index)
                continue
            if type(value) is _KeyTag:
                raise _not_a_value(value)
            index.lines[path] = event.start_mark.line + 1
            return value

    def _scalar(self, event: Any) -> Any:
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = _STR
            if event.implicit[0]:
                for candidate, pattern in _IMPLICIT.get(value[:1], ()):
                    if pattern.match(value):
                        tag = candidate
                        break
        if tag == _STR:
            return value
        construct = _SCALARS.get(tag)
        if construct is None:
            if tag in (_MERGE, _VALUE):
                return _KeyTag(tag, value, event.start_mark)
            why = (
                "expected a collection, but found a scalar"
                if tag in _MAPPING_TAGS or tag in _LIST_TAGS
                else f"could not determine a constructor for the tag {_short(tag)}"
            )
            raise yaml.constructor.ConstructorError(None, None, why, event.start_mark)
        node = ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
        try:
            return construct(self.constructor, node)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # PyYAML's own slips: ``!!int ""``, ``!!float x``
            raise _unreadable(exc, event.start_mark) from None

    def _open(
        self, event: Any, stack: list[_Frame], path: Path_, index: NodeIndex, entry: str | None
    ) -> None:
        if len(stack) >= self.limits.max_depth:
            raise LimitError(f"nested deeper than {self.limits.max_depth} levels", event.start_mark)
        is_list = type(event) is yaml.SequenceStartEvent
        tag = event.tag
        if tag is None or tag == "!":
            tag = _SEQ if is_list else _MAP
        elif tag not in (_LIST_TAGS if is_list else _MAPPING_TAGS):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a {'list' if is_list else 'mapping'} cannot have the tag {_short(tag)}",
                event.start_mark,
            )
        if stack:
            parent = stack[-1]
            entry = parent.entry
            if type(parent.value) is list:
                path = (*parent.path, len(parent.value))
            else:
                path = (*parent.path, parent.key_name if parent.key is not _NO_KEY else "<key>")
        index.lines[path] = event.start_mark.line + 1
        if event.anchor is not None:
            self._anchor(event.anchor, event.start_mark)
            self.open_anchors.add(event.anchor)
        value: list[Any] | dict[Any, Any] = [] if is_list else {}
        stack.append(_Frame(value, tag, path, entry, event.anchor, event.start_mark))

    def _add(
        self, frame: _Frame, value: Any, size: int, text: str | None, line: int, index: NodeIndex
    ) -> None:
        """Put ``value`` into the list or mapping ``frame`` builds."""
        frame.size += size
        container = frame.value
        if type(container) is list:
            if type(value) is _KeyTag:
                raise _not_a_value(value)
            index.lines[(*frame.path, len(container))] = line
            container.append(value)
            return
        key = frame.key
        if key is _NO_KEY:
            if type(value) is _KeyTag and value.tag == _VALUE:
                value = text = value.text
            try:
                hash(value)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", frame.start, "found unhashable key", None
                ) from None
            frame.key = value
            frame.key_name = text if text is not None else "<key>"
            frame.key_line = line
            return
        frame.key = _NO_KEY
        if type(value) is _KeyTag:
            raise _not_a_value(value)
        if type(key) is _KeyTag:
            frame.merges.extend(_merged(value, frame.start))
            return
        name = frame.key_name
        # A key's own line is more useful than its value's for block values.
        index.lines[(*frame.path, name)] = frame.key_line
        if name == "id" and text is not None:
            frame.entry = text
        if key in container:
            index.duplicate_keys.append(DuplicateKey(frame.key_line, name, frame.entry))
        container[key] = value

    def _close(self, frame: _Frame) -> Any:
        """The finished value of ``frame``, registered under its anchor."""
        value = frame.value
        if frame.merges:
            # Keys given in the mapping win, then the first merged mapping that has the key.
            merged: dict[Any, Any] = {}
            for source in reversed(frame.merges):
                merged.update(source)
            merged.update(value)
            value = merged
        if frame.tag == _SET:
            value = set(value)
        elif frame.tag in (_OMAP, _PAIRS):
            value = _pairs(value, frame.start)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, frame.size, None)
        return value

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
            line = parser.peek_event().start_mark.line + 1
            name = self._top_key(top)
            if name in seen:
                raise TopLevelError(line, f"duplicate top-level key {name!r}")
            seen.add(name)
            if name != key:
                self.build((name,), top)
                continue
            found = True
            # An anchored list may be aliased later, so it is built whole instead.
            if parser.check_event(yaml.SequenceStartEvent) and parser.peek_event().anchor is None:
                parser.get_event()
                position = 0
                while not parser.check_event(yaml.SequenceEndEvent):
                    index = NodeIndex()
                    value = self.build((key, position), index)
                    yield StreamedItem(position, value, index)
                    position += 1
                parser.get_event()
                continue
            value = self.build((key,), top)
            if not isinstance(value, list):
                raise TopLevelError(line, f"expected a top-level '{key}:' list of entries")
            for position, item in enumerate(value):
                yield StreamedItem(position, item, top)
        parser.get_event()
        if not found:
            raise TopLevelError(1, f"expected a top-level '{key}:' list of entries")

    def _top_key(self, index: NodeIndex) -> str:
        """The name of the next top-level key (``<key>`` for one that is not text)."""
        if self.parser.check_event(yaml.ScalarEvent):
            event = self.parser.get_event()
            if event.anchor is not None:
                self._anchor(event.anchor, event.start_mark)
                self.anchors[event.anchor] = (self._scalar(event), 1, event.value)
            return str(event.value)
        name = self.build(("<key>",), index)
        return name if isinstance(name, str) else "<key>"

    # ---- plumbing ---------------------------------------------------------------------------

    def _anchor(self, anchor: str, mark: Any) -> None:
        if anchor in self.anchor_marks:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {_short(anchor)}; first occurrence",
                self.anchor_marks[anchor],
                "second occurrence",
                mark,
            )
        self.anchor_marks[anchor] = mark

    def _alias(self, event: Any) -> tuple[Any, int, str | None]:
        anchor = event.anchor
        if anchor in self.open_anchors:
            raise LimitError(
                f"alias {_short(anchor)} points into the node it is part of", event.start_mark
            )
        found = self.anchors.get(anchor)
        if found is None:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {_short(anchor)}", event.start_mark
            )
        self.alias_nodes += found[1]
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise LimitError(
                f"aliases expand to more than {self.limits.max_alias_nodes} nodes "
                "(nested aliases multiply; write the values out instead)",
                event.start_mark,
            )
        return found


def _merged(value: Any, mark: Any) -> list[dict[Any, Any]]:
    """The mappings a ``<<`` merge key names: one mapping, or a list of them."""
    sources = value if isinstance(value, list) else [value]
    found: list[dict[Any, Any]] = []
    for source in sources:
        if isinstance(source, dict):
            found.append(source)
        elif isinstance(source, set):
            found.append(dict.fromkeys(source))
        else:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                mark,
                "expected a mapping or list of mappings for merging",
                None,
            )
    return found


def _pairs(items: list[Any], mark: Any) -> list[tuple[Any, Any]]:
    """``!!omap`` and ``!!pairs``: a list of one-key mappings, as (key, value) pairs."""
    pairs: list[tuple[Any, Any]] = []
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise yaml.constructor.ConstructorError(
                "while constructing an ordered map", mark, "expected a mapping of length 1", None
            )
        pairs.extend(item.items())
    return pairs


def _not_a_value(tagged: _KeyTag) -> yaml.YAMLError:
    return yaml.constructor.ConstructorError(
        None, None, f"{tagged.text!r} is only meaningful as a mapping key", tagged.mark
    )


def _unreadable(exc: Exception, mark: Any) -> yaml.YAMLError:
    return yaml.constructor.ConstructorError(
        None, None, f"a value that cannot be read ({type(exc).__name__})", mark
    )


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
