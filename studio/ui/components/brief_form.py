"""The New brief page's form: every field of a brief, for people who do not write YAML. It only
gathers what was typed into the shape a brief file has; the service checks it, with the same
messages as a file, naming the field (`segments[1].name`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from guardrails import RulePackError, Severity
from studio.services import rulebook
from studio.ui.components.highlight import notice_html

# What the form asks for per channel: the brief's channel request, and its label.
CHANNELS = {
    "Emails": {"channel": "email"},
    "SMS messages": {"channel": "sms"},
    "Google search ads": {"channel": "ad", "platform": "google_rsa"},
    "Meta ads": {"channel": "ad", "platform": "meta"},
}


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def segments(text: str) -> list[dict[str, str]]:
    """`name | description | angle` per line (the angle may be left out)."""
    found = []
    for line in lines(text):
        name, _, rest = (part.strip() for part in line.partition("|"))
        description, _, angle = (part.strip() for part in rest.partition("|"))
        found.append({"name": name, "description": description, **({"angle": angle} if angle
                                                                     else {})})  # fmt: skip
    return found


def fields(brand: str) -> dict[str, Any] | None:
    """The form, in a `st.form`; the brief's fields once it is submitted, else None."""
    try:
        claims = {claim.id: claim.text for claim in rulebook.pack_overview(brand).claims}
    except RulePackError as exc:  # the brand's rule files are broken: nothing can be drafted
        st.html(notice_html(f"{brand}'s rule pack does not load: {exc}", Severity.ERROR))
        return None
    with st.form("brief-form"):
        campaign = st.text_input("Campaign", max_chars=200)
        product = st.text_input("Product", max_chars=500)
        key_message = st.text_area("Key message", max_chars=1000, height=80)
        left, right = st.columns(2)
        cta_text = left.text_input("Call to action", max_chars=200)
        cta_url = right.text_input("Its link (https://…)", max_chars=2000)
        people = st.text_area("Segments, one a line: name | who they are | angle (optional)",
                              placeholder="returning-customers | Ordered in the last year | "
                              "Add it to your next order", height=100)  # fmt: skip
        columns = st.columns(len(CHANNELS))
        wanted = {label: column.number_input(label, 0, 10, 0, help="variants to draft per segment")
                  for label, column in zip(CHANNELS, columns, strict=True)}  # fmt: skip
        chosen = st.multiselect("Approved claims the copy may make", list(claims),
                                format_func=lambda cid: f"{cid}: {claims[cid]}")  # fmt: skip
        with st.expander("Offer, wording and dates (optional)"):
            offer = st.text_input("Offer", max_chars=500)
            terms = st.text_input("Its terms", max_chars=1000)
            ends = st.date_input("It ends on", value=None)
            must_say = st.text_area("Lines the copy must include word for word, one a line")
            must_avoid = st.text_input("Words it must avoid (comma-separated)")
            tone = st.text_input("Tone", "clear, warm and factual", max_chars=200)
            left, right = st.columns(2)
            send_from = left.date_input("Send from", value=None)
            send_until = right.date_input("Send until", value=None)
            learn = st.text_input("Learn from what performed: 'brand' or a campaign name")
        if not st.form_submit_button("Draft the variants", type="primary"):
            return None
    brief: dict[str, Any] = {
        "brand": brand, "campaign": campaign, "product": product, "key_message": key_message,
        "cta": {"text": cta_text, **({"url": cta_url.strip()} if cta_url.strip() else {})},
        "segments": segments(people), "tone": tone, "claims": chosen,
        "channels": [{**CHANNELS[label], "count": n} for label, n in wanted.items() if n],
        "must_say": lines(must_say),
        "must_avoid": [word.strip() for word in must_avoid.split(",") if word.strip()],
    }  # fmt: skip
    if offer or terms or ends:
        brief["offer"] = {"text": offer, "terms": terms, **({"ends": ends} if ends else {})}
    if send_from or send_until:
        brief["send_window"] = {"start": send_from, "end": send_until}
    if learn.strip():
        brief["learn_from"] = learn.strip()
    return brief
