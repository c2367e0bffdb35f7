"""The Brand rules page driven through Streamlit's AppTest, signed in, as a user would use it:
a brand's rules and approved claims, and the Check copy playground."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from guardrails import Finding
from studio.ui.components.highlight import field_html, findings_html, highlight_html
from tests.conftest import ban_term, write_pack
from tests.helpers.ui import html_of, markup, page_as, shown_text, sign_in, started, workspace

# a real Streamlit run per test; `scripts/test.sh -m "not slow"` skips it
pytestmark = pytest.mark.slow
HOSTILE = ("<script>alert(1)</script> <img src=https://evil.example/x.png> **bold** "
           "[go](https://evil.example) ![i](https://evil.example/i.png) $5$ {{ 7*7 }} "
           "{% raw %} # heading")  # fmt: skip


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    workspace(tmp_path, monkeypatch)
    return page_as("wendy", "brand_rules")


def checked_sms(app: AppTest, text: str, brand: str = "Baselines only") -> AppTest:
    """The page after checking `text` as an SMS under `brand`'s pack."""
    app.selectbox[0].select(brand).run()
    app.selectbox[1].select("sms").run()
    app.text_area[0].input(text)
    app.button(key="FormSubmitter:draft-Check").click().run()
    assert not app.exception, app.exception
    return app


def test_a_brand_is_shown_first_not_the_baselines(app: AppTest) -> None:
    assert app.selectbox[0].value == "brightleaf"


def test_sms_findings_are_highlighted_and_listed(app: AppTest) -> None:
    checked_sms(app, "Save 20% TODAY only!! <script>alert(1)</script>")
    assert "Blocked" in app.subheader[0].value
    shown = html_of(app)
    marked = [h for h in shown if "<mark" in h]
    assert marked and "&lt;script&gt;" in marked[0] and "<script>" not in marked[0]
    listed = next(h for h in shown if h.startswith("<ul"))
    for rule in ("CLAIM-DISCOUNT", "SMS-OPTOUT", "TONE-PUNCT-REPEAT"):
        assert f"<code>{rule}</code>" in listed
    assert "<script>" not in listed


def test_hostile_copy_is_shown_inert(app: AppTest) -> None:
    """No tag, Markdown, maths or template in copy reaches the page as anything but text, and
    nothing on the page would fetch from an outside server."""
    checked_sms(app, HOSTILE)
    shown = html_of(app)
    tags = markup(" ".join(shown))
    assert {tag for tag, _ in tags} <= {"div", "b", "mark", "code", "ul", "li", "span", "br",
                                         "small", "i"}  # fmt: skip
    assert {name for _, attrs in tags for name in attrs} <= {"style", "title", "aria-label",
                                                              "role"}  # fmt: skip
    copy = next(h for h in shown if "<b>body</b>" in h)
    assert "**bold**" in copy and "[go](https://evil.example)" in copy and "{{ 7*7 }}" in copy
    assert not any("evil.example" in m.value for m in app.markdown)  # nothing went via Markdown


def test_brand_pack_recognises_approved_claims(app: AppTest) -> None:
    checked_sms(app, "Brightleaf: free shipping on orders over $35. Reply STOP to opt out.",
                "brightleaf")  # fmt: skip
    assert "Pass" in app.subheader[0].value
    assert any("Approved claim" in h for h in html_of(app))


