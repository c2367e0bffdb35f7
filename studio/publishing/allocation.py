"""Measured rates and a recommended traffic split for a group of copy variants, from the counts an
automation engine reports, so an engine without a bandit of its own can still split traffic well.

The split is Thompson sampling over Beta posteriors: each variant's share is the probability that
its true rate is the best, estimated from posterior draws. Until every variant has enough sends the
split stays even, since a handful of early outcomes would otherwise starve a variant of the traffic
it needs to be measured at all.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, fields

# The counters a share may be optimised for, and how a reason names the rate.
SUCCESS_RATES = {"opens": "open rate", "clicks": "click rate", "conversions": "conversion rate"}


@dataclass(frozen=True)
class ArmCounts:
    """What an engine reported for one variant. Every rate but `delivery_rate` is over `trials`:
    deliveries when the engine reports them, since a bounced message can never be opened, clicked
    or converted and counting it would penalise a variant for its audience's bad addresses; sends
    when it reports no deliveries, so an engine that does not track them still gets rates."""

    variant_id: int
    sends: int
    deliveries: int
    opens: int
    clicks: int
    conversions: int
    unsubscribes: int
    complaints: int

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "variant_id" and getattr(self, f.name) < 0:
                raise ValueError(
                    f"variant #{self.variant_id}: {f.name} is {getattr(self, f.name)}, "
                    "counts cannot be negative"
                )
        if self.deliveries > self.sends:
            raise ValueError(
                f"variant #{self.variant_id}: deliveries ({self.deliveries}) exceed "
                f"sends ({self.sends})"
            )

    @property
    def trials(self) -> int:
        """The denominator of every outcome rate and of the posterior (see the class docstring)."""
        return self.deliveries if self.deliveries > 0 else self.sends

    @property
    def trials_field(self) -> str:
        """Which counter `trials` is, for messages."""
        return "deliveries" if self.deliveries > 0 else "sends"

    def _over_trials(self, count: int) -> float | None:
        return count / self.trials if self.trials else None

    @property
    def delivery_rate(self) -> float | None:
        return self.deliveries / self.sends if self.sends else None

    @property
    def open_rate(self) -> float | None:
        return self._over_trials(self.opens)

    @property
    def click_rate(self) -> float | None:
        return self._over_trials(self.clicks)

    @property
    def conversion_rate(self) -> float | None:
        return self._over_trials(self.conversions)

    @property
    def unsubscribe_rate(self) -> float | None:
        return self._over_trials(self.unsubscribes)

    @property
    def complaint_rate(self) -> float | None:
        return self._over_trials(self.complaints)


@dataclass(frozen=True)
class Allocation:
    """A recommended split: `shares` maps variant id to its fraction of traffic (summing to 1),
    `exploring` says the minimum-sends rule held it even, and `reason` says why in one sentence."""

    shares: dict[int, float]
    exploring: bool
    reason: str


def allocate(
    arms: Sequence[ArmCounts],
    *,
    min_sends: int,
    success: str = "conversions",
    draws: int = 10_000,
    seed: int | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
) -> Allocation:
    """Split traffic across `arms` by Thompson sampling on the `success` counter, each arm's
    posterior being Beta(prior_a + successes, prior_b + trials - successes). A share is the
    fraction of `draws` in which that arm drew highest, ties broken uniformly at random; the same
    `seed` gives the same split. Any arm below `min_sends` sends keeps the split even."""
    _validate(arms, min_sends=min_sends, success=success, draws=draws, prior=prior)
    if not arms:
        return Allocation({}, exploring=False, reason="no variants reported: nothing to allocate")
    if len(arms) == 1:
        only = arms[0].variant_id
        return Allocation({only: 1.0}, exploring=False, reason=f"variant #{only} is the only one")

    short = sorted((arm for arm in arms if arm.sends < min_sends), key=lambda arm: arm.sends)
    if short:
        fewest = short[0]
        others = f" and {len(short) - 1} other variant(s) are short too" if len(short) > 1 else ""
        return Allocation(
            {arm.variant_id: 1 / len(arms) for arm in arms},
            exploring=True,
            reason=(
                f"variant #{fewest.variant_id} has {fewest.sends:,} of the {_sends(min_sends)} "
                f"needed{others}: traffic stays split evenly"
            ),
        )

    wins = _thompson_wins(arms, success=success, draws=draws, seed=seed, prior=prior)
    floor = f"every variant has at least {_sends(min_sends)}" if min_sends else "no minimum is set"
    return Allocation(
        {arm.variant_id: won / draws for arm, won in zip(arms, wins, strict=True)},
        exploring=False,
        reason=(
            f"{floor}: shares are each variant's probability of the best "
            f"{SUCCESS_RATES[success]}, from {draws:,} posterior draws"
        ),
    )


def _validate(
    arms: Sequence[ArmCounts],
    *,
    min_sends: int,
    success: str,
    draws: int,
    prior: tuple[float, float],
) -> None:
    if success not in SUCCESS_RATES:
        raise ValueError(f"success must be one of {', '.join(SUCCESS_RATES)}, not {success!r}")
    if min_sends < 0:
        raise ValueError(f"min_sends is {min_sends}, it cannot be negative")
    if draws < 1:
        raise ValueError(f"draws is {draws}, at least one posterior draw is needed")
    if not all(math.isfinite(p) and p > 0 for p in prior):
        raise ValueError(f"prior is {prior}, both Beta parameters must be positive and finite")
    seen: set[int] = set()
    for arm in arms:
        if arm.variant_id in seen:
            raise ValueError(f"variant #{arm.variant_id} appears twice; shares are keyed by id")
        seen.add(arm.variant_id)
        successes = getattr(arm, success)
        if successes > arm.trials:
            raise ValueError(
                f"variant #{arm.variant_id}: {success} ({successes}) exceed "
                f"{arm.trials_field} ({arm.trials})"
            )


def _thompson_wins(
    arms: Sequence[ArmCounts],
    *,
    success: str,
    draws: int,
    seed: int | None,
    prior: tuple[float, float],
) -> list[int]:
    """How many of `draws` joint posterior draws each arm won. Arms are drawn a column at a time
    (all of one arm's draws, then the next) so the inner loops stay in comprehensions and C."""
    rng = random.Random(seed)
    beta = rng.betavariate
    prior_a, prior_b = prior
    columns = []
    for arm in arms:
        successes = getattr(arm, success)
        a, b = prior_a + successes, prior_b + arm.trials - successes
        columns.append([beta(a, b) for _ in range(draws)])

    wins = [0] * len(arms)
    for row in zip(*columns, strict=True):
        best = max(row)
        if row.count(best) == 1:
            wins[row.index(best)] += 1
        else:
            wins[rng.choice([i for i, value in enumerate(row) if value == best])] += 1
    return wins


def _sends(n: int) -> str:
    return f"{n:,} send" if n == 1 else f"{n:,} sends"
