"""Review queue: copy waiting for a decision, riskiest first; one screen per variant with its
copy and findings on the words, the diff from its last version and from its last approved
version, and the decisions (approve, with an override and justification for every blocking
finding; reject; request changes). The service checks the role, four eyes and that the
reviewer saw the current copy and report; this page only asks and shows."""

from __future__ import annotations

import streamlit as st
import yaml

from guardrails import Finding, Severity
from studio.errors import StudioError
from studio.services import approval, queries, review, users
from studio.services.schemas import VariantDetail
from studio.ui import session
from studio.ui.components import comments as comment_box
from studio.ui.components import filters
from studio.ui.components.highlight import copy_html, findings_html, label_text, notice_html
from studio.ui.components.labels import findings_count

FOCUS_LABELS = {"all": "everything", "claims": "claims", "brand": "brand voice"}

db, me = session.open_page("Review queue")
top = st.columns(3)
brand, channel = filters.brand(top[0]), filters.channel(top[1])
waited = filters.waited(top[2])
middle = st.columns(3)
category, severity = filters.category(middle[0]), filters.severity(middle[1])
focus = users.profile(db, actor=me.name).focus
routed = "Copy someone else wrote that your review focus routes to you"
mine = middle[2].toggle(f"Assigned to me (focus: {FOCUS_LABELS[focus]})", help=routed)
with st.expander("Your review focus"):
    chosen_focus = st.radio("Route to me", users.FOCUSES, format_func=FOCUS_LABELS.__getitem__,
                            index=users.FOCUSES.index(focus), horizontal=True)  # fmt: skip
    if chosen_focus != focus and st.button("Save my focus"):
        session.act(lambda: users.set_focus(db, actor=me.name, name=me.name, focus=chosen_focus),
                    f"Your focus is now {FOCUS_LABELS[chosen_focus]}.")  # fmt: skip
page = queries.review_queue(db, me.name, brand=brand, channel=channel, category=category,
                            severity=severity, waited=waited, assigned_to_me=mine)  # fmt: skip
if not page.items:
    st.info("Nothing is waiting for review that matches these filters. Copywriters submit "
            "drafts from the Drafts page (or `studio variants submit`).")  # fmt: skip
    st.stop()
clean = {item.id: item.revision for item in page.items if not item.errors and not item.warnings}
if clean and st.button(f"Approve the {len(clean)} variant(s) listed here with no findings"):

    def said(result: approval.BulkApproval) -> None:
        left = "; ".join(f"#{vid}: {why}" for vid, why in result.left.items())
        session.report(f"Approved {len(result.approved)} variant(s)."
                       + (f" Left in the queue: {left}" if left else ""))  # fmt: skip

    session.act(lambda: approval.approve_clean(db, clean, actor=me.name), said)
labels = {item.id: f"#{item.id} {item.name} · {item.brand} {item.channel} · risk {item.risk} · "
          f"{findings_count(item)} · by {item.author}"
          for item in page.items}  # fmt: skip
chosen = st.selectbox("Variant (riskiest first)", list(labels), format_func=labels.__getitem__)
detail: VariantDetail = queries.variant_detail(db, me.name, chosen)
findings = [Finding(**finding) for finding in detail.report.findings]
errors = [f for f in findings if f.severity is Severity.ERROR]

if detail.brief is not None:
    with st.expander(label_text(f"The brief: {detail.brief.title} (by {detail.brief.by})")):
        st.code(yaml.safe_dump(detail.brief.spec, sort_keys=False, allow_unicode=True),
                language="yaml")  # fmt: skip
st.subheader(f"Version {detail.version} · checked under {detail.report.rules_version[:19]}")
st.html(copy_html(detail.channel, detail.fields, findings))
if findings:
    st.html(findings_html(findings))
with st.expander("Changes from the previous version", expanded=detail.diff is not None):
    if detail.diff:
        st.code(detail.diff, language="diff")
    else:
        st.text("This is the first version.")
if detail.approved_version and detail.approved_version != detail.version:
    with st.expander(f"Changes since the approved version {detail.approved_version}"):
        st.code(
            queries.diff(db, me.name, detail.id, detail.approved_version, None), language="diff"
        )

comment_box.show(detail)
comment_box.form(db, me.name, detail)

decision = st.radio("Decision", ["Approve", "Request changes", "Reject"], horizontal=True)
with st.form(f"decide-{detail.id}-{detail.revision}"):
    justifications: dict[str, str] = {}
    acknowledged = False
    comment = ""
    if decision == "Approve":
        for rule in sorted({f.rule for f in errors}):
            justifications[rule] = st.text_area(
                f"Override {rule}: why this copy may go out anyway (at least 15 characters)",
                key=f"why-{detail.id}-{rule}",
            )
        if detail.warnings:
            acknowledged = st.checkbox(f"I have read the {detail.warnings} warning(s)")
    else:
        comment = st.text_area("What should change, and why (the copywriter reads this)")
    decided = st.form_submit_button(decision, type="primary")
if decided:
    try:
        if decision == "Approve":
            approval.approve(db, detail.id, actor=me.name, overrides=justifications or None,
                             acknowledge_all=acknowledged, seen_report_id=detail.report.id,
                             expected_revision=detail.revision)  # fmt: skip
        elif decision == "Reject":
            review.reject(db, detail.id, actor=me.name, comment=comment,
                          expected_revision=detail.revision)  # fmt: skip
        else:
            review.request_changes(db, detail.id, actor=me.name, comment=comment,
                                   expected_revision=detail.revision)  # fmt: skip
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
    else:
        session.report(f"#{detail.id}: {decision.lower()} recorded.")
