"""Guardrail speed: the full baseline pack over mixed drafts, beside the spaCy tokenizer alone.

Drafts are generated from a seeded pool of real-style fragments (clean and offending), so
texts differ and no cache flatters either side. Prints drafts/s, p50 and p99 per draft for
SMS/ad-length drafts and for the email set, the tokenizer-only rate over the same field texts
in the same run, their ratio, and how check time scales with text size (100 KB vs 1 MB).

    .venv/bin/python -m bench.guardrails_speed [--drafts 10000] [--pack brand_rules/_baseline]
"""

from __future__ import annotations

import argparse
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


def measure(pack, drafts: list[Variant]) -> tuple[float, list[float], float]:  # type: ignore[no-untyped-def]
    """(checked drafts/s, per-draft seconds, tokenizer-only drafts/s) over `drafts`."""
    tokenizer = tokenizer_pipeline().tokenizer
    texts = [[text for _, _, text in d.iter_fields()] for d in drafts]
    started = time.perf_counter()
    for fields in texts:
        for text in fields:
            tokenizer(text)
    tokenizer_rate = len(drafts) / (time.perf_counter() - started)
    times = []
    started = time.perf_counter()
    for draft in drafts:
        t0 = time.perf_counter()
        pack.check(draft)
        times.append(time.perf_counter() - t0)
    rate = len(drafts) / (time.perf_counter() - started)
    return rate, times, tokenizer_rate


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
    drafts = make_drafts(args.drafts)
    warmup = make_drafts(500, seed=99)
    measure(pack, warmup)
    short = [d for d in drafts if d.channel != "email"]
    emails = [d for d in drafts if d.channel == "email"]
    print(f"pack {pack.pack.name} ({len(pack.rules)} rules), {len(drafts)} drafts, one core")
    print(f"{'set':<12} {'drafts':>6} {'checked/s':>10} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'tokenizer/s':>11} {'ratio':>6}")  # fmt: skip
    for name, subset in (("sms+ad", short), ("email", emails), ("all", drafts)):
        rate, times, tok_rate = measure(pack, subset)
        print(
            f"{name:<12} {len(subset):>6} {rate:>10.0f} {statistics.median(times) * 1e3:>7.3f} "
            f"{percentile(times, 0.99) * 1e3:>7.3f} {tok_rate:>11.0f} {rate / tok_rate:>6.2f}"
        )
    small, large = scaling(pack)
    print(f"scaling: 100 KB body {small:.2f} s, 1 MB body {large:.2f} s ({large / small:.1f}x)")


if __name__ == "__main__":
    main()
