"""Comments on a run of words: the list (escaped, like all copy) and the form that places a new
one on words typed from the copy, so a remark points at exactly what it is about."""

from __future__ import annotations

import streamlit as st

from guardrails import Channel, Severity, Variant
from studio.errors import StudioError
from studio.services import comments
from studio.services.schemas import CommentView, VariantDetail
from studio.services.workspace import Database
from studio.ui import session
from studio.ui.components.highlight import escaped, notice_html


def comments_html(said: list[CommentView]) -> str:
    items = "".join(
        f'<li style="margin-bottom:.4em"><b>{escaped(c.by)}</b> on <b>{escaped(c.field)}</b> '
        f"“{escaped(c.text)}” (version {c.version}): {escaped(c.body)}</li>"
        for c in said
    )
    return f"<ul style='list-style:none;padding-left:0'>{items}</ul>"


def show(detail: VariantDetail) -> None:
    if detail.comments:
        st.subheader(f"Comments ({len(detail.comments)})")
        st.html(comments_html(detail.comments))


def form(db: Database, actor: str, detail: VariantDetail) -> None:
    """Comment on words of the current version: the first place the field holds them."""
    copy = Variant(channel=Channel(detail.channel), fields=detail.fields)
    paths = [path for path, _, _ in copy.iter_fields()]
    with st.expander("Comment on words"), st.form(f"comment-{detail.id}-{detail.revision}"):
        field = st.selectbox("In", paths)
        words = st.text_input("The words (as they are in the copy)", max_chars=500)
        body = st.text_area("Your comment", max_chars=5000)
        if not st.form_submit_button("Add the comment"):
            return
    try:
        comments.add(db, detail.id, actor=actor, field=field, words=words, body=body)
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
        return
    session.report(f"#{detail.id}: your comment on “{words}” is saved.")
