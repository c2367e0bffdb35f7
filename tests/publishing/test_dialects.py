"""Merge-tag dialects: the exact output per engine, fallbacks and their precedence, text kept
byte for byte, every untranslatable tag refused where it is, and hostile fallbacks that are
quoted safely or refused, never left to break the engine's tag syntax."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.errors import InvalidInput
from studio.publishing.dialects import (
    DIALECTS,
    UntranslatableTag,
    merge_variables,
    translate,
    translate_fields,
)

# first_name with the fallback "there", and with none.
FIRST_NAME = {
    "braze": ("{{${first_name} | default: 'there'}}", "{{${first_name}}}"),
    "klaviyo": ("{{ first_name|default:'there' }}", "{{ first_name }}"),
    "customerio": ('{{ customer.first_name | default: "there" }}', "{{ customer.first_name }}"),
    "iterable": ('{{defaultIfEmpty firstName "there"}}', "{{firstName}}"),
    "hubspot": ('{{ contact.firstname|default("there") }}', "{{ contact.firstname }}"),
    "mautic": ("{contactfield=firstname|there}", "{contactfield=firstname}"),
    "jinja": ('{{ first_name | default("there", true) }}', "{{ first_name }}"),
}
CITY = {
    "braze": "{{${city}}}",
    "klaviyo": "{{ person.City }}",
    "customerio": "{{ customer.city }}",
    "iterable": "{{city}}",
    "hubspot": "{{ contact.city }}",
    "mautic": "{contactfield=city}",
    "jinja": "{{ city }}",
}
OPENER = {dialect: "{{" for dialect in DIALECTS} | {"mautic": "{contactfield="}

# Each dialect's translated tag, read back independently of the module: `lit` is the fallback as
# written (quoted, except in Mautic).
NAME = r"[A-Za-z][A-Za-z0-9_]*"
TAG_RE = {
    "braze": re.compile(
        rf"""\{{\{{(?:custom_attribute\.)?\$\{{{NAME}\}}"""
        r"""(?: \| default: (?P<lit>'[^']*'|"[^"]*"))?\}\}"""
    ),
    "klaviyo": re.compile(
        rf"""\{{\{{ (?:{NAME}|person\.{NAME}|person\|lookup:'{NAME}')"""
        r"""(?:\|default:(?P<lit>'[^'\\]*'|"[^"\\]*"))? \}\}"""
    ),
    "customerio": re.compile(
        rf"""\{{\{{ customer\.{NAME}(?: \| default: (?P<lit>"[^"]*"|'[^']*'))? \}}\}}"""
    ),
    "iterable": re.compile(
        r"""\{\{(?:defaultIfEmpty [a-z][A-Za-z0-9]* (?P<lit>"[^"\\]*")|[a-z][A-Za-z0-9]*)\}\}"""
    ),
    "hubspot": re.compile(r"""\{\{ contact\.[a-z0-9_]+(?:\|default\((?P<lit>"[^"\\]*")\))? \}\}"""),
    "mautic": re.compile(r"\{contactfield=[a-z0-9]+(?:\|(?P<lit>[^|{}\n]*))?\}"),
    "jinja": re.compile(
        rf"""\{{\{{ {NAME}(?:\.{NAME})*"""
        r"""(?: \| default\((?P<lit>"[^"\\]*"|'[^'\\]*'), true\))? \}\}"""
    ),
}


def fallback_written(dialect: str, match: re.Match[str]) -> str | None:
    literal = match["lit"]
    if literal is None or dialect == "mautic":
        return literal
    return literal[1:-1]


every_dialect = pytest.mark.parametrize("dialect", DIALECTS)


@every_dialect
def test_a_tag_with_the_brands_fallback_and_without_one(dialect: str) -> None:
    with_fallback, bare = FIRST_NAME[dialect]
    assert translate("{{ first_name }}", dialect, {"first_name": "there"}) == with_fallback
    assert translate("{{ first_name }}", dialect, {"first_name": None}) == bare
    assert translate("{{ first_name }}", dialect, {}) == bare


@every_dialect
@pytest.mark.parametrize(
    "tag",
    [
        '{{ first_name | default: "there" }}',
        "{{ first_name | default: 'there' }}",
        '{{ first_name | default("there") }}',
        "{{first_name|default:'there'}}",
    ],
)
def test_the_tags_own_default_wins_over_the_brands(dialect: str, tag: str) -> None:
    with_fallback, _ = FIRST_NAME[dialect]
    assert translate(tag, dialect, {"first_name": "friend"}) == with_fallback
    assert translate(tag, dialect, {}) == with_fallback


@pytest.mark.parametrize(
    ("dialect", "variable", "expected"),
    [
        ("braze", "email", "{{${email_address}}}"),
        ("braze", "phone", "{{${phone_number}}}"),
        ("braze", "date_of_birth", "{{${date_of_birth}}}"),
        ("braze", "loyalty_tier", "{{custom_attribute.${loyalty_tier}}}"),
        ("iterable", "loyalty_tier_2", "{{loyaltyTier2}}"),
        ("iterable", "email", "{{email}}"),
        ("hubspot", "last_name", "{{ contact.lastname }}"),
        ("hubspot", "company", "{{ contact.company }}"),
        ("hubspot", "Loyalty_Tier", "{{ contact.loyalty_tier }}"),
        ("mautic", "Loyalty_Tier", "{contactfield=loyaltytier}"),
        ("customerio", "loyalty_tier", "{{ customer.loyalty_tier }}"),
        ("klaviyo", "loyalty_tier", "{{ person|lookup:'loyalty_tier' }}"),
        ("klaviyo", "phone", "{{ person.phone_number }}"),
        ("iterable", "phone", "{{phoneNumber}}"),
        ("jinja", "loyalty_tier", "{{ loyalty_tier }}"),
    ],
)
def test_each_engine_names_the_variable_its_own_way(
    dialect: str, variable: str, expected: str
) -> None:
    assert translate(f"{{{{ {variable} }}}}", dialect, {}) == expected


def test_a_braze_custom_attribute_keeps_its_fallback() -> None:
    text = "{{ loyalty_tier }}"
    expected = "{{custom_attribute.${loyalty_tier} | default: 'there'}}"
    assert translate(text, "braze", {"loyalty_tier": "there"}) == expected


def test_jinja_alone_translates_a_dotted_variable() -> None:
    text = "{{ customer.name }}"
    result = translate(text, "jinja", {"customer.name": "friend"})
    assert result == '{{ customer.name | default("friend", true) }}'


@every_dialect
def test_text_around_tags_is_copied_byte_for_byte(dialect: str) -> None:
    before = "Héllo 👋🏽 שלום\u200b 100% *bold* | $x -\r\n\t"
    after = " — 🇺🇸 e\u0301 \x00 ’s % # } end {"
    result = translate(before + "{{ first_name }}" + after, dialect, {"first_name": "there"})
    assert result == before + FIRST_NAME[dialect][0] + after
    assert translate(before + after, dialect, {}) == before + after


@every_dialect
def test_several_tags_in_one_string(dialect: str) -> None:
    text = "Hi {{ first_name }}, from {{ city }}{{ first_name }}!"
    with_fallback, _ = FIRST_NAME[dialect]
    expected = f"Hi {with_fallback}, from {CITY[dialect]}{with_fallback}!"
    assert translate(text, dialect, {"first_name": "there"}) == expected


@every_dialect
def test_the_offset_of_a_refused_tag_counts_the_tags_before_it_in_the_source(dialect: str) -> None:
    text = "Hi {{ first_name }}, from {{ city }} {{ last_name | upcase }} {% if x %}"
    with pytest.raises(UntranslatableTag) as caught:
        translate(text, dialect, {"first_name": "there"})
    offset = text.index("{{ last_name")
    assert caught.value.offset == offset
    assert caught.value.tag == "{{ last_name | upcase }}"
    assert f'"{{{{ last_name | upcase }}}}" at character {offset} to {dialect}:' in str(
        caught.value
    )


def test_the_message_names_the_tag_its_offset_the_dialect_and_why() -> None:
    with pytest.raises(UntranslatableTag) as caught:
        translate("Hello there {% if vip %}", "braze", {})
    assert str(caught.value) == (
        'cannot translate "{% if vip %}" at character 12 to braze: '
        "logic tags are not translated; rewrite it as a plain merge tag"
    )
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "invalid-input"
    assert caught.value.field is None


UNTRANSLATABLE = [
    ("{% if vip %}", "logic tags are not translated"),
    ("{%- endif -%}", "logic tags are not translated"),
    ("{# internal note #}", "comments are not translated"),
    ("*|FNAME|*", "Mailchimp merge tags are not translated"),
    ("{{ first_name + last_name }}", "template code"),
    ("{{ items[0] }}", "template code"),
    ("{{ __class__ }}", "template code"),
    ("{{ first_name | upcase }}", 'the filter "upcase" is not translated'),
    ('{{ first_name | truncate: 3 | default: "x" }}', 'the filter "truncate"'),
    ('{{ first_name | default: "a" | default: "b" }}', "more than one default"),
    ("{{ first_name | default: nickname }}", "must be a quoted text"),
    ("{{ first_name | default: 0 }}", "must be a quoted text"),
    ("{{ first_name | default() }}", "must be a quoted text"),
    ("{{- first_name }}", "whitespace control"),
    ("{{ first_name -}}", "whitespace control"),
    ("{{ prénom }}", "not a name every engine reads"),
    ("{{ _secret }}", "not a name every engine reads"),
    ("{{ customer. }}", "not a name every engine reads"),
    ("{{", "opens or closes no tag"),
    ("}}", "opens or closes no tag"),
    ("%}", "opens or closes no tag"),
]


@every_dialect
@pytest.mark.parametrize(("tag", "why"), UNTRANSLATABLE)
def test_an_untranslatable_tag_is_refused_where_it_is(dialect: str, tag: str, why: str) -> None:
    text = f"Dear 👋 friend, {tag} and more"
    offset = len("Dear 👋 friend, ")
    with pytest.raises(UntranslatableTag) as caught:
        translate(text, dialect, {"first_name": "there"})
    assert caught.value.message.startswith(
        f'cannot translate "{tag}" at character {offset} to {dialect}: '
    )
    assert why in caught.value.reason
    assert (caught.value.tag, caught.value.offset, caught.value.dialect) == (tag, offset, dialect)


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d != "jinja"])
def test_a_dotted_variable_is_refused_outside_jinja(dialect: str) -> None:
    with pytest.raises(UntranslatableTag, match=r"at character 3 to \w+: dotted variables"):
        translate("Hi {{ customer.name }}", dialect, {"customer.name": "friend"})


@every_dialect
@pytest.mark.parametrize(
    "text", ["{{{ first_name }}}", "x{{{ first_name }} y", "{{ first_name }}}"]
)
def test_a_brace_touching_a_tag_is_refused(dialect: str, text: str) -> None:
    with pytest.raises(UntranslatableTag, match="a brace touches it"):
        translate(text, dialect, {})


def test_a_fields_translation_keeps_the_shape_and_translates_every_string() -> None:
    fields: dict[str, str | list[str]] = {
        "subject": "{{ first_name }}, this is for you",
        "body_text": "Plain text, no tags.",
        "headlines": ["Hi {{ first_name }}", "From {{ city }}", ""],
        "ctas": [],
    }
    assert translate_fields(fields, "hubspot", {"first_name": "there"}) == {
        "subject": '{{ contact.firstname|default("there") }}, this is for you',
        "body_text": "Plain text, no tags.",
        "headlines": ['Hi {{ contact.firstname|default("there") }}', "From {{ contact.city }}", ""],
        "ctas": [],
    }
    assert fields["subject"] == "{{ first_name }}, this is for you"  # the input is untouched


def test_a_fields_error_names_the_field_and_the_list_item() -> None:
    fields: dict[str, str | list[str]] = {
        "subject": "Hello {{ first_name }}",
        "headlines": ["Fine {{ city }}", "Not {% if vip %}fine{% endif %}"],
    }
    with pytest.raises(UntranslatableTag) as caught:
        translate_fields(fields, "klaviyo", {})
    assert caught.value.field == "headlines[1]"
    assert caught.value.message == (
        'headlines[1]: cannot translate "{% if vip %}" at character 4 to klaviyo: '
        "logic tags are not translated; rewrite it as a plain merge tag"
    )
    with pytest.raises(UntranslatableTag, match=r'^subject: cannot translate "\*\|FNAME\|\*"'):
        translate_fields({"subject": "Hi *|FNAME|*"}, "klaviyo", {})


@pytest.mark.parametrize("dialect", ["Braze", "mailchimp", "", "braze "])
def test_an_unknown_dialect_is_refused_with_the_choices(dialect: str) -> None:
    for call in (
        lambda: translate("no tags at all", dialect, {}),
        lambda: translate_fields({"subject": "x"}, dialect, {}),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert not isinstance(caught.value, UntranslatableTag)
        assert caught.value.field == "dialect"
        assert f'unknown dialect "{dialect}"' in caught.value.message
        assert ", ".join(DIALECTS) in caught.value.message


def test_the_dialects_in_order() -> None:
    expected = ("braze", "klaviyo", "customerio", "iterable", "hubspot", "mautic", "jinja")
    assert expected == DIALECTS


HOSTILE = [
    "it's",
    'say "hi"',
    'it\'s "fine"',
    "a|b",
    "{",
    "}",
    "}}",
    "{{ evil }}",
    "{% raw %}",
    "x -}}",
    "%7D",
    "back\\slash",
    "back\\",
    "two\nlines",
    "tab\there",
    "', 'x",
    '"), x("',
    "*|FNAME|*",
]


@every_dialect
@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_fallback_is_quoted_safely_or_refused(dialect: str, hostile: str) -> None:
    text = "Hi {{ first_name }}, shop {{ city }} now"
    try:
        result = translate(text, dialect, {"first_name": hostile})
    except UntranslatableTag as refused:
        assert refused.offset == 3
        assert refused.message.startswith(
            f'cannot translate "{{{{ first_name }}}}" at character 3 to {dialect}: '
            "the brand's fallback for first_name holds "
        )
        return
    matches = list(TAG_RE[dialect].finditer(result))
    assert result.count(OPENER[dialect]) == len(matches) == 2
    assert TAG_RE[dialect].sub("", result) == "Hi , shop  now"
    assert [fallback_written(dialect, m) for m in matches] == [hostile, None]


@pytest.mark.parametrize(
    ("dialect", "fallback", "written"),
    [
        ("braze", "it's", '{{${first_name} | default: "it\'s"}}'),
        ("klaviyo", "it's", '{{ first_name|default:"it\'s" }}'),
        ("customerio", 'say "hi"', "{{ customer.first_name | default: 'say \"hi\"' }}"),
        ("jinja", 'say "hi"', "{{ first_name | default('say \"hi\"', true) }}"),
        ("hubspot", "it's", '{{ contact.firstname|default("it\'s") }}'),
        ("iterable", "it's", '{{defaultIfEmpty firstName "it\'s"}}'),
        ("mautic", 'it\'s "x"', '{contactfield=firstname|it\'s "x"}'),
        ("braze", "back\\slash", "{{${first_name} | default: 'back\\slash'}}"),
    ],
)
def test_a_fallback_takes_the_other_quote_when_it_holds_the_first(
    dialect: str, fallback: str, written: str
) -> None:
    assert translate("{{ first_name }}", dialect, {"first_name": fallback}) == written


@pytest.mark.parametrize(
    ("dialect", "fallback", "named"),
    [
        ("braze", 'it\'s "x"', "holds ' and \", which braze cannot quote"),
        ("klaviyo", 'it\'s "x"', "holds ' and \""),
        ("customerio", 'it\'s "x"', "holds \" and '"),
        ("jinja", 'it\'s "x"', "holds \" and '"),
        ("iterable", 'say "hi"', 'holds ", which iterable cannot quote'),
        ("hubspot", 'say "hi"', 'holds ", which hubspot cannot quote'),
        ("mautic", "a|b", "holds '|', which mautic cannot hold in a fallback"),
        ("mautic", "50%7D", "holds '%7D'"),
        ("jinja", "back\\slash", "holds '\\\\'"),
        ("klaviyo", "}}", "holds '}'"),
        ("customerio", "{{ x", "holds '{'"),
        ("braze", "two\nlines", "holds '\\n'"),
    ],
)
def test_a_refused_fallback_names_the_character(dialect: str, fallback: str, named: str) -> None:
    with pytest.raises(UntranslatableTag) as caught:
        translate("{{ first_name }}", dialect, {"first_name": fallback})
    assert f"the brand's fallback for first_name {named}" in caught.value.message
    assert caught.value.message.endswith("; change it")


def test_the_tags_own_default_is_held_to_the_same_rules() -> None:
    with pytest.raises(UntranslatableTag, match=re.escape("its default holds '|'")):
        translate('Hi {{ first_name | default: "a|b" }}', "mautic", {"first_name": "there"})
    assert translate('{{ x | default: "a|b" }}', "jinja", {}) == '{{ x | default("a|b", true) }}'


def test_merge_variables_lists_the_printed_variables_once_sorted() -> None:
    fields: dict[str, str | list[str]] = {
        "subject": "{{ first_name }} {% if vip %}{{ loyalty_tier | upcase }}{% endif %}",
        "body_text": "{# note #} {{ customer.name | default: 'you' }} {{ first_name }} *|FNAME|*",
        "headlines": ["{{ city }}", "{{ a + b }}", "no tags"],
    }
    expected = ["FNAME", "city", "customer.name", "first_name", "loyalty_tier"]
    assert merge_variables(fields) == expected
    assert merge_variables({"subject": "plain", "headlines": []}) == []


# The property: plain tags with identifier variables and safe fallbacks, in text holding no tag
# syntax, always translate to one engine tag each with the text between them unchanged.
identifiers = st.from_regex(r"[a-z][a-z0-9]{0,5}(?:_[a-z0-9]{1,4}){0,2}", fullmatch=True)
safe_fallbacks = st.text(alphabet="abcXYZ019 !.,?-éß👋", max_size=12)
plain_text = st.text(alphabet=st.characters(exclude_characters="{}"), max_size=20).filter(
    lambda piece: "*|" not in piece
)
DEFAULT_SPELLINGS = ('| default: "{}"', "| default: '{}'", '| default("{}")', "|default:'{}'")


@st.composite
def plain_tags(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """A source tag, its variable, and its own default (None: it has none)."""
    variable = draw(identifiers)
    own = draw(st.none() | safe_fallbacks)
    spelling = draw(st.sampled_from(DEFAULT_SPELLINGS))
    inner = variable if own is None else f"{variable} {spelling.format(own)}"
    space = draw(st.sampled_from(["", " ", "  "]))
    return f"{{{{{space}{inner}{space}}}}}", variable, own


@settings(max_examples=300, deadline=None)
@given(
    dialect=st.sampled_from(DIALECTS),
    first=plain_text,
    rest=st.lists(st.tuples(plain_tags(), plain_text), max_size=5),
    brand=st.dictionaries(identifiers, st.none() | safe_fallbacks, max_size=4),
)
def test_translation_keeps_the_text_and_one_tag_per_tag(
    dialect: str,
    first: str,
    rest: list[tuple[tuple[str, str, str | None], str]],
    brand: dict[str, str | None],
) -> None:
    text = first + "".join(tag + after for (tag, _, _), after in rest)
    result = translate(text, dialect, brand)
    matches = list(TAG_RE[dialect].finditer(result))
    assert len(matches) == len(rest)
    assert TAG_RE[dialect].sub("", result) == first + "".join(after for _, after in rest)
    expected = [own if own is not None else brand.get(var) for (_, var, own), _ in rest]
    assert [fallback_written(dialect, m) for m in matches] == expected
