"""YAML loading that remembers the line of every value, so errors can name file:line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is much faster; fall back to the pure-Python loader where it is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Location = tuple[Any, ...]


class LineMap:
    """Maps a location inside a YAML document (keys and list indexes) to its 1-based line."""

    def __init__(self, lines: dict[Location, int]):
        self._lines = lines

    def line(self, loc: Location) -> int:
        loc = tuple(loc)
        while loc not in self._lines and loc:
            loc = loc[:-1]
        return self._lines.get(loc, 1)


def _index(node: yaml.Node, loc: Location, out: dict[Location, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = loc + (key_node.value,)
            out[child] = key_node.start_mark.line + 1
            if isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                _index(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, loc + (i,), out)


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse one YAML file; raises ValueError with file:line on a syntax error."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:  # one parse: the node tree gives the lines, and the data is built from it (yaml.load's two steps)
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ValueError(f"{path}:{line}: YAML syntax error: {exc.problem or exc}") from None
    finally:
        loader.dispose()
    lines: dict[Location, int] = {}
    if root is not None:
        _index(root, (), lines)
    return data, LineMap(lines)
