"""Drafts: your copy not yet in review (new drafts, and copy a reviewer sent back), each with
its findings on the words; apply a rule's fix in one click, edit, and submit one variant or its
whole group for review, or have a drafted variant written again with a note to the drafter.
Every change is a new version, checked again by the service."""

from __future__ import annotations

from functools import partial

import streamlit as st

from guardrails import Finding, Severity
from studio.services import queries, regenerate, review
from studio.services.drafts import configured_drafter
from studio.services.schemas import VariantDetail
from studio.ui import session
from studio.ui.components import comments as comment_box
from studio.ui.components.highlight import copy_html, findings_html, label_text, notice_html
from studio.ui.components.labels import findings_count

db, me = session.open_page("Drafts")
mine = queries.list_variants(db, me.name, author=me.name, statuses=("draft", "changes_requested"))
if not mine:
    st.info("You have no drafts: write a brief on the New brief page, and its variants land here.")
    st.stop()
labels = {v.id: f"#{v.id} {v.name} · {v.channel} · {v.status.replace('_', ' ')} · "
          f"{findings_count(v)}" for v in mine}  # fmt: skip
chosen = st.selectbox("Draft", list(labels), format_func=labels.__getitem__)
detail: VariantDetail = queries.variant_detail(db, me.name, chosen)
findings = [Finding(**finding) for finding in detail.report.findings]


if detail.history and detail.history[-1].comment and detail.status == "changes_requested":
    st.html(notice_html(f"The reviewer asked: {detail.history[-1].comment}", Severity.WARNING))
st.html(copy_html(detail.channel, detail.fields, findings))
if findings:
    st.html(findings_html(findings))
else:
    st.html(notice_html("No findings under the brand's current rules: ready for review."))
comment_box.show(detail)
for fixable in (f for f in findings if f.fix is not None):
    label = label_text(f"Apply the fix for {fixable.rule}: “{fixable.text}” → “{fixable.fix}”")
    key = f"fix-{detail.revision}-{fixable.rule}-{fixable.field}-{fixable.start}"
    if st.button(label, key=key):
        fix = partial(
            review.apply_fix,
            db,
            detail.id,
            actor=me.name,
            rule=fixable.rule,
            field=fixable.field,
            start=fixable.start,
            expected_revision=detail.revision,
        )
        session.act(fix, f"#{detail.id}: {fixable.rule} fixed, as version {detail.version + 1}.")

with st.expander("Edit the copy"), st.form(f"edit-{detail.id}-{detail.revision}"):
    edited: dict[str, str | list[str]] = {}
    for name, value in detail.fields.items():
        if isinstance(value, list):
            lines = st.text_area(f"{name} (one a line)", "\n".join(value))
            edited[name] = [line for line in lines.splitlines() if line.strip()]
        else:
            edited[name] = st.text_area(name, value)
    if st.form_submit_button("Save as a new version"):
        session.act(lambda: review.edit(db, detail.id, actor=me.name, fields=edited,
                                        expected_revision=detail.revision),
                    f"#{detail.id}: saved as version {detail.version + 1}.")  # fmt: skip

if detail.brief is not None:
    with st.expander("Draft it again, with a note to the drafter"), st.form(f"again-{detail.id}"):
        note = st.text_area("Note (what to change: shorter, lead with the offer, …)",
                            max_chars=regenerate.MAX_NOTE_CHARS)  # fmt: skip
        if st.form_submit_button("Draft it again"):
            again = partial(regenerate.regenerate, db, detail.id, actor=me.name, note=note)
            with st.spinner(f"Drafting #{detail.id} again with {configured_drafter()}…"):
                session.act(again, f"#{detail.id}: drafted again, as version {detail.version + 1}.")

left, right = st.columns(2)
if left.button("Submit for review", type="primary"):
    session.act(lambda: review.submit(db, detail.id, actor=me.name,
                                      expected_revision=detail.revision),
                f"#{detail.id} is in the review queue.")  # fmt: skip
if detail.group and right.button(label_text(f"Submit every draft of {detail.group}")):
    session.act(
        lambda: review.submit_group(db, detail.group or "", actor=me.name),
        f"Every draft of {detail.group} is in the review queue.",
    )
