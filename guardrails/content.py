"""The copy under check: a channel plus named fields.

Field paths are what findings point at: `subject`, `body`, `headlines[2]`. The plain-text form
(`parse_labelled_text`) lets a copywriter keep a draft in a file with `Subject:`-style labels and
still get `file:line:col` positions, because every field remembers where it starts in the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    AD = "ad"


# Which fields each channel accepts. List fields hold several assets (Google RSA headlines).
CHANNEL_FIELDS: dict[Channel, dict[str, bool]] = {
    Channel.EMAIL: {"subject": False, "preheader": False, "body": False},
    Channel.SMS: {"body": False},
    Channel.AD: {
        "headlines": True,
        "descriptions": True,
        "path1": False,
        "path2": False,
        "primary_text": False,
        "headline": False,
        "description": False,
    },
}


class Variant(BaseModel):
    """One piece of copy to check. `fields` maps a field name to its text (or texts, for lists)."""

    channel: Channel
    fields: dict[str, str | list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_fields(self) -> Variant:
        allowed = CHANNEL_FIELDS[self.channel]
        for name, value in self.fields.items():
            if name not in allowed:
                raise ValueError(
                    f"field {name!r} is not a {self.channel.value} field "
                    f"(expected one of: {', '.join(allowed)})"
                )
            if allowed[name] != isinstance(value, list):
                kind = "a list of strings" if allowed[name] else "a string"
                raise ValueError(f"field {name!r} must be {kind}")
        for path, _, text in self.iter_fields():
            offset = lone_surrogate(text)
            if offset is not None:
                raise ValueError(
                    f"field {path!r} is not valid Unicode text "
                    f"(a lone surrogate U+{ord(text[offset]):04X} at offset {offset})"
                )
        return self

    def has_text(self) -> bool:
        """Whether any field holds something a reader would see (see `is_blank`)."""
        return any(not is_blank(text) for _, _, text in self.iter_fields())

    def iter_fields(self) -> list[tuple[str, str, str]]:
        """(path, base name, text) for every field, lists expanded to `name[i]`."""
        out: list[tuple[str, str, str]] = []
        for name, value in self.fields.items():
            if isinstance(value, list):
                out.extend((f"{name}[{i}]", name, text) for i, text in enumerate(value))
            else:
                out.append((name, name, value))
        return out


def lone_surrogate(text: str) -> int | None:
    """The offset of the first lone surrogate (U+D800-U+DFFF) in `text`, or None.

    JSON may spell one (`"\\ud800"`) though no UTF-8 text can hold it: copy carrying one could
    be neither checked (RE2 reads UTF-8) nor printed, stored or sent, so it is refused at the
    door with a message, not met later as a UnicodeEncodeError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def is_blank(text: str) -> bool:
    """True when the text shows nothing: only whitespace and invisible format characters
    (zero-width spaces and joiners, a byte-order mark), which an engine would send as empty."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


@dataclass(frozen=True)
class ParsedText:
    """A variant parsed from labelled text, with each field's start offset in that text."""

    variant: Variant
    offsets: dict[str, int]


# Labels a copywriter may put at the start of a line, per channel, and the field each fills.
_LABELS: dict[Channel, dict[str, str]] = {
    Channel.EMAIL: {"subject": "subject", "preheader": "preheader", "body": "body"},
    Channel.SMS: {"body": "body"},
    Channel.AD: {
        "headline": "headlines",
        "description": "descriptions",
        "path1": "path1",
        "path2": "path2",
        "primary text": "primary_text",
        "meta headline": "headline",
        "meta description": "description",
    },
}
_DEFAULT_FIELD = {Channel.EMAIL: "body", Channel.SMS: "body", Channel.AD: "primary_text"}
_LABEL_LINE = re.compile(r"^[ \t]*([A-Za-z][A-Za-z0-9 ]{0,20}?)[ \t]*:[ \t]?", re.MULTILINE)


def parse_labelled_text(text: str, channel: Channel) -> ParsedText:
    """Split `Subject: …` / `Headline: …` labelled text into fields.

    A labelled line fills its field with the rest of that line, except `Body:` / `Primary text:`
    which take everything up to the next label. Unlabelled text (all of it, when there are no
    labels; otherwise what follows the header lines, as in an email file) is the channel's main
    field: the email or SMS body, or a Meta primary text.
    """
    labels = _LABELS[channel]
    main = _DEFAULT_FIELD[channel]
    marks = [
        (m.start(), m.end(), labels[m.group(1).strip().lower()])
        for m in _LABEL_LINE.finditer(text)
        if m.group(1).strip().lower() in labels
    ]
    spans: list[tuple[str, int, int]] = []  # (field, start, end)
    unlabelled = [(0, marks[0][0] if marks else len(text))]
    for i, (_, value_start, field) in enumerate(marks):
        next_start = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        end = next_start
        if field not in ("body", "primary_text"):
            line_end = text.find("\n", value_start)
            end = min(next_start, len(text) if line_end < 0 else line_end)
            unlabelled.append((end, next_start))
        spans.append((field, value_start, end))
    spans.extend((main, start, end) for start, end in unlabelled if text[start:end].strip())
    spans.sort(key=lambda span: span[1])
    fields: dict[str, str | list[str]] = {}
    offsets: dict[str, int] = {}
    list_fields = CHANNEL_FIELDS[channel]
    for field, start, end in spans:
        value = text[start:end]
        stripped_start = start + (len(value) - len(value.lstrip()))
        value = value.strip()
        if list_fields[field]:
            items = fields.setdefault(field, [])
            assert isinstance(items, list)
            offsets[f"{field}[{len(items)}]"] = stripped_start
            items.append(value)
        elif field in fields:
            raise ValueError(
                f"field {field!r} is given twice (line {text.count(chr(10), 0, start) + 1})"
            )
        else:
            fields[field] = value
            offsets[field] = stripped_start
    return ParsedText(Variant(channel=channel, fields=fields), offsets)
