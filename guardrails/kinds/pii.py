"""The pii kind: personal data that must not be in marketing copy.

Phone numbers are found by `phonenumbers` (Google's libphonenumber), card numbers by pattern
plus the Luhn checksum, so an order number is not mistaken for a card. The brand's own
published numbers and addresses (the pack's `brand`) are not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack
from guardrails.patterns import compile_pattern, spans_of
from guardrails.rules.models import PiiRule
from guardrails.view import FieldView

_EMAIL = compile_pattern(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_CARD = compile_pattern(r"\b(?:\d[ -]?){12,18}\d\b")
_SSN = compile_pattern(r"\b(?:00[1-9]|0[1-9]\d|[1-578]\d\d|6[0-57-9]\d|66[0-57-9])-\d\d-\d{4}\b")
# A phone-shaped run: optional +country, digits with spaces, dots, dashes or brackets.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{5,18}\d(?!\w)")
_NUMBER_RUN = re.compile(r"(?:\d[\s().-]{0,2}){6}\d")
_FULL_NUMBER_DIGITS = 10


def _may_hold_pii(view: FieldView) -> bool:
    return "@" in view.masked or _NUMBER_RUN.search(view.masked) is not None


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


class Pii(CompiledRule[PiiRule]):
    schema = PiiRule
    gate = staticmethod(_may_hold_pii)

    def __init__(self, rule: PiiRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        brand = pack.pack.brand
        self.detect = frozenset(rule.detect)
        self.own_phones = frozenset(_digits(p)[-10:] for p in (brand.phones if brand else []))
        self.own_emails = frozenset(e.lower() for e in (brand.emails if brand else []))
        self.own_domains = tuple(d.lower() for d in (brand.domains if brand else []))

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        text = view.masked
        if "email" in self.detect and "@" in text:
            for start, end in spans_of(_EMAIL, view.data, view.to_char):
                if not self._own_email(text[start:end]):
                    yield self.finding(view, start, end, what="an email address")
        if not _NUMBER_RUN.search(text):
            return  # no run of 7+ digits (separators allowed): no phone, card or SSN
        if "card" in self.detect:
            for start, end in spans_of(_CARD, view.data, view.to_char):
                if luhn_valid(_digits(text[start:end])):
                    yield self.finding(view, start, end, what="a payment card number")
        if "ssn" in self.detect:
            for start, end in spans_of(_SSN, view.data, view.to_char):
                yield self.finding(view, start, end, what="a social security number")
        if "phone" in self.detect:
            for start, end in self._phones(text):
                yield self.finding(view, start, end, what="a phone number")

    def _phones(self, text: str) -> list[tuple[int, int]]:
        """Runs of digits that parse as a phone number in one of the pack's regions, the
        brand's own numbers left out. Parsing each candidate is far cheaper than running
        `PhoneNumberMatcher` over the whole text."""
        spans = []
        for run in _PHONE_CANDIDATE.finditer(text):
            if self._is_phone(run.group()) and _digits(run.group())[-10:] not in self.own_phones:
                spans.append(run.span())
        return spans

    def _is_phone(self, candidate: str) -> bool:
        """Valid numbers, and merely possible ones with a full national length: fictional
        ranges (07700 900xxx) are still phone numbers, but a year or an order number is not."""
        for region in self.rule.phone_regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number) or (
                len(_digits(candidate)) >= _FULL_NUMBER_DIGITS
                and phonenumbers.is_possible_number(number)
            ):
                return True
        return False

    def _own_email(self, address: str) -> bool:
        address = address.lower()
        domain = address.rsplit("@", 1)[-1]
        return address in self.own_emails or any(
            domain == d or domain.endswith("." + d) for d in self.own_domains
        )
