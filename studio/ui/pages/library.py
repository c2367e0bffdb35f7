"""Library: approved copy, with its validity window and any flag a rule change raised; revoke
it (reviewers and admins), or export it as the publishing API serves it, with merge tags in an
engine's dialect."""

from __future__ import annotations

import json

import streamlit as st

from guardrails import Severity
from studio.errors import StudioError
from studio.services import feed, queries, review
from studio.services.policy import Action
from studio.ui import session
from studio.ui.components import filters
from studio.ui.components.highlight import copy_html, notice_html

db, me = session.open_page("Library")
left, middle, right = st.columns([2, 2, 1])
chosen_brand, chosen_channel = filters.brand(left), filters.channel(middle)
flagged = right.checkbox("Flagged only", help="Approved copy a rule change has flagged")
approved = queries.list_variants(db, me.name, status="approved", brand=chosen_brand,
                                 channel=chosen_channel, flagged=flagged)  # fmt: skip
if not approved:
    st.info("No approved copy matches. Copy appears here once a reviewer approves it in the "
            "Review queue.")  # fmt: skip
    st.stop()
st.dataframe(
    [{"id": v.id, "name": v.name, "brand": v.brand, "channel": v.channel, "version": v.version,
      "valid until": v.valid_until or "open-ended", "flag": v.flagged or "",
      "group": v.group or ""} for v in approved],
    hide_index=True, width="stretch",
)  # fmt: skip

labels = {v.id: f"#{v.id} {v.name}" for v in approved}
shown = st.selectbox("Read one", list(labels), format_func=labels.__getitem__)
detail = queries.variant_detail(db, me.name, shown)
st.html(copy_html(detail.channel, detail.fields, []))
if detail.approval is not None:
    window = (f"from {detail.approval.valid_from or 'approval'} until "
              f"{detail.approval.valid_until or 'revoked'}")  # fmt: skip
    st.text(
        f"Version {detail.approval.version}, approved by {detail.approval.by} at "
        f"{detail.approval.at} under rules {detail.approval.rules_version}; served {window}"
    )
if detail.flagged:
    st.html(notice_html(f"Flagged by a rule change: {detail.flagged}", Severity.WARNING))

st.subheader("Export")
dialect = st.selectbox("Merge tags for", ["as written", *feed.DIALECTS])
if st.button("Prepare the export"):
    try:
        tags = None if dialect == "as written" else dialect
        export = feed.export_approved(db, me.name, brand=chosen_brand, channel=chosen_channel,
                                      dialect=tags)  # fmt: skip
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
    else:
        for failed in export.untranslatable:
            st.html(notice_html(f"#{failed['id']} {failed['name']} is left out: "
                                f"{failed['message']}", Severity.ERROR))  # fmt: skip
        lines = "".join(json.dumps(document, ensure_ascii=False) + "\n"
                        for document in export.documents)  # fmt: skip
        st.download_button(
            f"Download {len(export.documents)} variant(s) as JSON lines", lines,
            file_name="approved-copy.jsonl", mime="application/x-ndjson",
        )  # fmt: skip

if session.may(me, Action.REVOKE):
    st.subheader("Revoke")
    with st.form("revoke"):
        target = st.selectbox("Variant", list(labels), format_func=labels.__getitem__)
        why = st.text_area("Why it must stop going out (engines are told at once)")
        revoked = st.form_submit_button("Revoke", type="primary")
    if revoked:
        try:
            review.revoke(db, target, actor=me.name, comment=why)
        except StudioError as exc:
            st.html(notice_html(exc.message, Severity.ERROR))
        else:
            session.report(f"{labels[target]} revoked.")
