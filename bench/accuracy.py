"""Guardrail accuracy on the labelled corpus: precision and recall per category.

Each corpus line lists the categories a draft must raise (`expect`) and those not judged
(`ignore`); every other category must stay silent. A category counts as raised when a finding
of it is at warning or error level. Also reported: how much clean copy (expect == []) a
non-channel error would block.

    .venv/bin/python -m bench.accuracy [--corpus tests/corpus/drafts.jsonl] [--misses]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from guardrails import Category, Severity, Variant, compile_pack, load_pack

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "drafts.jsonl"
TODAY = dt.date(2026, 11, 22)  # the corpus was labelled against the registries as of this day


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    per_category: dict[Category, Counts] = field(default_factory=dict)
    drafts: int = 0
    clean: int = 0
    clean_blocked: int = 0  # clean drafts with a non-channel error
    misses: list[str] = field(default_factory=list)

    @property
    def clean_blocked_rate(self) -> float:
        return self.clean_blocked / self.clean if self.clean else 0.0


def score(corpus: Path = CORPUS) -> Scores:
    scores = Scores(per_category={c: Counts() for c in Category})
    packs = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        name = item["pack"]
        if name not in packs:
            packs[name] = compile_pack(load_pack(REPO / "brand_rules" / name))
        variant = Variant(channel=item["channel"], fields=item["fields"])
        report = packs[name].check(variant, TODAY)
        raised = {f.category for f in report.findings if f.severity != Severity.SUGGESTION}
        expect, ignore = set(item["expect"]), set(item.get("ignore", []))
        scores.drafts += 1
        for category in Category:
            if category.value in ignore:
                continue
            truth, predicted = category.value in expect, category in raised
            counts = scores.per_category[category]
            if truth and predicted:
                counts.tp += 1
            elif truth:
                counts.fn += 1
                scores.misses.append(f"{item['id']}: missed {category.value}")
            elif predicted:
                counts.fp += 1
                why = [f"{f.rule} {f.text!r}" for f in report.findings if f.category == category]
                scores.misses.append(f"{item['id']}: false {category.value}: {'; '.join(why)}")
            else:
                counts.tn += 1
        if not expect:
            scores.clean += 1
            scores.clean_blocked += any(
                f.severity == Severity.ERROR and f.category != Category.CHANNEL
                for f in report.findings
            )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    scores = score(args.corpus)
    print(f"corpus: {args.corpus.name}, {scores.drafts} drafts, {scores.clean} clean")
    print(
        f"{'category':<10} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4}"
    )
    for category, c in scores.per_category.items():
        print(
            f"{category.value:<10} {c.precision:>9.3f} {c.recall:>7.3f} "
            f"{c.tp:>4} {c.fp:>4} {c.fn:>4} {c.tn:>4}"
        )
    print(
        f"clean copy blocked by a non-channel error: {scores.clean_blocked}/{scores.clean}"
        f" = {scores.clean_blocked_rate:.1%}"
    )
    if args.misses:
        print("\n".join(scores.misses))


if __name__ == "__main__":
    main()
