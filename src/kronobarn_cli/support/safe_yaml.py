"""Reading YAML that a user or a county wrote: bounded, safe types, one-line errors with a line.

Answers files, `config.yaml` and the checklists all come through here. The file size, the depth
of nesting and (where they are allowed at all) what aliases expand to are bounded, so a broken
or hostile file ends in an `InputFileError` (`path:line: message`) within a moment instead of a
traceback, a hang or a full memory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kronobarn_cli.errors import InputFileError, os_error_text

# Pure-Python YAML parses about 200 kB a second; these bounds keep any file under a second.
# The shipped checklist files are under 8 kB and 500 values each, an answers file about 2 kB;
# composing a node costs about 60 µs, so 10,000 values are half a second at most.
MAX_BYTES = 200_000
MAX_DEPTH = 50
MAX_NODES = 10_000


_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Document:
    data: Any
    """What the file holds (dicts, lists, str, int, float, bool, date, None)."""
    root: yaml.Node | None
    """The composed document, for line numbers."""


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that this file may not hold; `problem` is already a Swedish sentence."""


class _Loader(yaml.SafeLoader):
    allow_aliases = False
    allow_duplicate_keys = False

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        if not self.allow_aliases:
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(None, None, "alias (*namn) används inte i den här filen", mark)
            if getattr(event, "anchor", None) is not None:
                raise _Refused(None, None, "ankare (&namn) används inte i den här filen", mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(None, None, f"för många värden (högst {_number(MAX_NODES)})", mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(None, None, f"för djupt nästlad (högst {MAX_DEPTH} nivåer)", mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.ScalarNode) and (found := _SURROGATE.search(node.value)):
            # "\ud800" is valid YAML but no character: it could never be saved as UTF-8.
            raise _Refused(None, None, f"ogiltigt tecken U+{ord(found.group()):04X}",
                           node.start_mark)  # fmt: skip
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError):
            # PyYAML's own constructors raise these for impossible dates (2027-02-30) and
            # integers too long to convert; the node knows where it is.
            shown = str(node.value)[:40] if isinstance(node, yaml.ScalarNode) else ""
            kind = "datum" if node.tag == "tag:yaml.org,2002:timestamp" else "värde"
            raise _Refused(None, None, f"ogiltigt {kind} '{shown}'", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not self.allow_duplicate_keys:
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        raise _Refused(
                            None,
                            None,
                            f"nyckeln '{key_node.value}' förekommer två gånger",
                            key_node.start_mark,
                        )
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def read(
    path: Path, *, allow_aliases: bool = False, allow_duplicate_keys: bool = False
) -> Document:
    """The YAML (or JSON) document in `path`, or an `InputFileError` naming the line.

    Aliases have no use in answers files and `config.yaml`; the checklists may use them, but
    what they expand to is bounded. Duplicate keys are an error unless the caller reports them
    itself (the checklists do, with every other problem of the file).
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputFileError(str(path), None, f"kan inte läsas: {os_error_text(exc)}") from None
    if len(raw) > MAX_BYTES:
        detail = f"filen är för stor (högst {_number(MAX_BYTES)} byte)"
        raise InputFileError(str(path), None, detail)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(str(path), line, "är inte text i UTF-8") from None
    return parse(
        text, str(path), allow_aliases=allow_aliases, allow_duplicate_keys=allow_duplicate_keys
    )


def parse(
    text: str, source: str, *, allow_aliases: bool = False, allow_duplicate_keys: bool = False
) -> Document:
    """Like `read`, for text already in memory; `source` names it in errors."""
    try:
        loader = _Loader(text)  # checks for unprintable characters at once
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        character = exc.character if isinstance(exc.character, int) else 0
        raise InputFileError(source, line, f"otillåtet tecken U+{character:04X}") from None
    loader.allow_aliases = allow_aliases
    loader.allow_duplicate_keys = allow_duplicate_keys
    try:
        root = loader.get_single_node()
        if root is not None and allow_aliases:
            _check_expansion(root)
        data = loader.construct_document(root) if root is not None else None
    except _Refused as exc:
        raise InputFileError(source, _line(exc), str(exc.problem)) from None
    except yaml.MarkedYAMLError as exc:
        problem = _swedish(exc.problem or exc.context or "")
        raise InputFileError(source, _line(exc), f"ogiltig YAML: {problem}") from None
    except yaml.YAMLError:  # not one PyYAML can place in the file
        raise InputFileError(source, None, "ogiltig YAML") from None
    except (RecursionError, MemoryError):
        raise InputFileError(source, None, "filen är för stor eller för djupt nästlad") from None
    finally:
        loader.dispose()
    return Document(data, root)


# PyYAML's complaints, in the words a user needs; any other is called a syntax error (the line
# is given with it), since PyYAML's own words are English.
_PROBLEMS = {
    "expected ',' or ']'": "ett kommatecken eller ] saknas i en lista inom [ ]",
    "expected ',' or '}'": "ett kommatecken eller } saknas i en mappning inom { }",
    "found unknown escape character": "okänd teckenföljd med \\ i en text inom citattecken",
    "expected alphabetic or numeric character": "ett ankare (&) eller alias (*) utan namn",
    "found duplicate": "ett direktiv (%) står två gånger",
    "expected URI": "en ogiltig tagg (!…)",
    "could not determine a constructor for the tag": "okänd tagg (!!…) i filen",
    "found unhashable key": "en nyckel kan inte vara en lista eller en mappning",
    "mapping values are not allowed here": "kolon på fel ställe (sätt texten inom citattecken)",
    "that cannot start any token": "tecken som inte kan inleda ett värde (tabb eller @?)",
    "expected <block end>": "fel indrag",
    "found another document": "filen får bara innehålla ett dokument",
    "found undefined alias": "alias till ett ankare som inte finns",
    "found unexpected end of stream": "filen tar slut mitt i en text (citattecken saknas?)",
    "expected the node content": "ett värde saknas",
    "could not find expected ':'": "ett kolon saknas efter nyckeln",
}


def _swedish(problem: str) -> str:
    found = next((text for key, text in _PROBLEMS.items() if key in problem), None)
    return found or "felaktig syntax"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else None


def _check_expansion(root: yaml.Node) -> None:
    """Refuse aliases that expand beyond MAX_NODES or MAX_DEPTH, or that contain themselves."""
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def measure(node: yaml.Node) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _Refused(None, None, "ett alias innehåller sig självt", node.start_mark)
        open_nodes.add(key)
        children: Sequence[yaml.Node] = ()
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        size, depth = 1, 1
        for child in children:
            child_size, child_depth = measure(child)
            size += child_size
            depth = max(depth, child_depth + 1)
        if size > MAX_NODES or depth > MAX_DEPTH:
            raise _Refused(
                None, None, "aliasen ger en för stor eller för djupt nästlad fil", node.start_mark
            )
        open_nodes.discard(key)
        sizes[key] = (size, depth)
        return size, depth

    measure(root)


def line_of(root: yaml.Node | None, *keys: str | int) -> int | None:
    """The line where the value at `keys` starts (the nearest enclosing one that exists)."""
    if root is None:
        return None
    node = root
    for key in keys:
        found: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if str(k.value) == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            found = node.value[key] if 0 <= key < len(node.value) else None
        if found is None:
            break
        node = found
    return int(node.start_mark.line) + 1
