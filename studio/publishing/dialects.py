"""Merge tags rewritten from the studio's neutral syntax into an automation engine's own.

Approved copy holds `{{ first_name }}` or `{{ first_name | default: "there" }}`; each engine
spells a variable and its fallback differently. A tag is translated only when the result means
exactly the same to that engine; anything else (logic, filters, a fallback the engine's syntax
cannot hold) is refused with the tag, where it is and why, since a tag sent as-is would print
raw or fail the whole send.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from guardrails.merge import MergeTag, find_tags, mask, stray_delimiters
from studio.errors import InvalidInput
from studio.publishing.engine_tags import ENGINE_TAGS, STANDARD_FIELDS, EngineTag, Lacks

DIALECTS = ("braze", "klaviyo", "customerio", "iterable", "hubspot", "mautic", "jinja")

Fields = Mapping[str, str | list[str]]


class UntranslatableTag(InvalidInput):
    """A tag (or stray delimiter) the dialect cannot say faithfully; the copy must change."""

    def __init__(self, tag: str, offset: int, dialect: str, reason: str, field: str | None):
        where = f"{field}: " if field else ""
        super().__init__(
            f'{where}cannot translate "{tag}" at character {offset} to {dialect}: {reason}',
            field=field,
        )
        self.tag = tag
        self.offset = offset
        self.dialect = dialect
        self.reason = reason


class _Refusal(Exception):
    """Why one tag cannot be translated; `translate` adds the tag, offset and dialect."""


# The parts of a tag `find_tags` already judged plain: `{{`, variable, filters, `}}`.
_OUTPUT = re.compile(
    r"\{\{(?P<open>-?)\s*(?P<var>[A-Za-z_][\w.]*)(?P<filters>.*?)(?P<close>-?)\}\}", re.S
)
_FILTER = re.compile(
    r"""\|\s*(?P<name>[A-Za-z_]\w*)\s*"""
    r"""(?::\s*(?P<colon>"[^"]*"|'[^']*'|[\w.]+)|\(\s*(?P<paren>"[^"]*"|'[^']*'|[\w.]+)?\s*\))?"""
)
# Every engine accepts these names; a leading underscore or a non-ASCII letter is not portable.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")


def translate(text: str, dialect: str, fallbacks: Mapping[str, str | None]) -> str:
    """`text` with every merge tag in `dialect`'s syntax, each with its fallback.

    A tag's own `default:` wins over the brand's fallback in `fallbacks`; a variable with
    neither is emitted bare. Text outside tags is copied unchanged."""
    return _translate(text, _emitter(dialect), dialect, fallbacks, None)


def translate_fields(
    fields: Fields, dialect: str, fallbacks: Mapping[str, str | None]
) -> dict[str, str | list[str]]:
    """A variant's fields translated (`translate`), lists element by element; errors name the
    field (`headlines[1]`) so the writer knows which line to change."""
    emit = _emitter(dialect)
    translated: dict[str, str | list[str]] = {}
    for name, value in fields.items():
        texts = [_translate(text, emit, dialect, fallbacks, where)
                 for where, text in _texts(name, value)]  # fmt: skip
        translated[name] = texts[0] if isinstance(value, str) else texts
    return translated


def refusals(
    fields: Fields, dialect: str, fallbacks: Mapping[str, str | None]
) -> list[UntranslatableTag]:
    """Each text's first tag the dialect cannot carry (a field, or one item of a list field),
    where `translate_fields` stops at the first of all."""
    emit = _emitter(dialect)
    found = []
    for name, value in fields.items():
        for where, text in _texts(name, value):
            try:
                _translate(text, emit, dialect, fallbacks, where)
            except UntranslatableTag as refused:
                found.append(refused)
    return found


def _texts(name: str, value: str | list[str]) -> list[tuple[str, str]]:
    """A field's texts, each with where it is: `body`, or `headlines[1]`."""
    if isinstance(value, str):
        return [(name, value)]
    return [(f"{name}[{i}]", item) for i, item in enumerate(value)]


def merge_variables(fields: Fields) -> list[str]:
    """The distinct variables the fields' plain output tags print, sorted: the fallbacks a
    translation may need. Dotted names stay whole (`customer.name`), as `fallbacks` keys them."""
    names = set()
    for value in fields.values():
        for text in [value] if isinstance(value, str) else value:
            for tag in find_tags(text):
                if tag.variable is not None and not tag.code:
                    output = _OUTPUT.fullmatch(text, tag.start, tag.end)
                    names.add(output["var"] if output else tag.variable)
    return sorted(names)


