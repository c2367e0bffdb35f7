"""The merge_tags kind: a variable the pack does not define, template code in copy, and a tag
delimiter that no well-formed tag holds, each at its span; a template comment is template code
like any other."""

from __future__ import annotations

from guardrails import ResolvedPack, Severity, Variant, check
from guardrails.merge import find_tags, mask, stray_delimiters
from tests.conftest import TODAY


def _findings(baseline: ResolvedPack, body: str, rule: str) -> list[tuple[int, int, str]]:
    report = check(Variant(channel="sms", fields={"body": body}), baseline, TODAY)
    return [(f.start, f.end, f.text) for f in report.findings if f.rule == rule]


def test_unterminated_tag_points_at_its_delimiter(baseline: ResolvedPack) -> None:
    body = "Hi {{ first_name . Reply STOP to opt out."
    report = check(Variant(channel="sms", fields={"body": body}), baseline, TODAY)
    stray = [f for f in report.findings if f.rule == "MERGE-DELIMITER"]
    assert [(f.start, f.end, f.text, f.severity, f.category) for f in stray] == [
        (3, 5, "{{", Severity.ERROR, "channel")
    ]
    assert stray[0].message.startswith("'{{' opens a tag that never closes")


def test_every_unbalanced_delimiter_is_found(baseline: ResolvedPack) -> None:
    # A field whose only brace is a stray one has no tags at all: it must still be read.
    assert _findings(baseline, "Hi first_name }}, new in.", "MERGE-DELIMITER") == [(14, 16, "}}")]
    assert _findings(baseline, "{% if vip %Early access #} for {{ {{ x }}", "MERGE-DELIMITER") == [
        (0, 2, "{%"),
        (24, 26, "#}"),
        (31, 33, "{{"),
    ]
    clean = "Hi {{ first_name | default: 'there' }}, *|FNAME|* {% if a %}{{ b }}{% endif %}"
    assert _findings(baseline, clean, "MERGE-DELIMITER") == []


def test_tail_of_a_smuggled_injection_is_caught(baseline: ResolvedPack) -> None:
    body = "New in store. }}{{ cycler.__init__.__globals__ }}{% endraw %} Reply STOP"
    assert _findings(baseline, body, "MERGE-DELIMITER") == [(14, 16, "}}")]
    code = _findings(baseline, body, "MERGE-CODE")
    assert [text for _, _, text in code] == ["{{ cycler.__init__.__globals__ }}", "{% endraw %}"]


def test_a_template_comment_is_template_code(baseline: ResolvedPack) -> None:
    body = "Hi {# ask legal: 100% guaranteed? #}there. Reply STOP"
    assert _findings(baseline, body, "MERGE-CODE") == [(3, 36, body[3:36])]
    assert _findings(baseline, body, "MERGE-DELIMITER") == []
    assert _findings(baseline, body, "CLAIM-GUARANTEE") == []  # blanked like any tag
    tags = find_tags(body)
    assert stray_delimiters(mask(body, tags)) == [] and tags[0].variable is None


def test_unknown_merge_variable_is_a_finding(baseline: ResolvedPack) -> None:
    body = "Hi {{ nickname }}, {{ first_name | default: 'there' }} in {{ city }}. Reply STOP"
    report = check(Variant(channel="sms", fields={"body": body}), baseline, TODAY)
    unknown = [f for f in report.findings if f.rule == "MERGE-UNKNOWN"]
    assert [(f.start, f.end, f.text) for f in unknown] == [(3, 17, "{{ nickname }}")]
    assert unknown[0].message.startswith(
        "Merge variable 'nickname' is not defined for this brand, so it would print blank"
    )
    assert "(defined: city, first_name, last_name," in unknown[0].message


def test_template_code_is_a_finding_but_plain_variables_pass(baseline: ResolvedPack) -> None:
    body = "Hi {{ 7*7 }} {{ first_name | default('there') }} {% if vip %}VIP{% endif %}"
    assert [text for *_, text in _findings(baseline, body, "MERGE-CODE")] == [
        "{{ 7*7 }}",
        "{% if vip %}",
        "{% endif %}",
    ]
    plain = "Hi {{ first_name | default: 'there' }}, {{ unsubscribe_url }} *|FNAME|*"
    assert _findings(baseline, plain, "MERGE-CODE") == []
