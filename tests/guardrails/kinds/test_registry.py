"""The kinds registry: every rule model of the file format has exactly one kind, declared by the
kind's class (`schema`, matching its generic argument), and what kinds declare about themselves
replaces kind names in the engine."""

from __future__ import annotations

import typing

from guardrails.kinds.base import CompiledRule
from guardrails.kinds.registry import KINDS
from guardrails.rules.models import Rule


def _kind_name(kind: type[CompiledRule[typing.Any]]) -> str:
    (name,) = typing.get_args(kind.schema.model_fields["kind"].annotation)
    return str(name)


def test_every_rule_model_has_one_kind() -> None:
    (union, _) = typing.get_args(Rule)  # Annotated[A | B | ..., discriminator]
    models = set(typing.get_args(union))
    assert len(models) == 14
    assert sorted(k.schema.__name__ for k in KINDS) == sorted(m.__name__ for m in models)
    assert len({k.schema for k in KINDS}) == len(KINDS)


def test_each_kind_compiles_the_model_it_is_generic_over() -> None:
    for kind in KINDS:
        bases = kind.__dict__["__orig_bases__"]  # what the class statement subclassed
        (base,) = [b for b in bases if typing.get_origin(b) is CompiledRule]
        assert typing.get_args(base) == (kind.schema,), kind.__name__


def test_phrase_and_registry_kinds_are_declared_by_the_kinds() -> None:
    phrase = {_kind_name(k) for k in KINDS if k.phrase}
    assert phrase == {"existence", "substitution", "conditional"}
    assert [_kind_name(k) for k in KINDS if k.supersedes_claims] == ["claim_registry"]
