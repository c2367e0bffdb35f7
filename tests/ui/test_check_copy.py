"""The Check copy page driven through Streamlit's AppTest, as a user would use it."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from guardrails import Finding
from studio.ui.components.highlight import findings_html, highlight_html
from tests.conftest import REPO, ban_term

# a real Streamlit run per test; `scripts/test.sh -m "not slow"` skips it
pytestmark = pytest.mark.slow


def _app() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    return app


def _checked_sms(text: str, brand: str | None = None) -> AppTest:
    """The page after checking `text` as an SMS (under `brand`'s pack, else the baselines)."""
    app = _app()
    if brand is not None:
        app.selectbox[0].select(brand).run()
    app.selectbox[1].select("sms").run()
    app.text_area[0].input(text)
    app.button[0].click().run()
    return app


def test_sms_findings_are_highlighted_and_listed() -> None:
    app = _checked_sms("Save 20% TODAY only!! <script>alert(1)</script>")
    assert not app.exception
    assert "Blocked" in app.subheader[0].value
    marked = [m.value for m in app.markdown if "<mark" in m.value]
    assert marked and "&lt;script&gt;" in marked[0] and "<script>" not in marked[0]
    listed = next(m.value for m in app.markdown if m.value.startswith("<ul"))
    for rule in ("CLAIM-DISCOUNT", "SMS-OPTOUT", "TONE-PUNCT-REPEAT"):
        assert f"<code>{rule}</code>" in listed
    assert "<script>" not in listed


def test_brand_pack_recognises_approved_claims() -> None:
    app = _checked_sms(
        "Brightleaf: free shipping on orders over $35. Reply STOP to opt out.", "brightleaf"
    )
    assert "Pass" in app.subheader[0].value
    assert any("Approved claim" in s.value for s in app.success)


def test_highlight_escapes_rule_messages_and_copy() -> None:
    finding = Finding(
        rule="X", category="tone", severity="warning", field="body", start=0, end=3,
        text="<b>", message='"><img src=x onerror=alert(1)>',
    )  # fmt: skip
    out = highlight_html("<b> & more", [finding])
    assert "<img" not in out and "&lt;b&gt;" in out and "&amp; more" in out


def test_the_sidebar_says_plainly_what_drafts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDIO_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("STUDIO_LLM_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert "not an LLM" in _app().sidebar.caption[0].value
    monkeypatch.setenv("STUDIO_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("STUDIO_LLM_MODEL", "llama3.1")
    assert _app().sidebar.caption[0].value.endswith("LLM llama3.1 at http://127.0.0.1:11434/v1")


def test_a_rule_file_edited_while_the_page_is_open_applies_to_the_next_check(
    rules_dir: Path,
) -> None:
    """The page judges copy under the pack an approval would use now, not one cached at start."""
    app = _checked_sms("Brightleaf: a calmer morning routine. Reply STOP to opt out.", "brightleaf")
    assert "Pass" in app.subheader[0].value
    first_version = next(c.value for c in app.caption if "Rules version" in c.value)
    ban_term(rules_dir, "brightleaf", "calmer")
    app.button[0].click().run()
    assert "Blocked" in app.subheader[0].value
    assert any("<code>TEST-BANNED</code>" in m.value for m in app.markdown)
    assert next(c.value for c in app.caption if "Rules version" in c.value) != first_version


def test_copy_is_shown_as_written_not_as_markdown() -> None:
    """Streamlit renders Markdown: emphasis, links, maths, headings and colour directives in
    copy must reach the reader as the characters the copywriter typed."""
    copy = "# Sale __class__ **now** https://x.example $5$ :red[hot] [go](https://evil.example)"
    out = highlight_html(copy, [])
    for active in ("# Sale", "__", "**", "https://", "$5$", ":red[", "]("):
        assert active not in out
    assert html.unescape(out) == copy  # and nothing of it is lost


def test_a_finding_with_a_blank_line_cannot_end_the_findings_block() -> None:
    finding = Finding(
        rule="X", category="tone", severity="warning", field="body", start=0, end=8,
        text="a\n\n# b", message="m\n\n**bold**",
    )  # fmt: skip
    assert "\n" not in findings_html([finding])


def test_the_page_shows_template_code_in_copy_literally() -> None:
    app = _checked_sms('Brightleaf {{ "".__class__ }} Reply STOP to opt out', "brightleaf")
    (copy,) = [m.value for m in app.markdown if "<mark" in m.value]
    assert "&#95;&#95;class&#95;&#95;" in copy and "__class__" not in copy