_Emit = Callable[[str, str | None], str]


def _translate(
    text: str, emit: _Emit, dialect: str, fallbacks: Mapping[str, str | None], field: str | None
) -> str:
    tags = find_tags(text)
    stray = stray_delimiters(mask(text, tags))
    if stray:
        start, end = stray[0]
        reason = "it opens or closes no tag; close or remove it"
        raise UntranslatableTag(text[start:end], start, dialect, reason, field)
    parts = []
    pos = 0
    for tag in tags:
        source = text[tag.start : tag.end]
        try:
            translated = _tag(text, tag, emit, dialect, fallbacks)
        except _Refusal as refusal:
            raise UntranslatableTag(source, tag.start, dialect, str(refusal), field) from None
        parts += [text[pos : tag.start], translated]
        pos = tag.end
    parts.append(text[pos:])
    return "".join(parts)


def _tag(
    text: str, tag: MergeTag, emit: _Emit, dialect: str, fallbacks: Mapping[str, str | None]
) -> str:
    source = text[tag.start : tag.end]
    if source.startswith("{%"):
        raise _Refusal("logic tags are not translated; rewrite it as a plain merge tag")
    if source.startswith("{#"):
        raise _Refusal("comments are not translated; remove it")
    if source.startswith("*|"):
        raise _Refusal("Mailchimp merge tags are not translated; rewrite it as {{ variable }}")
    if tag.code:
        raise _Refusal(
            "it is template code, not a plain merge tag; rewrite it as {{ variable }} or "
            '{{ variable | default: "fallback" }}'
        )
    # A brace against the tag would fuse with the engine's own braces into a different tag.
    if text[tag.start - 1 : tag.start] == "{" or text[tag.end : tag.end + 1] == "}":
        raise _Refusal("a brace touches it and would merge with it; put a space between them")
    output = _OUTPUT.fullmatch(source)
    assert output is not None  # find_tags judged it plain
    if output["open"] or output["close"]:
        raise _Refusal("whitespace control ({{- or -}}) is not translated; remove the dash")
    variable = output["var"]
    if not _NAME.fullmatch(variable):
        raise _Refusal(
            f"the variable {variable} is not a name every engine reads: use ASCII letters, "
            "digits and underscores, starting with a letter"
        )
    if "." in variable and dialect != "jinja":
        raise _Refusal("dotted variables are only translated to jinja; use a plain variable name")
    filters = list(_FILTER.finditer(output["filters"]))
    for f in filters:
        if f["name"] != "default":
            raise _Refusal(f'the filter "{f["name"]}" is not translated; only default is')
    if len(filters) > 1:
        raise _Refusal("it has more than one default; keep one")
    owned = ENGINE_TAGS.get(dialect, {}).get(variable)
    if owned is not None:
        return _owned(variable, owned, dialect)  # the engine fills it in: no fallback applies
    if filters:
        literal = filters[0]["colon"] or filters[0]["paren"]
        if not literal or literal[0] not in "\"'":
            raise _Refusal('its default must be a quoted text, as in default: "there"')
        fallback: str | None = literal[1:-1]
        whose = "its default"
    else:
        fallback = fallbacks.get(variable)
        whose = f"the brand's fallback for {variable}"
    try:
        return emit(variable, fallback)
    except _Refusal as refusal:
        raise _Refusal(f"{whose} {refusal}; change it") from None


def _owned(variable: str, tag: EngineTag | Lacks, dialect: str) -> str:
    """An engine-owned tag (unsubscribe, preferences, postal address, web version): the
    engine's own, which it fills in at send time, never a contact field (that would print
    blank); one the engine lacks is refused, since a missing unsubscribe link or address
    breaks CAN-SPAM."""
    if isinstance(tag, EngineTag):
        return tag.text
    raise _Refusal(f"{dialect} has no tag of its own for {variable}: {tag.reason}")


def _standard(dialect: str, variable: str) -> str | None:
    return STANDARD_FIELDS[dialect].names.get(variable)


def _emitter(dialect: str) -> _Emit:
    if dialect not in _EMITTERS:
        raise InvalidInput(
            f'unknown dialect "{dialect}"; use one of {", ".join(DIALECTS)}', field="dialect"
        )
    return _EMITTERS[dialect]


