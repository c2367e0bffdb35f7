"""Unknown query parameters are refused, not ignored: a misspelt `updated_sinse` that was
ignored would turn an engine's incremental sync into a full one without a word. A NUL character
in the path or a query value is refused too: PostgreSQL can neither store nor compare one, so
it would otherwise surface as a database error."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from studio.errors import InvalidInput


async def known_query_only(request: Request) -> None:
    """Async because it does no I/O: FastAPI then calls it inline, not in the thread pool."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    known = _query_names(dependant) if isinstance(dependant, Dependant) else frozenset()
    unknown = sorted(set(request.query_params) - known)
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            raise InvalidInput(f"query parameter {name!r} holds a NUL character", field=name)
    if "\x00" in request.url.path:
        raise InvalidInput("the path holds a NUL character")
    if unknown:
        takes = f"it takes {', '.join(sorted(known))}" if known else "it takes none"
        raise InvalidInput(f"query parameter {unknown[0]!r} is not one this endpoint takes "
                           f"({takes})", field=unknown[0])  # fmt: skip


def _query_names(dependant: Dependant) -> frozenset[str]:
    """The route's query parameters, its dependencies' included (a few; not worth caching)."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)
