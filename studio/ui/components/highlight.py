"""Findings drawn over the copy as HTML. Everything from the copy or a rule file is escaped:
only the `<mark>` tags made here reach the page as markup."""

from __future__ import annotations

import html

from guardrails import Finding, Severity

_COLOURS = {Severity.ERROR: "#f8c4c4", Severity.WARNING: "#fbe3a6", Severity.SUGGESTION: "#cfe3fb"}


def highlight_html(text: str, findings: list[Finding]) -> str:
    """`text` as HTML with each finding's span marked; overlapping spans take the first."""
    parts: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos or f.start == f.end:
            continue
        parts.append(html.escape(text[pos : f.start]))
        title = html.escape(f"{f.rule}: {f.message}", quote=True)
        parts.append(
            f'<mark style="background:{_COLOURS[f.severity]}" title="{title}">'
            f"{html.escape(text[f.start : f.end])}</mark>"
        )
        pos = f.end
    parts.append(html.escape(text[pos:]))
    return "".join(parts).replace("\n", "<br>")


def findings_html(findings: list[Finding]) -> str:
    """Findings as an escaped list: severity, rule, the words, why, and the fix or suggestion."""
    items = []
    for f in findings:
        advice = f"Fix: {f.fix}" if f.fix else "; ".join(f.suggestions)
        words = f" “{html.escape(f.text)}”" if f.text else ""
        source = f"<br><small>Source: {html.escape(f.source)}</small>" if f.source else ""
        items.append(
            f'<li style="margin-bottom:.5em"><span style="background:{_COLOURS[f.severity]};'
            f'padding:0 .3em">{f.severity.value}</span> <code>{html.escape(f.rule)}</code> '
            f"<b>{html.escape(f.field)}</b>{words}<br>{html.escape(f.message)}"
            f"{'<br><i>' + html.escape(advice) + '</i>' if advice else ''}{source}</li>"
        )
    return f"<ul style='list-style:none;padding-left:0'>{''.join(items)}</ul>"