def test_the_sidebar_says_plainly_what_drafts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace(tmp_path, monkeypatch)
    for name in ("STUDIO_LLM_BASE_URL", "STUDIO_LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert "not an LLM" in sign_in(started(), "wendy").sidebar.caption[0].value
    monkeypatch.setenv("STUDIO_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("STUDIO_LLM_MODEL", "llama3.1")
    caption = sign_in(started(), "wendy").sidebar.caption[0].value
    assert caption.endswith("LLM llama3.1 at http://127.0.0.1:11434/v1")


def test_a_rule_file_edited_while_the_page_is_open_applies_to_the_next_check(
    app: AppTest, rules_dir: Path
) -> None:
    """The page judges copy under the pack an approval would use now, not one cached at start."""
    calm = "Brightleaf: a calmer morning routine. Reply STOP to opt out."
    checked_sms(app, calm, "brightleaf")
    assert "Pass" in app.subheader[0].value
    first_version = next(c.value for c in app.caption if "Rules version" in c.value)
    ban_term(rules_dir, "brightleaf", "calmer")
    app.button(key="FormSubmitter:draft-Check").click().run()
    assert "Blocked" in app.subheader[0].value
    assert any("<code>TEST-BANNED</code>" in h for h in html_of(app))
    assert next(c.value for c in app.caption if "Rules version" in c.value) != first_version


def test_highlight_escapes_rule_messages_and_copy() -> None:
    finding = Finding(
        rule="X", category="tone", severity="warning", field="body", start=0, end=3,
        text="<b>", message='"><img src=x onerror=alert(1)>',
    )  # fmt: skip
    out = highlight_html("<b> & more", [finding])
    assert "<img" not in out and "&lt;b&gt;" in out and "&amp; more" in out


def test_copy_is_shown_as_written() -> None:
    copy = "# Sale __class__ **now** https://x.example $5$ :red[hot] [go](https://evil.example)"
    out = highlight_html(copy, [])
    assert html.unescape(out) == copy  # every character, as typed; st.html reads no Markdown


def _finding(rule: str, severity: str, start: int, end: int) -> Finding:
    return Finding(rule=rule, category="tone", severity=severity, field="body", start=start,
                   end=end, text="", message=f"{rule} says so")  # fmt: skip


def test_where_findings_overlap_the_most_severe_shows() -> None:
    text = "only today huge savings"
    out = highlight_html(text, [_finding("S", "suggestion", 0, 23 - 1),
                                _finding("E", "error", 5, 10)])  # fmt: skip
    assert 'title="error E: E says so"' in out and 'title="suggestion S: S says so"' in out
    assert out.index("✖") < out.index("today") < out.index("huge")  # the error wins its words


def test_a_whole_field_finding_never_hides_the_word_level_ones() -> None:
    text = "Save BIG now"
    findings = [_finding("SEGMENTS", "error", 0, len(text)), _finding("CAPS", "warning", 5, 8),
                _finding("OPTOUT", "error", len(text), len(text))]  # fmt: skip
    out = field_html("body", text, findings)
    words = out.index("Save")
    assert out.index("<code>SEGMENTS</code>") < words and out.index("<code>OPTOUT</code>") < words
    assert 'title="warning CAPS: CAPS says so"' in out


def test_severity_is_in_words_and_icons_not_colour_alone() -> None:
    listed = findings_html([_finding("E", "error", 0, 1), _finding("W", "warning", 0, 1)])
    assert "✖ error" in listed and "⚠ warning" in listed


def test_the_page_shows_template_code_in_copy_literally(app: AppTest) -> None:
    checked_sms(app, 'Brightleaf {{ "".__class__ }} Reply STOP to opt out', "brightleaf")
    copy = next(h for h in html_of(app) if "<b>body</b>" in h)
    assert "{{ &quot;&quot;.__class__ }}" in copy


def brand_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, brand: str) -> AppTest:
    """The page signed in, on `brand` (write its pack before: the picker lists what is there)."""
    workspace(tmp_path, monkeypatch)
    app = page_as("wendy", "brand_rules")
    app.selectbox[0].select(brand).run()
    assert not app.exception, app.exception
    return app


def table(app: AppTest, column: str) -> list[dict[str, object]]:
    """The rows of the page's table that has `column`."""
    frame = next(d.value for d in app.dataframe if column in d.value.columns)
    rows: list[dict[str, object]] = frame.to_dict("records")
    return rows


def claims_pack(rules_dir: Path, claims: list[dict[str, object]]) -> None:
    """A brand `acme` over the baselines with these claims (JSON is YAML)."""
    text = "pack: acme\nextends: [_baseline]\nclaims: " + json.dumps(claims, default=str) + "\n"
    write_pack(rules_dir, "acme", text)


def expiring(ident: str, days: int, **texts: str) -> dict[str, object]:
    """A claim that expires `days` from today (the page counts from the real date)."""
    expires = dt.date.today() + dt.timedelta(days=days)
    claim = {"id": ident, "text": f"{ident} claim", "evidence": "Lab report 12", "owner": "Legal"}
    return {**claim, "expires": expires, **texts}


def test_the_rules_tab_lists_each_rule_with_where_it_is_defined(app: AppTest) -> None:
    assert app.title[0].value == "Brand rules"
    assert [tab.label for tab in app.tabs] == ["Rules", "Approved claims", "Check copy"]
    app.selectbox[0].select("brightleaf").run()
    rules = {row["rule"]: row for row in table(app, "rule")}
    banned = rules["BL-BANNED"]
    assert str(banned["defined at"]).endswith("brightleaf/banned.yaml:3")
    assert banned["severity"] == "✖ error" and banned["channels"] == "all"
    assert str(rules["SMS-OPTOUT"]["defined at"]).endswith("_baseline/us-sms/pack.yaml:7")
    summary = next(h for h in html_of(app) if "approved claims" in h)
    assert f"{len(rules)} rules" in summary and "extends _baseline/core" in summary


def test_claims_expiring_soon_and_expired_are_marked_in_words_and_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules_dir: Path
) -> None:
    claims_pack(rules_dir, [expiring("soon", 10), expiring("lapsed", -3), expiring("later", 200),
                            {"id": "open", "text": "open claim", "evidence": "On file",
                             "owner": "Legal"}])  # fmt: skip
    app = brand_page(tmp_path, monkeypatch, "acme")
    states = {row["claim"]: row["state"] for row in table(app, "claim")}
    assert states == {"soon": "⚠ expiring soon: 10 days left", "lapsed": "✖ expired: 3 days ago",
                      "later": "✔ current: 200 days left", "open": "✔ no expiry"}  # fmt: skip
    notices = [shown_text(h) for h in html_of(app) if 'role="status"' in h]
    assert any(n.startswith(" Expiring soon: claim soon") and "in 10 days" in n for n in notices)
    assert any(n.startswith(" Expired: claim lapsed") and "3 days ago" in n for n in notices)
    assert not any("claim later" in n or "claim open" in n for n in notices)
    summary = next(h for h in html_of(app) if "approved claims" in h)
    assert "4 approved claims (✖ 1 expired) (⚠ 1 expiring soon)" in summary


