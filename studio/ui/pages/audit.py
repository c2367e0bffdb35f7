"""Audit log: whether the hash chain (and the anchors kept outside the database) still verify,
the newest events with filters, and an export for an auditor. Reviewers and admins only; the
service refuses anyone else, and audits the refusal."""

from __future__ import annotations

import io
import json

import streamlit as st

from guardrails import Severity
from studio.services import audit_log
from studio.ui import session
from studio.ui.components.highlight import notice_html

SHOWN = 200
db, me = session.open_page("Audit log")
checked = audit_log.verify_here(db, me.name)
if checked.ok:
    st.html(notice_html(f"The chain verifies: {checked.events} events, head "
                        f"{checked.head_hash[:16]}…, {checked.anchors} anchor(s) kept outside "
                        "the database match."))  # fmt: skip
else:
    st.html(notice_html(f"The chain does not verify: {checked.problem}", Severity.ERROR))

left, middle, right = st.columns(3)
by = left.text_input("Actor", max_chars=80, help="a user, apikey:NAME, or system")
action = middle.text_input("Action", max_chars=80, help="e.g. approve, or webhook. for a family")
outcome = right.selectbox("Outcome", ["any", "ok", "denied"])
shown = audit_log.events(db, me.name, limit=SHOWN, newest_first=True, by=by.strip() or None,
                         action=action.strip() or None,
                         outcome=None if outcome == "any" else outcome)  # fmt: skip
if not shown:
    st.info("No event matches these filters.")
else:
    st.caption(f"The newest {len(shown)} matching events (at most {SHOWN}); export for all.")
    st.dataframe(
        [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
          "object": f"{e.object_type} {e.object_id}", "outcome": e.outcome,
          "state": f"{e.state_before or ''} → {e.state_after or ''}".strip(" →"),
          "detail": json.dumps(e.detail, ensure_ascii=False)} for e in shown],
        hide_index=True, width="stretch",
    )  # fmt: skip

for fmt in ("csv", "json"):
    if st.button(f"Prepare the whole log as {fmt.upper()}"):
        out = io.StringIO()
        count = audit_log.export(db, me.name, fmt, out)
        st.download_button(f"Download {count} events ({fmt.upper()})", out.getvalue(),
                           file_name=f"audit-log.{fmt}",
                           mime="text/csv" if fmt == "csv" else "application/json")  # fmt: skip
