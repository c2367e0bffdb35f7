"""Comments on a run of words: a reviewer points at the exact words a remark is about ("this
claim needs the study's date"), and the copywriter sees it on the draft. A comment is kept
with the version and the words it was on, so it still reads right after the copy changes; it
changes nothing about the variant, so it does not disturb a decision being taken on it.
"""

from __future__ import annotations

from sqlmodel import Session

from studio.errors import InvalidInput
from studio.services import audit, packs, queries
from studio.services.deciding import MAX_COMMENT_CHARS, attempt_on_variant
from studio.services.policy import Action, require_role
from studio.services.schemas import CommentView
from studio.store import variants
from studio.store.db import Database
from studio.store.models import Comment, User, saved_id


def add(db: Database, variant_id: int, *, actor: str, field: str, start: int, end: int,
        body: str) -> CommentView:  # fmt: skip
    """Comment on `field[start:end]` of the variant's current version (`field` as findings
    name it: `body`, `headlines[2]`)."""
    remark = body.strip()
    if not remark:
        raise InvalidInput("a comment needs some text", field="body")
    if len(remark) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"the comment is {len(remark)} characters; at most "
                           f"{MAX_COMMENT_CHARS} are kept", field="body")  # fmt: skip

    def run(session: Session, user: User) -> CommentView:
        require_role(user, Action.COMMENT)
        variant = variants.get(session, variant_id)
        version = variants.current_version(session, variant)
        texts = {path: text for path, _, text in
                 packs.as_copy(variant.channel, version.fields).iter_fields()}  # fmt: skip
        if field not in texts:
            raise InvalidInput(f"variant #{variant_id} has no field {field!r} (it has: "
                               f"{', '.join(texts)})", field="field")  # fmt: skip
        if not 0 <= start < end <= len(texts[field]):
            raise InvalidInput(f"{field} has {len(texts[field])} characters: {start}..{end} "
                               "is not a run of them", field="start")  # fmt: skip
        row = Comment(variant_id=variant_id, version_number=version.number, field=field,
                      start=start, end=end, text=texts[field][start:end], body=remark,
                      author_id=saved_id(user))  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(session, user.name, f"variant.{Action.COMMENT.value}", "variant",
                     variant_id, state_before=variant.status, state_after=variant.status,
                     detail={"field": field, "start": start, "end": end,
                             "comment": remark})  # fmt: skip
        return queries.comment_view(row, user.name)

    return attempt_on_variant(db, actor, Action.COMMENT, variant_id, run)
