"""Findings drawn over the copy, as HTML for `st.html`, with the copy and every rule-file text
made inert: only the tags made here reach the page as markup.

`st.html` does not read Markdown, so escaping HTML is all it takes for copy to show as the
characters the copywriter typed (no emphasis, link, image or maths out of `**x**`, `[a](b)`,
`![i](https://...)` or `$x$`); DOMPurify sanitises what is left as a second line of defence.

Where findings overlap, each character shows the most severe one covering it (and the first
of those by position), so an error is never hidden under a suggestion. A finding about the
whole field (a segment count spans it all, a missing opt-out spans none) is not drawn over the
words at all: it
would hide every word-level finding; it is listed above the field instead.
"""

from __future__ import annotations

import html
import re

from guardrails import Channel, Finding, Severity, Variant

_COLOURS = {Severity.ERROR: "#f8c4c4", Severity.WARNING: "#fbe3a6", Severity.SUGGESTION: "#cfe3fb"}
# Text symbols, not emoji: they show in any font (headless Chromium has no emoji font, and
# showed "⛔" as a box).
ICONS = {Severity.ERROR: "✖", Severity.WARNING: "⚠", Severity.SUGGESTION: "ℹ"}
_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.SUGGESTION: 1}


def escaped(text: str) -> str:
    """`text` as HTML that shows it literally, newlines kept."""
    return html.escape(text, quote=True).replace("\n", "<br>")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#!|~$:])")  # inline Markdown, maths, directives


def label_text(text: str) -> str:
    """Text for a widget label (a button, an expander, a warning), which Streamlit reads as
    Markdown: links, images it would fetch, maths, colours. Every character Markdown acts on is
    backslash-escaped, so the label shows exactly what was typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def whole_field(finding: Finding, text: str) -> bool:
    """About the field, not some of its words: it spans all of it, or none (something
    missing, such as an opt-out)."""
    return finding.start == finding.end or (finding.start <= 0 and finding.end >= len(text))


def highlight_html(text: str, findings: list[Finding]) -> str:
    """`text` with each word-level finding's span marked, the most severe where they overlap;
    each mark names its severity in words (its tooltip and an icon), not by colour alone."""
    shown: list[Finding | None] = [None] * len(text)
    spans = [f for f in findings if not whole_field(f, text)]
    for finding in sorted(spans, key=lambda f: (-_RANK[f.severity], f.start)):
        for pos in range(max(finding.start, 0), min(finding.end, len(text))):
            if shown[pos] is None:
                shown[pos] = finding
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        current, end = shown[pos], pos
        while end < len(text) and shown[end] is current:
            end += 1
        words = escaped(text[pos:end])
        if current is None:
            parts.append(words)
        else:
            label = escaped(f"{current.severity.value} {current.rule}: {current.message}")
            parts.append(
                f'<mark style="background:{_COLOURS[current.severity]}" title="{label}" '
                f'aria-label="{label}">{ICONS[current.severity]}{words}</mark>'
            )
        pos = end
    return "".join(parts)


def field_html(name: str, text: str, findings: list[Finding]) -> str:
    """One field: its name, the findings about the whole of it, then its words highlighted."""
    banners = "".join(
        f'<div style="background:{_COLOURS[f.severity]};padding:.1em .4em;margin:.2em 0">'
        f"{ICONS[f.severity]} {escaped(f.severity.value)} <code>{escaped(f.rule)}</code>: "
        f"{escaped(f.message)}</div>"
        for f in findings
        if whole_field(f, text)
    )
    body = highlight_html(text, findings) or "<i>(empty)</i>"
    return f"<div><b>{escaped(name)}</b>{banners}<div>{body}</div></div>"


def copy_html(channel: str, fields: dict[str, str | list[str]], findings: list[Finding]) -> str:
    """Every field of a piece of copy (list fields item by item), each with its findings."""
    copy = Variant(channel=Channel(channel), fields=fields)
    return "".join(field_html(path, text, [f for f in findings if f.field == path])
                   for path, _, text in copy.iter_fields())  # fmt: skip


def findings_html(findings: list[Finding]) -> str:
    """Findings as a list: severity (icon and word), rule, the words, why, and the fix or
    suggestion, and the rule's source."""
    items = []
    for f in findings:
        advice = f"Fix: {f.fix}" if f.fix else "; ".join(f.suggestions)
        words = f" “{escaped(f.text)}”" if f.text else ""
        source = f"<br><small>Source: {escaped(f.source)}</small>" if f.source else ""
        items.append(
            f'<li style="margin-bottom:.5em"><span style="background:{_COLOURS[f.severity]};'
            f'padding:0 .3em">{ICONS[f.severity]} {f.severity.value}</span> '
            f"<code>{escaped(f.rule)}</code> <b>{escaped(f.field)}</b>{words}<br>"
            f"{escaped(f.message)}{'<br><i>' + escaped(advice) + '</i>' if advice else ''}"
            f"{source}</li>"
        )
    return f"<ul style='list-style:none;padding-left:0'>{''.join(items)}</ul>"


def notice_html(text: str, severity: Severity | None = None) -> str:
    """A message (an error, an approved claim) shown literally: `st.error` and friends would
    read it as Markdown, and it may quote copy or a rule file."""
    colour = _COLOURS[severity] if severity else "#d9f2d9"
    icon = ICONS[severity] if severity else "✔"
    return (f'<div role="status" style="background:{colour};padding:.5em .8em;'
            f'border-radius:.4em">{icon} {escaped(text)}</div>')  # fmt: skip
