"""What every kind shares (`kinds.base.CompiledRule`): where a rule applies, its exceptions, and
how its message and suggestions are worded."""

from __future__ import annotations

from guardrails.kinds.base import render
from tests.helpers.guardrails import draft, report, rule_pack, spans


def test_channels_and_fields_limit_where_a_rule_runs() -> None:
    pack = rule_pack("existence", terms=["sale"], channels=["email"], fields=["subject"])
    email = draft("email", subject="Big sale", preheader="sale", body="sale")
    assert spans(pack, email) == [("subject", 4, 8, "sale")]
    assert spans(pack, draft("sms", body="Big sale")) == []


def test_message_and_suggestions_fill_their_placeholders() -> None:
    pack = rule_pack(
        "existence",
        {"brand": {"name": "Acme"}},
        terms=["cheap"],
        message="'{match}' in the {channel} {field} of {brand}; {nothing} stays",
        suggest=["Say what {brand} means by '{match}'."],
        source="house style",
    )
    (finding,) = report(pack, draft("email", body="So cheap.")).findings
    assert finding.message == "'cheap' in the email body of Acme; {nothing} stays"
    assert finding.suggestions == ["Say what Acme means by 'cheap'."]
    assert (finding.rule, finding.category, finding.severity, finding.source) == (
        "T-1", "banned", "error", "house style"
    )  # fmt: skip
    unbranded = rule_pack("existence", terms=["cheap"], message="{brand}")
    assert [f.message for f in report(unbranded, draft("sms", body="cheap")).findings] == [
        "the brand"
    ]


def test_render_substitutes_names_only() -> None:
    values: dict[str, object] = {"n": 3, "match": "x"}
    assert render("{n} of {match}", values) == "3 of x"
    assert render("{match.__class__} {0} {N}", values) == "{match.__class__} {0} {N}"
