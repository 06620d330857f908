"""YAML with line numbers: where each key starts, and every problem as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kronobarn_cli.errors import InputFileError
from kronobarn_cli.support import safe_yaml
from kronobarn_cli.support.validation import describe

LinePath = tuple[str | int, ...]


class LineMap:
    """Where each key and item of a YAML document starts, so errors can name a line."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.lines: dict[LinePath, int] = {}
        self.duplicates: list[tuple[int, str]] = []
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: LinePath) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line(self, loc: LinePath) -> int:
        path: LinePath = ()
        for part in loc:
            if (*path, part) in self.lines:
                path = (*path, part)
        return self.lines.get(path, 1)


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        self.items.append(f"{path}:{line}: {message}")


def read_yaml(path: Path, problems: Problems) -> tuple[Any, LineMap] | None:
    try:
        # Duplicate keys are reported below with every other problem of the file.
        document = safe_yaml.read(path, allow_aliases=True, allow_duplicate_keys=True)
    except InputFileError as exc:
        problems.add(path, exc.line or 1, exc.detail)
        return None
    lines = LineMap(document.root)
    for line, key in lines.duplicates:
        problems.add(path, line, f"nyckeln '{key}' förekommer två gånger")
    return document.data, lines


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], path: Path, problems: Problems) -> tuple[M, LineMap] | None:
    read = read_yaml(path, problems)
    if read is None:
        return None
    data, lines = read
    if data is None:
        problems.add(path, 1, "filen är tom")
        return None
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(path, lines.line(tuple(error["loc"])), describe(error))
        return None
