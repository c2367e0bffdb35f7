"""Comments on a run of words: a reviewer points at the exact words a remark is about ("this
claim needs the study's date"), and the copywriter sees it on the draft. A comment is kept
with the version and the words it was on, so it still reads right after the copy changes; it
changes nothing about the variant, so it does not disturb a decision being taken on it.
"""

from __future__ import annotations

from sqlmodel import Session

from studio.errors import InvalidInput
from studio.services import audit, packs, queries
from studio.services.deciding import attempt_on_variant, clean_comment
from studio.services.policy import Action, require_role
from studio.services.schemas import CommentView
from studio.store import variants
from studio.store.db import Database
from studio.store.models import Comment, User, saved_id


def add(db: Database, variant_id: int, *, actor: str, field: str, body: str,
        start: int | None = None, end: int | None = None,
        words: str | None = None) -> CommentView:  # fmt: skip
    """Comment on a run of the variant's current version: `field[start:end]`, or the first
    place `field` holds `words` (`field` as findings name it: `body`, `headlines[2]`)."""
    if (words is None) == (start is None or end is None):
        raise InvalidInput("say which words: their offsets, or the words themselves")
    try:
        remark = clean_comment(Action.COMMENT, body)
    except InvalidInput as bad:  # the same rules as a decision's comment, about this body
        raise InvalidInput(bad.message, field="body") from None
    if not remark:
        raise InvalidInput("a comment needs some text", field="body")

    def run(session: Session, user: User) -> CommentView:
        require_role(user, Action.COMMENT)
        variant = variants.get(session, variant_id)
        version = variants.current_version(session, variant)
        texts = {path: text for path, _, text in
                 packs.as_copy(variant.channel, version.fields).iter_fields()}  # fmt: skip
        if field not in texts:
            raise InvalidInput(f"variant #{variant_id} has no field {field!r} (it has: "
                               f"{', '.join(texts)})", field="field")  # fmt: skip
        first, last = _run(texts[field], field, start, end, words)
        row = Comment(variant_id=variant_id, version_number=version.number, field=field,
                      start=first, end=last, text=texts[field][first:last], body=remark,
                      author_id=saved_id(user))  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(session, user.name, f"variant.{Action.COMMENT.value}", "variant",
                     variant_id, state_before=variant.status, state_after=variant.status,
                     detail={"field": field, "start": first, "end": last,
                             "comment": remark})  # fmt: skip
        return queries.comment_view(row, user.name)

    return attempt_on_variant(db, actor, Action.COMMENT, variant_id, run)


def _run(text: str, field: str, start: int | None, end: int | None,
         words: str | None) -> tuple[int, int]:  # fmt: skip
    """The offsets of the run a comment is on, checked against the field's text."""
    if words is not None:
        found = text.find(words) if words.strip() else -1
        if found < 0:
            raise InvalidInput(f"{field} does not contain “{words}”: give the words exactly as "
                               "they are in the copy", field="words")  # fmt: skip
        return found, found + len(words)
    assert start is not None and end is not None  # add() checked one or the other was given
    if not 0 <= start < end <= len(text):
        raise InvalidInput(f"{field} has {len(text)} characters: {start}..{end} is not a run "
                           "of them", field="start")  # fmt: skip
    return start, end
