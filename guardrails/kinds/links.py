"""The links kind: public link shorteners, and links off the brand's own domains.

Carriers filter SMS with public shorteners (bit.ly and kin) because spammers hide behind them;
a branded short domain is the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack
from guardrails.patterns import compile_pattern, group_spans
from guardrails.rules.models import LinkRule
from guardrails.view import FieldView

_DOMAIN_HINT = re.compile(r"[a-z0-9]\.[a-z]{2}", re.IGNORECASE)
_LINK = compile_pattern(
    r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b(?:/[^\s]*)?"
)


def _may_hold_link(view: FieldView) -> bool:
    return _DOMAIN_HINT.search(view.masked) is not None  # no "x.yz" anywhere: no link


def _within(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


class Links(CompiledRule[LinkRule]):
    schema = LinkRule
    gate = staticmethod(_may_hold_link)

    def __init__(self, rule: LinkRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        brand = pack.pack.brand
        self.blocked = tuple(d.lower() for d in rule.blocked_domains)
        self.own = tuple(d.lower() for d in (brand.domains if brand else []))
        self.own_only = rule.brand_domains_only and bool(self.own)
        self.active = bool(self.blocked) or self.own_only

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        text = view.masked
        for (start, end), (host_start, host_end) in group_spans(_LINK, view.data, view.to_char, 2):
            if start > 0 and text[start - 1] == "@":
                continue  # the domain of an email address, not a link
            host = text[host_start:host_end].lower()
            if _within(host, self.blocked) or (self.own_only and not _within(host, self.own)):
                yield self.finding(view, start, end, host=host)
