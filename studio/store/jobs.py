"""Row helpers for drafting jobs, shared by the job service and the read views."""

from __future__ import annotations

from sqlmodel import Session

from studio.errors import NotFound
from studio.store.models import MAX_ID, Job


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id) if 0 < job_id <= MAX_ID else None
    if job is None:
        raise NotFound(f"no job #{job_id}")
    return job
