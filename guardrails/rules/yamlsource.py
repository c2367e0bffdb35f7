"""Reading YAML while remembering where each value came from, so errors can name a line.

PyYAML's composed node tree keeps line marks; we build the Python data from it ourselves and
record, for every path into the data (`("rules", 3, "severity")`), the line it was written on.
Duplicate keys, which PyYAML would silently overwrite, are errors here.
"""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlSourceError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise YamlSourceError(
            mark.line + 1 if mark else None, f"not valid YAML: {exc.problem}"
        ) from None
    finally:
        loader.dispose()
    if node is None:
        return {}, {}
    lines: dict[Path, int] = {}
    return _build(node, (), lines, loader), lines


def _build(node: yaml.Node, path: Path, lines: dict[Path, int], loader: yaml.SafeLoader) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise YamlSourceError(key_node.start_mark.line + 1, "a key must be a plain value")
            if key in out:
                raise YamlSourceError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def line_of(lines: dict[Path, int], loc: Path) -> int | None:
    """The line of the deepest prefix of `loc` that exists (pydantic locs may add union tags)."""
    best: int | None = lines.get(())
    path: Path = ()
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
            best = lines[candidate]
    return best
