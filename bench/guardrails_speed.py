"""Guardrail speed: the full baseline pack over mixed drafts, beside the spaCy tokenizer alone.

The main population is the labelled corpora (tests/corpus/*.jsonl: real-style email, SMS and ad
drafts, a third of them clean), cycled to the requested count with a per-copy reference number
so no two texts are identical. A second, "dense" population is a seeded soup of offending
fragments, a stress case where nearly every field raises something. Prints drafts/s, p50 and
p99 per draft, the tokenizer-only rate over the same field texts in the same run and the ratio,
and how check time scales with text size (100 KB vs 1 MB).

    .venv/bin/python -m bench.guardrails_speed [--drafts 10000] [--pack brand_rules/_baseline]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from guardrails import Variant, compile_pack, load_pack
from guardrails.nlp import tokenizer_pipeline

REPO = Path(__file__).resolve().parent.parent
FRAGMENTS = [
    "Our new autumn range is here",
    "Soft knits and rain-ready jackets",
    "Save 20% on boots this weekend",
    "clinically proven to help you sleep",
    "Get a free tote with any purchase",
    "Hi {{ first_name }}",
    "We noticed you looked at our sofas",
    "The best coffee in town",
    "Only 3 left in stock",
    "Reply STOP to opt out",
    "Visit acme.example/new",
    "Don’t miss out",
    "Trusted by our members",
    "Budgeting that fits your week",
    "Fresh flavors just landed",
    "Call 415-867-5309 today",
    "GUARANTEED results",
    "Eco-friendly packaging",
    "See the new colors in store",
    "Pause or cancel any time",
]


def corpus_drafts(n: int) -> list[Variant]:
    """`n` drafts cycled from the labelled corpora, each copy with its own reference number."""
    items = [
        json.loads(line)
        for path in sorted((REPO / "tests" / "corpus").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    drafts = []
    for i in range(n):
        item = items[i % len(items)]
        fields = dict(item["fields"])
        main = next(k for k in ("body", "primary_text", "descriptions") if k in fields)
        if isinstance(fields[main], list):
            fields[main] = [*fields[main][:-1], f"{fields[main][-1]} Ref {i}."]
        else:
            fields[main] = f"{fields[main]} Ref {i}."
        drafts.append(Variant(channel=item["channel"], fields=fields))
    return drafts


def make_drafts(n: int, seed: int = 7) -> list[Variant]:
    rng = random.Random(seed)

    def sentence(k: int) -> str:
        words = [rng.choice(FRAGMENTS) for _ in range(k)]
        return ". ".join(words) + f" #{rng.randint(100, 999)}."

    drafts = []
    for i in range(n):
        kind = i % 4
        if kind in (0, 1):
            body = "Acme: " + sentence(rng.randint(2, 4))
            drafts.append(Variant(channel="sms", fields={"body": body}))
        elif kind == 2:
            fields: dict[str, str | list[str]] = {
                "headlines": [rng.choice(FRAGMENTS)[:30] for _ in range(3)],
                "descriptions": [sentence(2)[:90] for _ in range(2)],
            }
            drafts.append(Variant(channel="ad", fields=fields))
        else:
            email: dict[str, str | list[str]] = {
                "subject": rng.choice(FRAGMENTS),
                "preheader": sentence(2),
                "body": " ".join(sentence(3) for _ in range(rng.randint(2, 5)))
                + " {{ unsubscribe_url }} {{ postal_address }}",
            }
            drafts.append(Variant(channel="email", fields=email))
    return drafts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(pack, drafts: list[Variant], repeats: int = 3) -> tuple[float, list[float], float]:  # type: ignore[no-untyped-def]
    """(checked drafts/s, per-draft seconds, tokenizer-only drafts/s), best of `repeats` passes:
    this is a shared machine, and the best pass is the one least disturbed by neighbours."""
    tokenizer = tokenizer_pipeline().tokenizer
    texts = [[text for _, _, text in d.iter_fields()] for d in drafts]
    for fields in texts:  # warm spaCy's tokenizer cache for both timed passes alike
        for text in fields:
            tokenizer(text)
    tokenizer_best = check_best = float("inf")
    best_times: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        for fields in texts:
            for text in fields:
                tokenizer(text)
        tokenizer_best = min(tokenizer_best, time.perf_counter() - started)
        times = []
        started = time.perf_counter()
        for draft in drafts:
            t0 = time.perf_counter()
            pack.check(draft)
            times.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        if elapsed < check_best:
            check_best, best_times = elapsed, times
    return len(drafts) / check_best, best_times, len(drafts) / tokenizer_best


def scaling(pack) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    chunk = "Our best-selling serum is clinically proven. Reply STOP. Save 20% today only!! "
    out = []
    for size in (100_000, 1_000_000):
        body = chunk * (size // len(chunk))
        started = time.perf_counter()
        pack.check(Variant(channel="email", fields={"body": body}))
        out.append(time.perf_counter() - started)
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--pack", type=Path, default=REPO / "brand_rules" / "_baseline")
    args = parser.parse_args()
    pack = compile_pack(load_pack(args.pack))
    drafts = corpus_drafts(args.drafts)
    dense = make_drafts(args.drafts)
    measure(pack, make_drafts(500, seed=99))
    short = [d for d in drafts if d.channel != "email"]
    emails = [d for d in drafts if d.channel == "email"]
    dense_short = [d for d in dense if d.channel != "email"]
    print(f"pack {pack.pack.name} ({len(pack.rules)} rules), one core")
    print(f"{'set':<16} {'drafts':>6} {'checked/s':>10} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'tokenizer/s':>11} {'ratio':>6}")  # fmt: skip
    rows = (("corpus sms+ad", short), ("corpus email", emails), ("corpus all", drafts),
            ("dense sms+ad", dense_short), ("dense all", dense))  # fmt: skip
    for name, subset in rows:
        rate, times, tok_rate = measure(pack, subset)
        print(
            f"{name:<16} {len(subset):>6} {rate:>10.0f} {statistics.median(times) * 1e3:>7.3f} "
            f"{percentile(times, 0.99) * 1e3:>7.3f} {tok_rate:>11.0f} {rate / tok_rate:>6.2f}"
        )
    small, large = scaling(pack)
    print(f"scaling: 100 KB body {small:.2f} s, 1 MB body {large:.2f} s ({large / small:.1f}x)")


if __name__ == "__main__":
    main()
