"""Widget labels that quote copy or names: Streamlit renders a label as Markdown, so
`label_text` escapes it. Checked with a CommonMark renderer (markdown-it), which treats
backslash escapes as Streamlit's does: what renders is exactly the text, with no tag."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from studio.ui.components.highlight import label_text
from studio.ui.components.labels import counted

HOSTILE = [
    "Winter ![x](https://evil.example/t.png) sale",
    "[click](https://evil.example) now",
    "**bold** _it_ ~~gone~~ `code` <b>tag</b> <img src=x onerror=alert(1)>",
    "$x^2$ :red[alarm] :smile: a\\*b | c # not a heading",
    "{{ 7*7 }} {% raw %}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_label_renders_as_exactly_its_text(text: str) -> None:
    rendered = MarkdownIt("commonmark").renderInline(label_text(text))
    assert "<" not in rendered.replace("&lt;", "")  # no tag at all
    assert html.unescape(rendered) == text


def test_counts_read_as_english() -> None:
    assert [counted(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
