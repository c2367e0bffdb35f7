"""Merge tags (`{{ first_name }}`, `{{ first_name | default: "there" }}`, `*|FNAME|*`).

Checks must neither flag a tag (it is not shouting, nor a claim) nor ignore what it will become:
lexical checks read a *masked* text where every tag is blanked to spaces of the same length (so
spans still slice the original), and length checks read a *filled* text where every tag holds
the pack's worst-case value. A tag delimiter still in the masked text belongs to no tag: it is
unbalanced (`Hi {{ first_name .`), and the sending engine would fail on it or print it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# `{{ var … }}` (Jinja, Liquid, Klaviyo, HubSpot), `{% … %}` logic, `{# … #}` comments,
# `*|VAR|*` (Mailchimp). No tag spans a brace of another, so each scan stops at the next brace
# and matching stays linear.
_TAG = re.compile(
    r"\{\{-?\s*(?P<var>[A-Za-z_][\w.]*)?[^{}]*?-?\}\}"
    r"|\{%-?[^{}]*?-?%\}"
    r"|\{#[^{}]*?#\}"
    r"|\*\|(?P<mc>[A-Za-z_][\w:]*)\|\*"
)
_DELIMITER = re.compile(r"\{[{%#]|[}%#]\}")


# What a plain output tag may hold: a variable, then filters with at most one literal argument
# (`first_name | default: "there"`, `name | default('there')`). Anything else is template code.
_PLAIN_OUTPUT = re.compile(
    r"""\{\{-?\s*[A-Za-z_][\w.]*\s*"""
    r"""(?:\|\s*[A-Za-z_]\w*\s*(?::\s*(?:"[^"]*"|'[^']*'|[\w.]+)\s*"""
    r"""|\(\s*(?:"[^"]*"|'[^']*'|[\w.]+)?\s*\)\s*)?)*-?\}\}"""
)


@dataclass(frozen=True)
class MergeTag:
    start: int
    end: int
    variable: str | None  # None for logic tags ({% if %}) and comments, which print nothing
    code: bool  # logic, an expression or a comment: the sending engine would execute it


def find_tags(text: str) -> list[MergeTag]:
    if "{" not in text and "*|" not in text:
        return []
    tags = []
    for m in _TAG.finditer(text):
        var = m.group("var") or m.group("mc")
        tag = m.group(0)
        code = tag.startswith("{") and ("__" in tag or not _PLAIN_OUTPUT.fullmatch(tag))
        tags.append(MergeTag(m.start(), m.end(), var.split(".")[0] if var else None, code))
    return tags


def stray_delimiters(masked: str) -> list[tuple[int, int]]:
    """Spans of the tag delimiters (`{{`, `}}`, `{%`, `%}`, `{#`, `#}`) that no tag holds.

    `masked` is the text with its well-formed tags blanked (see `mask`), so whatever delimiter
    is left opens a tag that never closes or closes one that never opened."""
    if "{" not in masked and "}" not in masked:
        return []
    return [m.span() for m in _DELIMITER.finditer(masked)]


def mask(text: str, tags: list[MergeTag]) -> str:
    """The text with every tag blanked to spaces, offsets unchanged."""
    return _replace(text, tags, lambda tag: " " * (tag.end - tag.start))


def fill(text: str, tags: list[MergeTag], values: dict[str, str], unknown: str) -> str:
    """The text as the longest plausible recipient would see it."""

    def value(tag: MergeTag) -> str:
        if tag.variable is None:
            return ""
        return values.get(tag.variable, values.get(tag.variable.lower(), unknown))

    return _replace(text, tags, value)


def _replace(text: str, tags: list[MergeTag], replacement: Callable[[MergeTag], str]) -> str:
    if not tags:
        return text
    parts = []
    pos = 0
    for tag in tags:
        parts.append(text[pos : tag.start])
        parts.append(replacement(tag))
        pos = tag.end
    parts.append(text[pos:])
    return "".join(parts)