def _checked(fallback: str, dialect: str, forbidden: tuple[str, ...] = ()) -> str:
    """The fallback, refused if it holds what the dialect's tag cannot: a brace (it would end or
    open a tag), a control character such as a line break (engines read tags line by line), or
    one of `forbidden`."""
    for part in ("{", "}", *forbidden):
        if part in fallback:
            raise _Refusal(f"holds {part!r}, which {dialect} cannot hold in a fallback")
    for char in fallback:
        if char < " " or char == "\x7f":
            raise _Refusal(f"holds {char!r}, which {dialect} cannot hold in a fallback")
    return fallback


def _quoted(fallback: str, dialect: str, quotes: str, forbidden: tuple[str, ...] = ()) -> str:
    """The fallback as a string literal in the first of `quotes` it does not hold (no dialect
    here has escapes every engine version agrees on)."""
    _checked(fallback, dialect, forbidden)
    for quote in quotes:
        if quote not in fallback:
            return f"{quote}{fallback}{quote}"
    held = " and ".join(quotes)
    raise _Refusal(f"holds {held}, which {dialect} cannot quote")


# Quote orders: the preferred quote first, the other when the fallback holds the first.
_SINGLE_FIRST = "'\""
_DOUBLE_FIRST = "\"'"
# Engines whose string literals read a backslash as an escape (Django, Handlebars, HubL, Jinja).
_ESCAPING = ("\\",)


def _braze(variable: str, fallback: str | None) -> str:
    name = _standard("braze", variable)
    ref = f"${{{name}}}" if name else f"custom_attribute.${{{variable}}}"
    if fallback is None:
        return f"{{{{{ref}}}}}"
    return f"{{{{{ref} | default: {_quoted(fallback, 'braze', _SINGLE_FIRST)}}}}}"


def _klaviyo(variable: str, fallback: str | None) -> str:
    # A custom property is looked up on the profile by name (`_NAME` holds no quote).
    ref = _standard("klaviyo", variable) or f"person|lookup:'{variable}'"
    if fallback is None:
        return f"{{{{ {ref} }}}}"
    literal = _quoted(fallback, "klaviyo", _SINGLE_FIRST, _ESCAPING)
    return f"{{{{ {ref}|default:{literal} }}}}"


def _customerio(variable: str, fallback: str | None) -> str:
    if fallback is None:
        return f"{{{{ customer.{variable} }}}}"
    literal = _quoted(fallback, "customerio", _DOUBLE_FIRST)
    return f"{{{{ customer.{variable} | default: {literal} }}}}"


def _iterable(variable: str, fallback: str | None) -> str:
    first, *rest = variable.split("_")
    camel = first[0].lower() + first[1:] + "".join(part[:1].upper() + part[1:] for part in rest)
    name = _standard("iterable", variable) or camel
    if fallback is None:
        return f"{{{{{name}}}}}"
    literal = _quoted(fallback, "iterable", '"', _ESCAPING)
    return f"{{{{defaultIfEmpty {name} {literal}}}}}"


def _hubspot(variable: str, fallback: str | None) -> str:
    name = _standard("hubspot", variable) or variable.lower()
    if fallback is None:
        return f"{{{{ contact.{name} }}}}"
    literal = _quoted(fallback, "hubspot", '"', _ESCAPING)
    return f"{{{{ contact.{name}|default({literal}) }}}}"


def _mautic(variable: str, fallback: str | None) -> str:
    alias = _standard("mautic", variable) or variable.lower().replace("_", "")
    if fallback is None:
        return f"{{contactfield={alias}}}"
    # Mautic also reads a URL-encoded brace (%7B, %7D) as a token's edge.
    return f"{{contactfield={alias}|{_checked(fallback, 'mautic', ('|', '%7B', '%7D'))}}}"


def _jinja(variable: str, fallback: str | None) -> str:
    if fallback is None:
        return f"{{{{ {variable} }}}}"
    literal = _quoted(fallback, "jinja", _DOUBLE_FIRST, _ESCAPING)
    return f"{{{{ {variable} | default({literal}, true) }}}}"


_EMITTERS: dict[str, _Emit] = {
    "braze": _braze,
    "klaviyo": _klaviyo,
    "customerio": _customerio,
    "iterable": _iterable,
    "hubspot": _hubspot,
    "mautic": _mautic,
    "jinja": _jinja,
}
