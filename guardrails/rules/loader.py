"""Loading a rule pack: read its files, validate them, follow `extends`, apply overrides.

Every problem is reported as `file:line: rule 'ID': key 'k': what is wrong`, all of them at
once, so a brand owner can fix a file in one pass.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from guardrails.patterns import PatternError, compile_pattern
from guardrails.rules.models import (
    ApprovedClaim,
    Brand,
    MergeField,
    Override,
    PackFile,
    RecheckPolicy,
    Rule,
    Voice,
)
from guardrails.rules.yamlsource import KeyPath, YamlSourceError, line_of, load_with_lines

PACK_FILE = "pack.yaml"
BASELINE_DIR = "_baseline"
MAX_FILE_BYTES = 2 << 20


class RulePackError(ValueError):
    """One or more problems in rule files; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ResolvedPack(BaseModel):
    """A pack with everything it extends merged in and its overrides applied."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str
    description: str | None = None
    # Every pack that contributed, parents first, named relative to the rules root
    # (`_baseline/core`): names, not paths, so the version is the same from any directory.
    chain: list[str]
    brand: Brand | None = None
    voice: Voice = Field(default_factory=Voice)
    merge_fields: dict[str, MergeField] = Field(default_factory=dict)
    claims: list[ApprovedClaim] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    origins: dict[str, str] = Field(default_factory=dict)  # rule id -> "file:line"
    on_rule_change: RecheckPolicy = RecheckPolicy.FLAG
    engines: list[str] = Field(default_factory=list)  # what the brand publishes to

    @property
    def version(self) -> str:
        """A hash of everything that decides a check's outcome: approvals bind to it.

        Only the resolved rules enter it (no path, no file times), so the same rules give the
        same version from any working directory and from a copy of the rules folder."""
        body = self.model_dump(
            mode="json", exclude={"path", "origins", "description", "on_rule_change"}
        )
        if not body["engines"]:
            del body["engines"]  # a pack that names none keeps the version it had before engines
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        return f"sha256:{digest[:16]}"

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def rules_root(pack_dir: Path) -> Path:
    """The folder that holds `_baseline`: names in `extends` are relative to it."""
    for candidate in [pack_dir, *pack_dir.parents]:
        if (candidate / BASELINE_DIR).is_dir():
            return candidate
    return pack_dir.parent


def load_pack(path: str | Path) -> ResolvedPack:
    pack_dir = Path(path)
    if not (pack_dir / PACK_FILE).is_file():
        raise RulePackError([f"{pack_dir}: not a rule pack (no {PACK_FILE} in it)"])
    root = rules_root(pack_dir.resolve())
    files: list[tuple[Path, PackFile, dict[KeyPath, int]]] = []
    problems: list[str] = []
    _collect(pack_dir.resolve(), root, files, problems, stack=[], seen=set())
    if problems:
        raise RulePackError(problems)
    return _merge(pack_dir, root, files)


def _collect(
    pack_dir: Path,
    root: Path,
    out: list[tuple[Path, PackFile, dict[KeyPath, int]]],
    problems: list[str],
    stack: list[Path],
    seen: set[Path],
) -> None:
    """Depth-first over `extends`, parents before children, each pack once."""
    if pack_dir in seen:
        return
    seen.add(pack_dir)
    stack = [*stack, pack_dir]
    meta_path = pack_dir / PACK_FILE
    meta = _read_file(meta_path, problems)
    if meta is not None:
        for index, parent in enumerate(meta[0].extends):
            parent_dir = (root / parent).resolve()
            where = f"{display_path(meta_path)}:{line_of(meta[1], ('extends', index))}"
            if parent_dir in stack:
                problems.append(f"{where}: extends {parent!r}, which extends this pack (a cycle)")
            elif not (parent_dir / PACK_FILE).is_file():
                problems.append(
                    f"{where}: extends {parent!r}, but {display_path(parent_dir)} is no pack"
                )
            else:
                _collect(parent_dir, root, out, problems, stack, seen)
        out.append((meta_path, *meta))
    for extra_path in sorted(pack_dir.glob("*.yaml")):
        if extra_path.name == PACK_FILE:
            continue
        extra = _read_file(extra_path, problems, metadata_allowed=False)
        if extra is not None:
            out.append((extra_path, *extra))


def _read_file(
    path: Path, problems: list[str], metadata_allowed: bool = True
) -> tuple[PackFile, dict[KeyPath, int]] | None:
    shown = display_path(path)
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            problems.append(f"{shown}: file is larger than {MAX_FILE_BYTES} bytes")
            return None
        data, lines = load_with_lines(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{shown}: not UTF-8 text (byte {exc.start})")
        return None
    except YamlSourceError as exc:
        problems.append(f"{shown}:{exc.line or 1}: {exc.message}")
        return None
    except OSError as exc:
        problems.append(f"{shown}: cannot read ({exc.strerror})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{shown}:1: expected a mapping at the top of the file")
        return None
    if not metadata_allowed:
        extra = sorted(set(data) - {"rules"})
        if extra:
            problems.append(
                f"{shown}:{line_of(lines, (extra[0],))}: key {extra[0]!r}: only `rules` may "
                f"stand outside {PACK_FILE}"
            )
            return None
    try:
        pack_file = PackFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_describe(shown, data, lines, error))
        return None
    before = len(problems)
    _check_patterns(shown, pack_file, lines, problems)
    return None if len(problems) > before else (pack_file, lines)


def _describe(
    shown: str, data: dict[str, Any], lines: dict[KeyPath, int], error: ErrorDetails
) -> str:
    loc = tuple(error["loc"])
    if error["type"].startswith("union_tag"):
        loc = (*loc, "kind")  # pydantic points at the rule; the culprit is its `kind`
    where = f"{shown}:{line_of(lines, loc) or 1}"
    owner = _owner(data, loc)
    keys = [str(part) for part in loc if isinstance(part, str)]
    key = keys[-1] if keys else ""
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required key is missing"
    return f"{where}: {owner}key {key!r}: {message}"


def _owner(data: dict[str, Any], loc: KeyPath) -> str:
    """`rule 'ID': ` or `claim 'ID': ` when the error sits inside one, else nothing."""
    if len(loc) >= 2 and loc[0] in ("rules", "claims") and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        item = items[loc[1]] if loc[1] < len(items) else None
        ident = item.get("id") if isinstance(item, dict) else None
        label = "rule" if loc[0] == "rules" else "claim"
        return f"{label} {ident!r}: " if ident else f"{label} #{loc[1] + 1}: "
    return ""


def _check_patterns(
    shown: str, pack_file: PackFile, lines: dict[KeyPath, int], problems: list[str]
) -> None:
    """Compile every regex now, so a bad one is reported with its file, rule and line."""
    groups: list[tuple[str, str, KeyPath, list[str]]] = []
    for i, rule in enumerate(pack_file.rules):
        for key in ("patterns", "requires", "exceptions"):
            groups.append(("rule", rule.id, ("rules", i, key), list(getattr(rule, key, []) or [])))
        pattern = getattr(rule, "pattern", None)
        if pattern is not None:
            groups.append(("rule", rule.id, ("rules", i, "pattern"), [pattern]))
    for i, claim in enumerate(pack_file.claims):
        for key in ("patterns", "requires"):
            groups.append(("claim", claim.id, ("claims", i, key), getattr(claim, key)))
    for label, ident, loc, patterns in groups:
        for j, pattern in enumerate(patterns):
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                line = line_of(lines, (*loc, j))
                problems.append(f"{shown}:{line}: {label} {ident!r}: key {loc[-1]!r}: {exc}")


def _merge(
    pack_dir: Path, root: Path, files: list[tuple[Path, PackFile, dict[KeyPath, int]]]
) -> ResolvedPack:
    problems: list[str] = []
    brand: Brand | None = None
    acronyms: list[str] = []
    merge_fields: dict[str, MergeField] = {}
    engines: list[str] = []
    claims: dict[str, ApprovedClaim] = {}
    rules: dict[str, Rule] = {}
    origins: dict[str, str] = {}
    overrides: list[tuple[str, str, Override]] = []
    chain: list[str] = []
    name = pack_dir.name
    description = None
    policy = RecheckPolicy.FLAG
    for path, pack_file, lines in files:
        shown = display_path(path)
        if path.name == PACK_FILE:
            chain.append(pack_name(path.parent, root))
            if path.parent == pack_dir.resolve():
                name = pack_file.pack or name
                description = pack_file.description
        brand = pack_file.brand or brand
        policy = pack_file.on_rule_change or policy
        if pack_file.voice:
            acronyms.extend(a for a in pack_file.voice.acronyms if a not in acronyms)
        merge_fields.update(pack_file.merge_fields)
        engines.extend(engine for engine in pack_file.engines if engine not in engines)
        for claim in pack_file.claims:
            claims[claim.id] = claim  # a child may restate a parent's claim (new expiry, say)
        for i, rule in enumerate(pack_file.rules):
            where = f"{shown}:{line_of(lines, ('rules', i))}"
            if rule.id in rules:
                problems.append(
                    f"{where}: rule {rule.id!r}: id already defined at {origins[rule.id]}; "
                    "change an inherited rule with `overrides`"
                )
                continue
            rules[rule.id] = rule
            origins[rule.id] = where
        for rule_id, override in pack_file.overrides.items():
            overrides.append(
                (f"{shown}:{line_of(lines, ('overrides', rule_id))}", rule_id, override)
            )
    for where, rule_id, override in overrides:
        if rule_id not in rules:
            problems.append(
                f"{where}: override of {rule_id!r}: no such rule in this pack or its parents"
            )
            continue
        if override.disabled:
            del rules[rule_id]
            continue
        changes = {
            key: value
            for key, value in override.model_dump(exclude={"disabled"}).items()
            if value is not None
        }
        rule = rules[rule_id]
        bad = sorted(set(changes) - set(type(rule).model_fields))
        if bad:
            problems.append(
                f"{where}: override of {rule_id!r}: key {bad[0]!r} "
                f"does not apply to rules of kind {rule.kind}"
            )
            continue
        rules[rule_id] = rule.model_copy(update=changes)
    if problems:
        raise RulePackError(problems)
    return ResolvedPack(
        name=name,
        path=display_path(pack_dir),
        description=description,
        chain=chain,
        brand=brand,
        voice=Voice(acronyms=acronyms),
        merge_fields=merge_fields,
        claims=list(claims.values()),
        rules=list(rules.values()),
        origins=origins,
        on_rule_change=policy,
        engines=engines,
    )


def pack_name(pack_dir: Path, root: Path) -> str:
    """A pack as `extends` names it: its folder relative to the rules root (`_baseline/core`)."""
    return Path(os.path.relpath(pack_dir, root)).as_posix()


def display_path(path: Path) -> str:
    """A path as error messages show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
