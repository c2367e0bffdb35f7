"""The Check copy page driven through Streamlit's AppTest, signed in, as a user would use it."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from guardrails import Finding
from studio.ui.components.highlight import field_html, findings_html, highlight_html
from tests.conftest import ban_term
from tests.helpers.ui import html_of, on_page, sign_in, started, workspace

# a real Streamlit run per test; `scripts/test.sh -m "not slow"` skips it
pytestmark = pytest.mark.slow
HOSTILE = ("<script>alert(1)</script> <img src=https://evil.example/x.png> **bold** "
           "[go](https://evil.example) ![i](https://evil.example/i.png) $5$ {{ 7*7 }} "
           "{% raw %} # heading")  # fmt: skip


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    workspace(tmp_path, monkeypatch)
    return on_page(sign_in(started(), "wendy"), "check_copy")


def markup(page: str) -> list[tuple[str, list[str]]]:
    """Every tag a browser would make of `page`, with its attribute names."""
    found: list[tuple[str, list[str]]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [name for name, _ in attrs]))

    Tags().feed(page)
    return found


def checked_sms(app: AppTest, text: str, brand: str | None = None) -> AppTest:
    """The page after checking `text` as an SMS (under `brand`'s pack, else the baselines)."""
    if brand is not None:
        app.selectbox[0].select(brand).run()
    app.selectbox[1].select("sms").run()
    app.text_area[0].input(text)
    app.button(key="FormSubmitter:draft-Check").click().run()
    assert not app.exception, app.exception
    return app


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
