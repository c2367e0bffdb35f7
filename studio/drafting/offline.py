"""The offline drafter: copy composed from the brief by templates. No model, no network.

It is what the studio drafts with when no LLM endpoint is configured, so it must be plain about
what it is (its provenance says it is not an LLM), deterministic (the same task gives the same
copy, so reviews and tests can rely on it) and fast. It only says what the brief says: the
product, the key message, the segment's angle, the offer with its real end date, registry
claims in their approved wording (with their qualifiers), the CTA and the `must_say` lines, and
it leaves out any sentence that uses a `must_avoid` word. Lengths are met by choosing shorter
phrasings or leaving optional parts out, never by cutting words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guardrails import UNKNOWN_FILL, FieldLimit, Finding, Severity
from guardrails.content import Channel
from guardrails.merge import fill, find_tags
from guardrails.rules.models import RequiredRule
from guardrails.sms import GSM7, TRANSLITERATIONS, segments
from studio.canonical import sha256_tag
from studio.drafting.outputs import EmailCopy, GoogleRsaCopy, MetaAdCopy, SmsCopy, output_model
from studio.drafting.provider import Draft, DraftTask, angles_for, learned_from

__all__ = ["OfflineDrafter", "compose"]

MODEL = "offline-drafter"
NOTE = "not an LLM: composed from the brief by templates"
STOP = "Reply STOP to opt out"
GREETING = 'Hi {{ first_name | default: "there" }},'
_UNBOUNDED = 10**6  # a field no length rule of the pack constrains
_STOP_WORDING = re.compile(r'\b(?:reply|text|txt)\s+"?stop\b', re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]['\")]*(?=\s)")
_PATH_STOPWORDS = {"a", "an", "and", "for", "in", "of", "on", "our", "the", "to", "with", "your"}

# Five hooks an angle, picked by the variant's index: 5 is coprime with 2, 3 and 4 (how many
# angles a brief can have), so variants that share an angle in a group of up to ten never share
# a hook, and any two of fewer than five apart never do either.
_HOOKS = {
    "benefit": (
        "Meet {p}.",
        "Say hello to {p}.",
        "This is {p}.",
        "Here is {p}.",
        "Take a look at {p}.",
    ),
    "question": (
        "Ready for {p}?",
        "Have you tried {p}?",
        "Curious about {p}?",
        "Is {p} right for you?",
        "Have you met {p} yet?",
    ),
    "offer": (
        "{O}{end}.",
        "Our offer: {o}{end}.",
        "Good news: {o}{end}.",
        "Now on: {o}{end}.",
        "Just for you: {o}{end}.",
    ),
    "proof": (
        "{p}: {c}.",
        "Why {b}? {C}.",
        "The facts on {p}: {c}.",
        "Good to know: {c}.",
        "A fact about {p}: {c}.",
    ),
}


@dataclass(frozen=True)
class _Claim:
    text: str  # the registry wording
    qualifier: str  # the sentence(s) that must stand next to it, or ""

    def unqualified_in(self, text: str) -> bool:
        """Whether `text` makes this claim without the qualifier it needs."""
        return (
            bool(self.qualifier)
            and self.text.lower() in text.lower()
            and (self.qualifier not in text)
        )

    def sentence(self) -> str:
        return " ".join(filter(None, [_sentence(_cap(self.text)), self.qualifier]))


@dataclass(frozen=True)
class _Limits:
    """The characters each field may hold, as the brand's resolved pack says (its `metric:
    length` rules, overrides included), so a brand that tightens a limit drafts within it."""

    fields: dict[str, FieldLimit]

    def max(self, name: str) -> int:
        limit = self.fields.get(name)
        return limit.max if limit and limit.max is not None else _UNBOUNDED

    def min(self, name: str) -> int:
        limit = self.fields.get(name)
        return limit.min if limit and limit.min is not None else 0


@dataclass(frozen=True)
class _Facts:
    """Everything the templates may say, taken from the task once."""

    brand: str
    product: str
    key: str
    audience: str
    claims: tuple[_Claim, ...]
    offer: str
    terms: str
    ends: tuple[str, str]  # ("ends Sunday 20 December", "ends 20 Dec"), or ("", "")
    cta: str
    url: str
    must_say: tuple[str, ...]  # for email: the brief's lines, then the pack's required texts
    standalone: tuple[str, ...]  # must_say lines that are not a claim's qualifier
    avoid: re.Pattern[str] | None
    angle: str
    index: int
    rank: int  # the variant's place among those of its angle
    worst_case: dict[str, str]
    limits: _Limits

    def allowed(self, text: str) -> bool:
        return self.avoid is None or not self.avoid.search(text)

    def keep(self, texts: Iterable[str]) -> list[str]:
        """The non-empty texts without a must_avoid word, in order."""
        return [t for t in texts if t and self.allowed(t)]

    def short(self, texts: Iterable[str]) -> list[str]:
        """`keep`, for fields too short for a qualifier: a claim that needs one stays out."""
        return [t for t in self.keep(texts) if not any(c.unqualified_in(t) for c in self.claims)]


class OfflineDrafter:
    """The Provider used without an LLM endpoint: templates over the brief, no network."""

    name = "offline"
    is_llm = False
    concurrency = 32  # no network: the limit only bounds memory

    async def draft(self, task: DraftTask) -> Draft:
        return Draft(fields=compose(task), provenance=_provenance(task), usage={})

    async def repair(
        self, task: DraftTask, previous: dict[str, Any], findings: list[Finding]
    ) -> Draft:
        """Drop what carries an error finding and put back what the channel requires; it
        cannot rewrite, so copy it cannot improve comes back unchanged."""
        errors = [f for f in findings if f.severity is Severity.ERROR]
        fields, removed = _remove_flagged(previous, errors)
        fields = _restore(task, fields, errors)
        if fields == previous:
            return Draft(fields=previous, provenance=_provenance(task, previous, errors), usage={})
        fields = output_model(task.channel.key).model_validate(fields).fields()
        provenance = _provenance(task, previous, errors)
        provenance["repair"] = f"removed {removed} flagged part(s); required parts restored"
        return Draft(fields=fields, provenance=provenance, usage={})


def compose(task: DraftTask) -> dict[str, Any]:
    """The variant's fields for its channel (the output model's `fields()`)."""
    facts = _facts(task)
    builders = {"email": _email, "sms": _sms, "ad-google-rsa": _google_rsa, "ad-meta": _meta}
    return builders[task.channel.key](facts).fields()


# --- facts -----------------------------------------------------------------------------------


def _facts(task: DraftTask) -> _Facts:
    brief, pack = task.brief, task.pack.pack
    claims = _usable_claims(task)
    qualifiers = {c.qualifier for c in claims if c.qualifier}
    ends = brief.offer.ends if brief.offer else None
    brand = pack.brand.name if pack.brand else brief.brand
    avoid = _avoid_pattern(brief.must_avoid)
    product = _product_name(brief.product)
    return _Facts(
        brand=brand,
        product=brand if avoid and avoid.search(product) else product,  # hooks name it
        key=_sentence(brief.key_message),
        audience=_sentence(task.segment.angle or task.segment.description),
        claims=claims,
        offer=brief.offer.text.rstrip(".") if brief.offer else "",
        terms=_sentence(brief.offer.terms) if brief.offer else "",
        ends=(f"ends {ends:%A} {ends.day} {ends:%B}", f"ends {ends.day} {ends:%b}")
        if ends
        else ("", ""),
        cta=brief.cta.text.rstrip("."),
        url=brief.cta.url or "",
        must_say=_email_lines(task),
        standalone=tuple(line for line in brief.must_say if line not in qualifiers),
        avoid=avoid,
        angle=_angle(task.angle, bool(brief.offer), bool(claims)),
        index=task.index + (task.retake.number if task.retake else 0),  # a retake: new hook
        rank=task.index // max(1, len(angles_for(brief))),
        worst_case=dict(task.pack.worst_case),
        limits=_Limits(task.pack.length_limits(Channel(task.copy_channel))),
    )


def _angle(angle: str, has_offer: bool, has_claims: bool) -> str:
    """The angle to write: one the brief cannot back (no offer, no claims) becomes benefit."""
    backed = {"offer": has_offer, "proof": has_claims}.get(angle, angle in _HOOKS)
    return angle if backed else "benefit"


def _usable_claims(task: DraftTask) -> tuple[_Claim, ...]:
    """The brief's claims that are valid for this channel from today to the end of the send
    window, in the brief's order; a claim whose qualifier needs a value the brief does not give
    (an as-of date) is left out."""
    window = task.brief.send_window
    until = max(dt.date.today(), window.end if window else dt.date.min)
    registry = {claim.id: claim for claim in task.pack.pack.claims}
    usable = []
    for claim_id in task.brief.claims:
        claim = registry.get(claim_id)
        if claim is None or (claim.expires and claim.expires < until):
            continue
        if claim.channels is not None and task.copy_channel not in claim.channels:
            continue
        qualifier = _qualifier(claim.qualifier, task.brief.must_say)
        if qualifier is not None:
            usable.append(_Claim(claim.text, qualifier))
    return tuple(usable)


def _qualifier(template: str | None, must_say: list[str]) -> str | None:
    """The qualifier as it must be printed: "APY accurate as of <date>" is filled from the
    must_say line that states it; None if no line does."""
    if not template:
        return ""
    if "<" not in template:
        return _sentence(template)
    prefix = template.split("<", 1)[0].strip().lower()
    return next((line for line in must_say if line.lower().startswith(prefix)), None)


def _email_lines(task: DraftTask) -> tuple[str, ...]:
    """The brief's must_say lines, then any text the pack requires word for word in an email
    body (a disclaimer) that the brief did not already quote."""
    lines = list(task.brief.must_say)
    said = " ".join(" ".join(lines).lower().split())
    for rule in task.pack.pack.rules:
        if not isinstance(rule, RequiredRule) or not rule.text:
            continue
        if rule.channels is not None and Channel.EMAIL not in rule.channels:
            continue
        text = " ".join(rule.text.lower().split())
        if (rule.fields is None or "body" in rule.fields) and text not in said:
            lines.append(rule.text)
    return tuple(lines)


def _product_name(product: str) -> str:
    """The product's name: a brief often follows it with a colon and the details."""
    return re.split(r"[:;(,]| - ", product, maxsplit=1)[0].strip().rstrip(".")


def _avoid_pattern(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w.strip()) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# --- text helpers ----------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _uncap(text: str) -> str:
    """Lower-case the first letter for mid-sentence use, unless the text starts with an
    acronym or a name ("APY ...", "Winter Vitamin C ...")."""
    words = text.split()
    if (
        not words
        or words[0][1:] != words[0][1:].lower()
        or words[1:2] != [w.lower() for w in words[1:2]]
    ):
        return text
    return text[:1].lower() + text[1:]


def _title(text: str) -> str:
    """Headline case, leaving acronyms and words after apostrophes alone."""
    return re.sub(r"(?<![\w'])[a-z]", lambda m: m.group().upper(), _bare(text))


def _bare(text: str) -> str:
    """A sentence as a subject or headline: no final full stop."""
    return text.strip().rstrip(".")


def _first_fitting(candidates: Iterable[str], limit: int, floor: int = 0) -> str | None:
    return next((c for c in candidates if floor <= len(c) <= limit), None)


def _unique(texts: Iterable[str]) -> list[str]:
    """Texts without repeats, compared as Google compares assets (case and spacing ignored)."""
    seen: set[str] = set()
    out = []
    for text in texts:
        key = " ".join(text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(text)
    return out


def _rotate(items: list[str], by: int) -> list[str]:
    return items[by % len(items) :] + items[: by % len(items)] if items else items


def _gsm7(text: str) -> str:
    """Plain GSM-7 text: typographic quotes and dashes swapped, anything else outside dropped."""
    text = "".join(TRANSLITERATIONS.get(c, c) for c in text)
    return " ".join("".join(c for c in text if c in GSM7).split())


# --- what each angle says --------------------------------------------------------------------


def _lead(f: _Facts) -> list[str]:
    """The angle's opening sentences; the hook varies with the variant's index."""
    hook = _HOOKS[f.angle][f.index % len(_HOOKS[f.angle])]
    if f.angle in ("benefit", "question"):
        return f.keep([hook.format(p=f.product), f.key]) or f.keep([f.key])
    if f.angle == "offer":
        end = f", {f.ends[f.rank % 2]}" if f.ends[0] else ""
        text = hook.format(O=_cap(f.offer), o=_uncap(f.offer), end=end)
        return f.keep([text]) + f.keep([f.terms])
    claim = f.claims[f.rank % len(f.claims)]
    text = hook.format(p=f.product, b=f.brand, c=claim.text, C=_cap(claim.text))
    return f.keep([" ".join(filter(None, [text, claim.qualifier]))])


def _brand_hook(f: _Facts) -> str:
    """The benefit or question hook naming the brand, for when the product's name is too long
    for an ad asset (so variants still differ there)."""
    hooks = _HOOKS["question" if f.angle == "question" else "benefit"]
    return "" if _discloses(f) else hooks[f.index % len(hooks)].format(p=f.brand)


def _plain_lead(f: _Facts) -> list[str]:
    """The lead without its hook, for short formats that need the room for a disclosure."""
    if f.angle == "proof":
        return f.keep([f.claims[f.rank % len(f.claims)].sentence()])
    if f.angle == "offer":
        end = f", {f.ends[0]}" if f.ends[0] else ""
        return f.keep([_sentence(f"{_cap(f.offer)}{end}"), f.terms])
    return _lead(f)


def _offer_line(f: _Facts) -> str:
    """The offer with its end date and terms, for copy that is not led by the offer."""
    if not f.offer:
        return ""
    end = f", {f.ends[0]}" if f.ends[0] else ""
    return " ".join(filter(None, [_sentence(f"{f.offer}{end}"), f.terms]))


def _support(f: _Facts) -> list[str]:
    """Second-paragraph sentences: what backs the lead up, by angle. Claims the offer line
    already makes are not repeated."""
    extra = [c for c in f.claims if not f.offer or c.text.lower() not in f.offer.lower()]
    if f.angle == "offer":
        return f.keep([f.key, f.audience])
    if f.angle == "proof":
        lead_claim = f.claims[f.rank % len(f.claims)]
        return f.keep([f.key, *[c.sentence() for c in extra if c is not lead_claim][:2]])
    return f.keep([f.audience, extra[f.rank % len(extra)].sentence() if extra else ""])


def _cta_line(f: _Facts) -> str:
    return f"{f.cta}: {f.url}" if f.url else _sentence(f.cta)


# --- channels --------------------------------------------------------------------------------


def _email(f: _Facts) -> EmailCopy:
    lead = _lead(f)
    paragraphs = [" ".join(lead), " ".join(_support(f))]
    if f.angle != "offer" and f.allowed(_offer_line(f)):
        paragraphs.append(_offer_line(f))
    body = [GREETING, *filter(None, paragraphs), _cta_line(f)]
    text_so_far = "\n".join(body)
    body += [line for line in f.must_say if line not in text_so_far]
    body.append(f"{f.brand}, {{{{ postal_address }}}}\nUnsubscribe: {{{{ unsubscribe_url }}}}")
    return EmailCopy(subject=_subject(f, lead), preheader=_preheader(f), body="\n\n".join(body))


def _subject(f: _Facts, lead: list[str]) -> str:
    first = _bare(re.split(r"(?<=[.?!]) ", lead[0])[0]) if lead else ""
    by_angle = {
        "offer": [f"{f.offer}, {f.ends[0]}", f"{f.offer}, {f.ends[1]}", f.offer],
        "proof": _rotate([f"{f.product}: {c.text}" for c in f.claims], f.rank),
    }
    candidates = [_bare(lead[0]) if lead else "", *by_angle.get(f.angle, []), first]
    candidates += [f"Meet {f.product}", f.product]
    fitting = _first_fitting(f.short(c.strip(", ") for c in candidates), f.limits.max("subject"))
    return fitting or f"News from {f.brand}"


def _preheader(f: _Facts) -> str:
    """Inbox preview: what the angle leads with, else the audience line or the key message."""
    by_angle = {
        "offer": [_offer_line(f)],
        "proof": [" ".join(c.sentence() for c in f.claims[:2]), f.claims[0].sentence()]
        if f.claims
        else [],
        "question": [f"{f.key} {f.audience}"],
    }
    candidates = [*by_angle.get(f.angle, []), f.audience, f.key, f"{f.key} {_sentence(f.cta)}"]
    kept = f.short(candidates)
    most, least = f.limits.max("preheader"), f.limits.min("preheader")
    fitting = _first_fitting(kept, most, least)
    return fitting or _first_fitting(kept, most) or _sentence(f.cta)


def _sms(f: _Facts) -> SmsCopy:
    """The hooked lead, or the plain one if that lets more must_say lines in."""
    options = [_sms_body(f, lead) for lead in (_lead(f), _plain_lead(f))]
    return SmsCopy(body=max(options, key=lambda option: option[1])[0])


def _sms_body(f: _Facts, lead: list[str]) -> tuple[str, int]:
    """Brand, lead, STOP wording; optional parts join in priority order while they cost no
    extra segment (a message whose required parts need two keeps to two). Returns the text
    and how many must_say lines it carries."""
    url = re.sub(r"^https://", "", f.url)
    lines = [(f"must_say{i}", line) for i, line in enumerate(f.standalone)]
    cta = [("cta", f"{f.cta}: {url}" if url else "")]
    first = [*lines, *cta] if _discloses(f) else [*cta, *lines]
    optional = [*first, ("key", " ".join(lead[1:])), ("audience", f.audience)]
    parts = dict(optional)
    order = ["key", "audience", "cta", *(name for name, _ in lines)]
    required = lead[0] if lead else f.key

    def message(chosen: set[str]) -> str:
        middle = [parts[name] for name in order if name in chosen]
        return _gsm7(" ".join([f"{f.brand}: {required}", *middle, STOP]))

    budget = max(1, _segments(message(set()), f.worst_case))
    chosen: set[str] = set()
    lines_stopped = False  # a later must_say line may lean on an earlier one: keep the order
    for name, text in optional:
        is_line = name.startswith("must_say")
        if is_line and lines_stopped:
            continue
        if text and f.allowed(text) and _segments(message(chosen | {name}), f.worst_case) <= budget:
            chosen.add(name)
        else:
            lines_stopped = lines_stopped or is_line
    return message(chosen), sum(name.startswith("must_say") for name in chosen)


def _discloses(f: _Facts) -> bool:
    """Whether the lead makes a claim or an offer: disclosures then come before the link."""
    return f.angle in ("proof", "offer")


def _segments(text: str, worst_case: dict[str, str]) -> int:
    """Segments as carriers count them, with merge tags at their longest values."""
    tags = find_tags(text)
    return segments(fill(text, tags, worst_case, UNKNOWN_FILL) if tags else text)


def _google_rsa(f: _Facts) -> GoogleRsaCopy:
    headline_max, description_max = f.limits.max("headlines"), f.limits.max("descriptions")
    lead = _lead(f)
    hook = lead[0] if lead else ""
    claims = [_title(c.text) for c in f.claims]
    ends = _first_fitting([_cap(f.ends[0]), _cap(f.ends[1])], headline_max) or ""
    offer = [_title(f.offer), ends] if f.offer else []
    first = {
        "offer": offer,
        "proof": _rotate(claims, f.rank),
    }.get(f.angle, [_fit_or(_title(hook), _title(_brand_hook(f)), headline_max), _title(f.product)])
    general = [_title(f.product), _title(f.key), _title(f.cta), *claims, *offer]
    general += [_title(f.audience), f.brand]
    headlines = _assets(f.short([*first, *_rotate(general, f.rank)]), headline_max, 15)
    if len(headlines) < 3:  # Google needs three
        headlines = _assets([*headlines, f"Shop {f.brand}", f"{f.brand} Online"], headline_max, 3)
    offer_line = _sentence(f"{f.offer}, {f.ends[0]}" if f.ends[0] else f.offer) if f.offer else ""
    descriptions = [" ".join(lead), _fit_or(hook, _brand_hook(f), description_max), f.key]
    descriptions += [_offer_line(f), offer_line, f.terms]
    descriptions += _fitting_prefix(f.standalone, description_max)
    descriptions += [c.sentence() for c in f.claims]
    descriptions += [f.audience, _sentence(f"{f.cta} at {f.brand}")]
    path1 = _path(f.product, f.limits.max("path1")) or _path(f.brand, f.limits.max("path1"))
    path2 = _path(f.cta, f.limits.max("path2"))
    return GoogleRsaCopy(
        headlines=[h.replace("!", "") for h in headlines],
        descriptions=_assets(f.short(descriptions), description_max, 4),
        path1=path1,
        path2=path2 if path2 and path2 != path1 else "shop",
    )


def _fit_or(text: str, shorter: str, limit: int) -> str:
    return text if len(text) <= limit else shorter


def _assets(candidates: Iterable[str], limit: int, most: int) -> list[str]:
    """Assets that fit, without repeats or one inside another, in order."""
    out: list[str] = []
    for text in _unique(c for c in candidates if len(c) <= limit):
        if not any(text.lower() in kept.lower() for kept in out):
            out.append(text)
    return out[:most]


def _fitting_prefix(lines: Iterable[str], limit: int) -> list[str]:
    """The lines up to the first one that does not fit: a later line may lean on an earlier."""
    out = []
    for line in lines:
        if len(line) > limit:
            break
        out.append(line)
    return out


def _path(text: str, limit: int) -> str:
    """A display path: lowercase words joined by hyphens, as many as fit, none cut."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _PATH_STOPWORDS]
    path = ""
    for word in words:
        joined = f"{path}-{word}" if path else word
        if len(joined) > limit:
            break
        path = joined
    return path


def _meta(f: _Facts) -> MetaAdCopy:
    options = [_meta_primary(f, lead) for lead in (_lead(f), _plain_lead(f))]
    primary = max(options, key=lambda option: option[1])[0]
    lead = _lead(f)
    first = _bare(re.split(r"(?<=[.?!]) ", lead[0])[0]) if lead else ""
    by_angle = {
        "offer": [f.offer],
        "proof": _rotate([f"{f.product}: {c.text}" for c in f.claims], f.rank),
    }.get(f.angle, [])
    headline = _first_fitting(
        f.short([*by_angle, first, f.product, f"Meet {f.product}"]), f.limits.max("headline")
    )
    ends = [_cap(f.ends[0]), _cap(f.ends[1])] if f.angle == "offer" else []
    description = _first_fitting(
        f.short([*ends, f.cta, f"Shop {f.brand}"]), f.limits.max("description")
    )
    return MetaAdCopy(
        primary_text=primary, headline=headline or f.brand, description=description or f.brand
    )


def _meta_primary(f: _Facts, sentences: list[str]) -> tuple[str, int]:
    """Primary text: the lead, then what fits of the audience line and the must_say lines
    (these first when the lead makes a claim or an offer); and how many lines it carries."""
    primary_max = f.limits.max("primary_text")
    lead = " ".join(sentences)
    primary = lead if len(lead) <= primary_max or not sentences else sentences[0]
    lines = _fitting_prefix(f.standalone, primary_max)
    extras = [*lines, f.audience] if _discloses(f) else [f.audience, *lines]
    carried, lines_stopped = 0, False  # a later line may lean on an earlier one
    for extra in extras:
        is_line = extra in lines
        if is_line and lines_stopped:
            continue
        if f.allowed(extra) and len(f"{primary} {extra}") <= primary_max:
            primary = f"{primary} {extra}"
            carried += is_line
        else:
            lines_stopped = lines_stopped or is_line
    return primary, carried


# --- repair ----------------------------------------------------------------------------------


def _remove_flagged(fields: dict[str, Any], errors: list[Finding]) -> tuple[dict[str, Any], int]:
    """Fields without the sentences (text fields) or assets (list fields) that errors point
    at, and how many parts went."""
    out: dict[str, Any] = {}
    removed = 0
    for name, value in fields.items():
        if isinstance(value, list):
            kept = [a for i, a in enumerate(value) if not _flagged(f"{name}[{i}]", a, errors)]
            removed += len(value) - len(kept)
            out[name] = kept
        elif isinstance(value, str):
            out[name], count = _drop_sentences(value, [f for f in errors if f.field == name])
            removed += count
        else:
            out[name] = value
    return out, removed


def _flagged(path: str, text: str, errors: list[Finding]) -> bool:
    """An asset an error points at, or one that repeats an error's words."""
    base = path.split("[", 1)[0]
    return any(
        f.field == path or (f.field.startswith(f"{base}[") and f.text and f.text in text)
        for f in errors
    )


def _spans(text: str, errors: list[Finding]) -> list[tuple[int, int]]:
    """Where the errors are in `text`: their offsets when they still match, else every place
    their text occurs. A finding about the whole field (a length) is no sentence's fault."""
    spans = []
    for f in errors:
        if f.start == 0 and f.end == len(text) and re.search(r"[.!?]\s", text.strip()):
            continue
        if 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.text:
            spans.append((f.start, f.end))
        elif f.text:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(f.text), text)]
    return spans


def _drop_sentences(text: str, errors: list[Finding]) -> tuple[str, int]:
    spans = _spans(text, errors)
    if not spans:
        return text, 0
    lines, removed, offset = [], 0, 0
    for line in text.split("\n"):
        kept, start = [], 0
        cuts = [m.end() for m in _SENTENCE_END.finditer(line)] + [len(line)]
        for cut in cuts:
            a, b = offset + start, offset + cut
            sentence = line[start:cut].strip()
            if sentence and any(s < b and e > a for s, e in spans):
                removed += 1
            elif sentence:
                kept.append(sentence)
            start = cut
        offset += len(line) + 1
        lines.append(" ".join(kept) if kept or not line.strip() else None)
    joined = "\n".join(line for line in lines if line is not None)
    return re.sub(r"\n{3,}", "\n\n", joined).strip(), removed


def _restore(task: DraftTask, fields: dict[str, Any], errors: list[Finding]) -> dict[str, Any]:
    """Put back what the channel cannot do without, from a fresh composition where needed."""
    brand = task.pack.pack.brand.name if task.pack.pack.brand else task.brief.brand
    fresh = compose(task)
    bad = [f.text for f in errors if f.text]

    def clean(text: str) -> bool:
        return not any(b in text for b in bad)

    last_resort = {
        "subject": f"News from {brand}",
        "preheader": _sentence(task.brief.key_message),
        "headline": brand,
        "description": brand,
    }
    out = dict(fields)
    for name, value in fresh.items():
        current = out.get(name)
        if isinstance(value, list):
            have = list(current or [])
            least = 3 if name == "headlines" else 2
            extra = [a for a in value if a not in have and clean(a)]
            out[name] = have + extra[: max(0, least - len(have))]
        elif not current:
            out[name] = value if clean(value) else last_resort.get(name, current)
    if task.copy_channel == "sms":
        out["body"] = _restore_sms(out.get("body", ""), brand)
    if task.copy_channel == "email":
        must = [line for line in _email_lines(task) if clean(line)]
        out["body"] = _restore_email(out.get("body", ""), brand, must)
    return out


def _restore_sms(body: str, brand: str) -> str:
    """The sender named first and the opt-out last, as carriers expect."""
    if not body.lower().startswith(brand.lower()):
        body = f"{brand}: {body}"
    if not _STOP_WORDING.search(body):
        body = f"{body.rstrip()} {STOP}"
    return body


def _restore_email(body: str, brand: str, must_say: list[str]) -> str:
    """The body with missing must_say lines put back above the footer, and the footer's
    unsubscribe link and postal address put back if they went."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    footer = next(
        (i for i, p in enumerate(paragraphs) if "postal_address" in p or "unsubscribe_url" in p),
        len(paragraphs),
    )
    paragraphs[footer:footer] = [line for line in must_say if line not in body]
    if "{{ postal_address }}" not in body:
        paragraphs.append(f"{brand}, {{{{ postal_address }}}}")
    if "{{ unsubscribe_url }}" not in body:
        paragraphs.append("Unsubscribe: {{ unsubscribe_url }}")
    return "\n\n".join(paragraphs)


# --- provenance ------------------------------------------------------------------------------


def _provenance(task: DraftTask, *repairing: Any) -> dict[str, Any]:
    """Who wrote it, plainly, and a hash of everything it was written from."""
    inputs = {
        "brief": task.brief.model_dump(mode="json"),
        "segment": task.segment.name,
        "channel": task.channel.key,
        "index": task.index,
        "angle": task.angle,
        "learned_from": learned_from(task),
        "retake": task.retake.number if task.retake else 0,
        "rules_version": task.pack.version,
        "repairing": [
            r if isinstance(r, dict) else [f.model_dump(mode="json") for f in r] for r in repairing
        ],
    }
    provenance = {
        "provider": OfflineDrafter.name,
        "model": MODEL,
        "note": NOTE,
        "angle": task.angle,
        "learned_from": learned_from(task),
        "prompt_hash": sha256_tag(inputs),
    }
    if task.retake:
        provenance["retake"] = ("templates cannot read a note: this retake takes the angle's "
                                "next phrasing")  # fmt: skip
    return provenance