def test_a_pack_without_claims_says_where_they_are_added(app: AppTest) -> None:
    app.selectbox[0].select("Baselines only").run()
    notice = next(shown_text(h) for h in html_of(app) if "no approved claims" in h)
    assert "claims: list in" in notice and "_baseline/pack.yaml" in notice


def test_hostile_text_in_a_claim_is_shown_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules_dir: Path
) -> None:
    owner = "[Legal](https://evil.example) <b onclick=x>team</b> {{ 7*7 }}"
    claims_pack(rules_dir, [expiring("hostile", 5, evidence=HOSTILE, owner=owner)])
    app = brand_page(tmp_path, monkeypatch, "acme")
    shown = html_of(app)
    tags = markup(" ".join(shown))
    assert {tag for tag, _ in tags} <= {"div", "b", "code"}
    assert {name for _, attrs in tags for name in attrs} <= {"style", "role"}
    notice = next(h for h in shown if "claim hostile" in h)
    assert "&lt;b onclick=x&gt;" in notice and "{{ 7*7 }}" in shown_text(notice)
    row = table(app, "claim")[0]
    assert (row["evidence"], row["owner"]) == (HOSTILE, owner)  # cells are text, as written
    assert not any("evil.example" in m.value for m in app.markdown)  # nothing went via Markdown


def test_a_pack_that_does_not_load_shows_why_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules_dir: Path
) -> None:
    write_pack(rules_dir, "acme", 'pack: acme\nextends: [_baseline]\n"<script>x</script>": 1\n')
    app = brand_page(tmp_path, monkeypatch, "acme")
    notice = next(h for h in html_of(app) if "does not load" in h)
    assert "key '&lt;script&gt;x&lt;/script&gt;': unknown key" in notice.replace("&#x27;", "'")
    assert "<script" not in notice and not app.tabs  # nothing else of the pack is shown
