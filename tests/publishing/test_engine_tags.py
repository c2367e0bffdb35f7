"""Engine-owned tags (unsubscribe, preference centre, postal address, web version) become the
engine's own tag, never a contact field that renders blank; a tag the engine lacks is refused,
naming it. Every dialect is fed every such tag."""

from __future__ import annotations

import re

import pytest

from studio.publishing.dialects import DIALECTS, UntranslatableTag, translate
from studio.publishing.engine_tags import ENGINE_TAGS, OWNED, STANDARD_FIELDS, EngineTag, Lacks

ENGINES = [dialect for dialect in DIALECTS if dialect != "jinja"]  # jinja keeps the studio's own
EXPECTED = {  # what each engine's documentation says (sources in engine_tags.py)
    ("braze", "unsubscribe_url"): "{{${set_user_to_unsubscribed_url}}}",
    ("braze", "preferences_url"): "{{${preference_center_url}}}",
    ("klaviyo", "unsubscribe_url"): "{% unsubscribe_link %}",
    ("klaviyo", "postal_address"): "{{ organization.full_address }}",
    ("customerio", "unsubscribe_url"): "{% unsubscribe_url %}",
    ("customerio", "view_in_browser_url"): "{% view_in_browser_url %}",
    ("iterable", "unsubscribe_url"): "{{unsubscribeUrl}}",
    ("hubspot", "unsubscribe_url"): "{{unsubscribe_link_all}}",  # {{unsubscribe_link}}: prefs
    ("hubspot", "preferences_url"): "{{unsubscribe_link}}",
    ("mautic", "unsubscribe_url"): "{unsubscribe_url}",
    ("mautic", "view_in_browser_url"): "{webview_url}",
}


@pytest.mark.parametrize("dialect", ENGINES)
@pytest.mark.parametrize("variable", OWNED)
def test_every_engine_owned_tag_is_the_engines_own_or_refused_by_name(
    dialect: str, variable: str
) -> None:
    entry = ENGINE_TAGS[dialect][variable]
    text = f"Footer: {{{{ {variable} }}}} end"
    if isinstance(entry, EngineTag):
        translated = translate(text, dialect, {variable: "ignored"})
        assert translated == f"Footer: {entry.text} end"
        assert variable not in entry.text.replace("_url", "").lower() or dialect in (
            "customerio",
            "mautic",
        )  # fmt: skip  (their own tag shares the studio's name)
        for contact in ("custom_attribute", "customer.", "contact.", "contactfield", "lookup"):
            assert contact not in translated, "an engine-owned tag is never a contact field"
    else:
        assert isinstance(entry, Lacks)
        with pytest.raises(UntranslatableTag) as refused:
            translate(text, dialect, {})
        assert f"{dialect} has no tag of its own for {variable}" in refused.value.message
        assert refused.value.tag == f"{{{{ {variable} }}}}" and refused.value.offset == 8


@pytest.mark.parametrize(("dialect", "variable"), sorted(EXPECTED))
def test_the_documented_tags(dialect: str, variable: str) -> None:
    assert translate(f"{{{{ {variable} }}}}", dialect, {}) == EXPECTED[(dialect, variable)]


def test_a_default_on_an_owned_tag_does_not_make_it_a_field() -> None:
    text = '{{ unsubscribe_url | default: "https://example.com/u" }}'
    assert translate(text, "braze", {}) == "{{${set_user_to_unsubscribed_url}}}"


def test_jinja_keeps_the_studios_own_tags() -> None:
    for variable in OWNED:
        assert translate(f"{{{{ {variable} }}}}", "jinja", {}) == f"{{{{ {variable} }}}}"


@pytest.mark.parametrize("dialect", ENGINES)
def test_every_entry_cites_the_engines_documentation(dialect: str) -> None:
    entries = [*ENGINE_TAGS[dialect].values(), STANDARD_FIELDS[dialect]]
    assert set(ENGINE_TAGS[dialect]) == set(OWNED)
    for entry in entries:
        assert re.match(r"https://\S+$", entry.source), entry
        assert len(entry.quote) > 20
