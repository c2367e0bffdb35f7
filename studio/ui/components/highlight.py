"""Findings drawn over the copy as HTML, with the copy and rule-file text made inert: only the
tags made here reach the page as markup.

Streamlit renders these strings as Markdown. The highlighted copy is a Markdown paragraph, where
escaping HTML is not enough (`__class__` turns bold, `https://…` a link, `$x$` maths, `# x` a
heading), so every character Markdown or Streamlit acts on there becomes a numeric entity, which
Markdown shows as itself. The findings list starts with `<ul>`, an HTML block Markdown leaves
alone until a blank line, so there escaping HTML and keeping newlines out of it is enough.
"""

from __future__ import annotations

import html

from guardrails import Finding, Severity

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_MARKDOWN = "\\`*_[]~$:@.#+-!|"
_INERT = str.maketrans({**_HTML, **{c: f"&#{ord(c)};" for c in _MARKDOWN}})
_COLOURS = {Severity.ERROR: "#f8c4c4", Severity.WARNING: "#fbe3a6", Severity.SUGGESTION: "#cfe3fb"}


def inert(text: str) -> str:
    """`text` as HTML that neither HTML nor Markdown will interpret."""
    return text.translate(_INERT)


def _in_block(text: str) -> str:
    """`text` escaped for the inside of an HTML block, on one line so the block never ends."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def highlight_html(text: str, findings: list[Finding]) -> str:
    """`text` as HTML with each finding's span marked; overlapping spans take the first."""
    parts: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos or f.start == f.end:
            continue
        parts.append(inert(text[pos : f.start]))
        title = inert(f"{f.rule}: {f.message}")
        parts.append(
            f'<mark style="background:{_COLOURS[f.severity]}" title="{title}">'
            f"{inert(text[f.start : f.end])}</mark>"
        )
        pos = f.end
    parts.append(inert(text[pos:]))
    return "".join(parts).replace("\n", "<br>")


def findings_html(findings: list[Finding]) -> str:
    """Findings as an escaped list: severity, rule, the words, why, and the fix or suggestion."""
    items = []
    for f in findings:
        advice = f"Fix: {f.fix}" if f.fix else "; ".join(f.suggestions)
        words = f" “{_in_block(f.text)}”" if f.text else ""
        source = f"<br><small>Source: {_in_block(f.source)}</small>" if f.source else ""
        items.append(
            f'<li style="margin-bottom:.5em"><span style="background:{_COLOURS[f.severity]};'
            f'padding:0 .3em">{f.severity.value}</span> <code>{_in_block(f.rule)}</code> '
            f"<b>{_in_block(f.field)}</b>{words}<br>{_in_block(f.message)}"
            f"{'<br><i>' + _in_block(advice) + '</i>' if advice else ''}{source}</li>"
        )
    return f"<ul style='list-style:none;padding-left:0'>{''.join(items)}</ul>"
