"""Applying the deterministic fixes findings carry (substitutions, transliterations)."""

from __future__ import annotations

from guardrails.findings import Finding


def apply_fixes(text: str, findings: list[Finding], offset: int = 0) -> tuple[str, list[Finding]]:
    """`text` with every non-overlapping fix applied; returns the fixes that were applied.

    `offset` is where the findings' field starts inside `text` (for a whole file).
    """
    chosen: list[Finding] = []
    last_end = -1
    for finding in sorted((f for f in findings if f.fix is not None), key=lambda f: f.start):
        if finding.start >= last_end:
            chosen.append(finding)
            last_end = finding.end
    for finding in reversed(chosen):
        start, end = offset + finding.start, offset + finding.end
        text = text[:start] + (finding.fix or "") + text[end:]
    return text, chosen
