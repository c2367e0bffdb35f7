"""Reading YAML while remembering where each value came from, so errors can name a line.

PyYAML's composed node tree keeps line marks; we build the Python data from it ourselves and
record, for every path into the data (`("rules", 3, "severity")`), the line it was written on.
Duplicate keys, which PyYAML would silently overwrite, are errors here.

Rule packs and briefs are written by people outside engineering and read by servers, so what a
ten-line file can cost is bounded: anchors and aliases (`&x`, `*x`) are refused, since nested
aliases expand exponentially (a "billion laughs" file reached gigabytes in seconds), and so is
nesting deeper than `MAX_DEPTH` (the composer recurses, and 100,000 `[` would overflow it).
"""

from __future__ import annotations

from typing import Any

import yaml

KeyPath = tuple[str | int, ...]  # where a value sits in the data: ("rules", 3, "severity")

MAX_DEPTH = 64  # nested mappings and lists; real packs and briefs use fewer than ten


class YamlSourceError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors, aliases and deep nesting as it composes."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlSourceError(
                line, "anchors and aliases (&name, *name) are not allowed: write the value out"
            )
        if self._depth >= MAX_DEPTH:
            raise YamlSourceError(line, f"nested deeper than {MAX_DEPTH} levels")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_with_lines(text: str) -> tuple[Any, dict[KeyPath, int]]:
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        lines: dict[KeyPath, int] = {}
        return _build(node, (), lines, loader), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise YamlSourceError(
            mark.line + 1 if mark else None, f"not valid YAML: {exc.problem}"
        ) from None
    finally:
        loader.dispose()


def _build(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], loader: _BoundedLoader
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, loader)
            if isinstance(key, (dict, list)):
                raise YamlSourceError(key_node.start_mark.line + 1, "a key must be a plain value")
            if key in out:
                raise YamlSourceError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    return _construct(node, loader)


def _construct(node: yaml.Node, loader: _BoundedLoader) -> Any:
    """A scalar (or key) as Python data. A value PyYAML resolves but cannot build, such as the
    date 2024-02-30, raises a bare ValueError there: here it is an error on its line."""
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:
        raise YamlSourceError(node.start_mark.line + 1, f"not a valid value: {exc}") from None


def line_of(lines: dict[KeyPath, int], loc: KeyPath) -> int | None:
    """The line of the deepest prefix of `loc` that exists (pydantic locs may add union tags)."""
    best: int | None = lines.get(())
    path: KeyPath = ()
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
            best = lines[candidate]
    return best
