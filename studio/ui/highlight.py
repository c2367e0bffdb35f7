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
