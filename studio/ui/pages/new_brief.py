"""New brief: fill in a form, or paste or upload a brief (YAML, as `studio generate` reads it);
either is checked with the same messages, naming the field, then queued for drafting, and each
variant shows as it arrives. The job lives in the database and `studio worker` runs it, so
leaving the page loses nothing: coming back lists your jobs where they are."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from guardrails import Severity
from studio.errors import StudioError
from studio.services import drafts, packs, queries
from studio.services.schemas import JobDetail, JobView
from studio.ui import session
from studio.ui.components import brief_form
from studio.ui.components.highlight import notice_html

FINISHED = ("done", "failed")


def queue(run: Callable[[], int]) -> None:
    """Queue the brief; its problems, field by field, if it is not valid."""
    try:
        job_id = run()
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
    else:
        session.report(f"Job #{job_id} is queued: its variants appear below as they are drafted.")


db, me = session.open_page("New brief")
st.caption("The worker (`studio up` runs one) drafts each variant with the drafter named in "
           "the sidebar, checks it against the brand's rules and repairs what fails.")  # fmt: skip
how = st.radio("Write the brief", ["In a form", "As YAML (paste or upload)"], horizontal=True)
if how == "In a form":
    brands = [name for name, slug in packs.pack_choices().items() if slug != "_baseline"]
    brand = st.selectbox("Brand", brands)
    filled = brief_form.fields(brand)
    if filled is not None:
        queue(partial(drafts.queue_brief_fields, db, actor=me.name, fields=filled))
else:
    pasted = st.text_area("Brief (YAML)", height=260, placeholder="brand: brightleaf\n"
                          "campaign: Winter wellness\n...  (see examples/briefs/)")  # fmt: skip
    uploaded = st.file_uploader("…or upload a brief file", type=["yaml", "yml"])
    if st.button("Draft the variants", type="primary"):
        text, source = (uploaded.getvalue(), uploaded.name) if uploaded else (pasted.encode(),
                                                                              "brief")  # fmt: skip
        queue(lambda: drafts.queue_brief(db, actor=me.name, text=text, source=source))


def items(detail: JobDetail) -> None:
    """Each variant of a job on a line, as text (segment names come from the brief)."""
    for item in detail.variants:
        where = f" → variant #{item.variant_id}" if item.variant_id else ""
        st.text(f"{item.key}: {item.status}{where}{' · ' + item.error if item.error else ''}")


@st.fragment(run_every=1.0)
def progress(job: JobView) -> None:
    """A running job's variants, refreshed every second while the worker drafts them."""
    detail = queries.job_detail(db, me.name, job.id)
    finished = [v for v in detail.variants if v.status in FINISHED]
    label = (f"Job #{detail.id}: {detail.status}, {len(finished)} of {len(detail.variants)} "
             "variants drafted")  # fmt: skip
    with st.status(label, state="running", expanded=True):
        st.progress(len(finished) / max(len(detail.variants), 1))
        items(detail)
    if detail.status in FINISHED:
        st.rerun()  # the whole page: this job stops polling


jobs = queries.list_jobs(db, me.name, limit=10, requested_by=me.name)
if not jobs:
    st.info("You have no drafting jobs yet: write a brief above (examples/briefs/ has some to "
            "start from).")  # fmt: skip
for job in jobs:
    if job.status not in FINISHED:
        progress(job)
        continue
    detail = queries.job_detail(db, me.name, job.id)
    made = sum(1 for item in detail.variants if item.variant_id)
    label = f"Job #{job.id}: {job.status}, {made} of {len(detail.variants)} variants saved"
    with st.status(f"{label} as drafts", state="complete" if job.status == "done" else "error"):
        if job.error:
            st.text(job.error)
        items(detail)
