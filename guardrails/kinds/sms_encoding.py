"""The sms_encoding kind: characters that switch an SMS from GSM-7 to UCS-2."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails import sms
from guardrails.findings import Finding
from guardrails.kinds.base import MAX_FINDINGS_PER_FIELD, CheckContext, CompiledRule
from guardrails.rules.models import SmsEncodingRule
from guardrails.view import FieldView


def _may_leave_gsm7(view: FieldView) -> bool:
    return not view.masked.isascii() or "`" in view.masked  # the one ASCII char GSM-7 lacks


class SmsEncoding(CompiledRule[SmsEncodingRule]):
    schema = SmsEncodingRule
    gate = staticmethod(_may_leave_gsm7)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        text = view.masked
        outside = sms.non_gsm7(text)
        if not outside:
            return
        runs: list[tuple[int, int]] = []
        for i, char in enumerate(text):
            if char in outside:
                if runs and runs[-1][1] == i:
                    runs[-1] = (runs[-1][0], i + 1)
                else:
                    runs.append((i, i + 1))
        for start, end in runs[:MAX_FINDINGS_PER_FIELD]:
            chars = text[start:end]
            plain = "".join(sms.TRANSLITERATIONS.get(c, "") for c in chars)
            whole = all(c in sms.TRANSLITERATIONS for c in chars)
            yield self.finding(
                view,
                start,
                end,
                fix=plain if whole else None,
                suggestions=[plain] if whole else ["remove it, or accept 70-character segments"],
            )
