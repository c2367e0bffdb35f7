"""New brief: paste or upload a brief (YAML, as `studio generate` reads it, with the same
messages), queue it for drafting, and watch each variant arrive. The job lives in the database
and `studio worker` runs it, so leaving the page loses nothing: coming back lists your jobs
where they are."""

from __future__ import annotations

import streamlit as st

from guardrails import Severity
from studio.errors import StudioError
from studio.services import drafts, queries
from studio.services.schemas import JobView
from studio.ui import session
from studio.ui.components.highlight import notice_html

FINISHED = ("done", "failed")
db, me = session.open_page("New brief")
st.caption("The worker (`studio up` runs one) drafts each variant with the drafter named in "
           "the sidebar, checks it against the brand's rules and repairs what fails.")  # fmt: skip
pasted = st.text_area("Brief (YAML)", height=260, placeholder="brand: brightleaf\n"
                      "campaign: Winter wellness\n...  (see examples/briefs/)")  # fmt: skip
uploaded = st.file_uploader("…or upload a brief file", type=["yaml", "yml"])
if st.button("Draft the variants", type="primary"):
    text, source = (uploaded.getvalue(), uploaded.name) if uploaded else (pasted.encode(), "brief")
    try:
        job_id = drafts.queue_brief(db, actor=me.name, text=text, source=source)
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
    else:
        session.report(f"Job #{job_id} is queued: its variants appear below as they are drafted.")


@st.fragment(run_every=1.0)
def progress(job: JobView) -> None:
    """One job's variants, refreshed every second while the worker drafts them."""
    detail = queries.job_detail(db, me.name, job.id)
    finished = [v for v in detail.variants if v.status in FINISHED]
    st.progress(len(finished) / max(len(detail.variants), 1),
                text=f"Job #{detail.id}: {detail.status}, {len(finished)} of "
                     f"{len(detail.variants)} variants drafted")  # fmt: skip
    for item in detail.variants:
        where = f" → variant #{item.variant_id}" if item.variant_id else ""
        st.text(f"{item.key}: {item.status}{where}{' · ' + item.error if item.error else ''}")
    if detail.status in FINISHED:
        st.rerun()  # the whole page: this job stops polling


jobs = queries.list_jobs(db, me.name, limit=10, requested_by=me.name)
if not jobs:
    st.info("You have no drafting jobs yet: paste a brief above, or copy one from "
            "examples/briefs/.")  # fmt: skip
for job in jobs:
    with st.container(border=True):
        if job.status in FINISHED:
            detail = queries.job_detail(db, me.name, job.id)
            made = sum(1 for item in detail.variants if item.variant_id)
            st.text(f"Job #{job.id}: {job.status}, {made} of {len(detail.variants)} variants "
                    f"saved as drafts{' · ' + job.error if job.error else ''}")  # fmt: skip
        else:
            progress(job)
