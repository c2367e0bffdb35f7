"""Traffic allocation: the even split while exploring, Thompson shares checked against exact
posterior probabilities, the rates' denominators, and rejection of counts that cannot be real."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.publishing.allocation import ArmCounts, allocate


def arm(
    variant_id: int,
    sends: int = 1000,
    *,
    deliveries: int | None = None,
    opens: int = 0,
    clicks: int = 0,
    conversions: int = 0,
    unsubscribes: int = 0,
    complaints: int = 0,
) -> ArmCounts:
    return ArmCounts(
        variant_id=variant_id,
        sends=sends,
        deliveries=sends if deliveries is None else deliveries,
        opens=opens,
        clicks=clicks,
        conversions=conversions,
        unsubscribes=unsubscribes,
        complaints=complaints,
    )


def beta_pdf(x: float, a: float, b: float) -> float:
    if x <= 0.0 or x >= 1.0:
        return 0.0
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return math.exp((a - 1) * math.log(x) + (b - 1) * math.log1p(-x) - log_beta)


def prob_first_beats_second(
    a1: float, b1: float, a2: float, b2: float, steps: int = 20_000
) -> float:
    """P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2): the integral of pdf_X(x) * cdf_Y(x),
    with the cdf itself built by the trapezoid rule on the same grid."""
    h = 1.0 / steps
    xs = [i * h for i in range(steps + 1)]
    pdf_x = [beta_pdf(x, a1, b1) for x in xs]
    pdf_y = [beta_pdf(x, a2, b2) for x in xs]
    cdf_y = [0.0]
    for i in range(steps):
        cdf_y.append(cdf_y[-1] + h * (pdf_y[i] + pdf_y[i + 1]) / 2)
    integrand = [p * c for p, c in zip(pdf_x, cdf_y, strict=True)]
    return h * (sum(integrand) - (integrand[0] + integrand[-1]) / 2)


# --- exploring: the even split below min_sends ---------------------------------------------------


def test_an_arm_below_min_sends_keeps_the_split_even_and_is_named() -> None:
    result = allocate(
        [arm(12, sends=40, conversions=20), arm(13, sends=500, conversions=1)], min_sends=100
    )
    assert result.shares == {12: 0.5, 13: 0.5}
    assert result.exploring is True
    assert "variant #12 has 40 of the 100 sends needed" in result.reason
    assert "#13" not in result.reason


def test_with_several_short_arms_the_reason_names_the_fewest_and_counts_the_rest() -> None:
    arms = [arm(1, sends=90), arm(2, sends=30), arm(3, sends=60), arm(4, sends=5000)]
    result = allocate(arms, min_sends=100)
    assert result.shares == pytest.approx({1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25})
    assert result.exploring is True
    assert "variant #2 has 30 of the 100 sends needed and 2 other variant(s)" in result.reason


def test_exactly_min_sends_is_enough_to_allocate() -> None:
    arms = [arm(1, sends=1000, conversions=200), arm(2, sends=1000, conversions=50)]
    result = allocate(arms, min_sends=1000, seed=1)
    assert result.exploring is False
    assert result.shares[1] > 0.99
    assert result.reason == (
        "every variant has at least 1,000 sends: shares are each variant's probability of the "
        "best conversion rate, from 10,000 posterior draws"
    )


def test_no_minimum_allocates_even_with_no_sends_and_says_so() -> None:
    result = allocate([arm(1, sends=0), arm(2, sends=0)], min_sends=0, seed=3, draws=500)
    assert result.exploring is False
    assert result.reason.startswith("no minimum is set: ")


# --- Thompson shares ---------------------------------------------------------------------------


def test_a_clearly_better_arm_gets_nearly_all_traffic() -> None:
    arms = [arm(7, conversions=50), arm(8, conversions=200)]
    result = allocate(arms, min_sends=100, seed=42)
    assert result.shares[8] > 0.99
    assert result.shares[7] < 0.01


def test_identical_arms_split_about_evenly() -> None:
    arms = [arm(1, conversions=100), arm(2, conversions=100)]
    result = allocate(arms, min_sends=100, seed=7)
    assert result.shares[1] == pytest.approx(0.5, abs=0.03)
    assert result.shares[2] == pytest.approx(0.5, abs=0.03)


def test_shares_sum_to_one_and_follow_the_rates() -> None:
    arms = [arm(i, conversions=40 + 3 * i) for i in range(10)]
    result = allocate(arms, min_sends=100, seed=5)
    assert set(result.shares) == set(range(10))
    assert sum(result.shares.values()) == pytest.approx(1.0, abs=1e-9)
    assert max(result.shares, key=lambda vid: result.shares[vid]) == 9
    assert result.shares[9] > result.shares[0]


def test_a_seed_makes_the_split_deterministic() -> None:
    arms = [arm(1, conversions=100), arm(2, conversions=104), arm(3, conversions=97)]
    assert allocate(arms, min_sends=100, seed=11) == allocate(arms, min_sends=100, seed=11)


def test_different_seeds_give_different_splits_for_close_arms() -> None:
    arms = [arm(1, conversions=100), arm(2, conversions=104)]
    one, two = allocate(arms, min_sends=100, seed=1), allocate(arms, min_sends=100, seed=2)
    assert one.shares != two.shares


@pytest.mark.parametrize(
    ("first", "second", "prior"),
    [
        ((12, 100), (9, 100), (1.0, 1.0)),
        ((30, 400), (35, 420), (1.0, 1.0)),
        ((3, 20), (1, 15), (2.0, 5.0)),  # a prior that matters at these counts
    ],
)
def test_the_monte_carlo_share_matches_the_exact_posterior_probability(
    first: tuple[int, int], second: tuple[int, int], prior: tuple[float, float]
) -> None:
    (s1, t1), (s2, t2) = first, second
    arms = [arm(1, sends=t1, conversions=s1), arm(2, sends=t2, conversions=s2)]
    result = allocate(arms, min_sends=0, seed=2024, prior=prior)
    pa, pb = prior
    exact = prob_first_beats_second(pa + s1, pb + t1 - s1, pa + s2, pb + t2 - s2)
    assert 0.05 < exact < 0.95  # close enough that the test can tell a wrong posterior
    assert result.shares[1] == pytest.approx(exact, abs=0.02)


def test_the_success_counter_decides_which_arm_wins() -> None:
    arms = [arm(1, opens=400, conversions=10), arm(2, opens=200, conversions=60)]
    by_opens = allocate(arms, min_sends=100, success="opens", seed=1)
    by_conversions = allocate(arms, min_sends=100, seed=1)
    assert by_opens.shares[1] > 0.99
    assert by_conversions.shares[2] > 0.99
    assert "best open rate" in by_opens.reason


def test_the_posterior_is_over_deliveries_not_sends() -> None:
    """Same conversions and sends; arm 2 reached far fewer inboxes, so its rate is higher."""
    arms = [arm(1, sends=1000, conversions=50), arm(2, sends=1000, deliveries=500, conversions=50)]
    assert allocate(arms, min_sends=100, seed=9).shares[2] > 0.99


@pytest.mark.parametrize("n", [2, 3])
def test_ties_are_broken_uniformly_at_random(n: int) -> None:
    """A prior this strong makes every draw round to exactly 1.0, so every draw is a tie. Arm 0
    has the most failures: were ties resolved to the first arm it would take all the traffic, and
    were the draws not tied the last arm would."""
    arms = [arm(i, sends=n - i) for i in range(n)]
    result = allocate(arms, min_sends=0, seed=3, prior=(1e18, 1.0))
    for share in result.shares.values():
        assert share == pytest.approx(1 / n, abs=0.03)


# --- degenerate groups ---------------------------------------------------------------------------


def test_no_arms_gives_no_shares_and_says_so() -> None:
    result = allocate([], min_sends=100)
    assert result.shares == {}
    assert result.exploring is False
    assert "no variants" in result.reason


def test_one_arm_gets_all_traffic_even_below_min_sends() -> None:
    result = allocate([arm(5, sends=3)], min_sends=100)
    assert result.shares == {5: 1.0}
    assert result.exploring is False
    assert "#5" in result.reason


# --- rates ---------------------------------------------------------------------------------------


def test_rates_are_over_deliveries_when_reported() -> None:
    counts = arm(
        1,
        sends=1000,
        deliveries=800,
        opens=400,
        clicks=80,
        conversions=20,
        unsubscribes=8,
        complaints=1,
    )
    assert counts.trials == 800
    assert counts.delivery_rate == pytest.approx(0.8)
    assert counts.open_rate == pytest.approx(0.5)
    assert counts.click_rate == pytest.approx(0.1)
    assert counts.conversion_rate == pytest.approx(0.025)
    assert counts.unsubscribe_rate == pytest.approx(0.01)
    assert counts.complaint_rate == pytest.approx(0.00125)


def test_rates_fall_back_to_sends_without_deliveries() -> None:
    counts = arm(1, sends=200, deliveries=0, opens=50, clicks=10, conversions=4, unsubscribes=2)
    assert counts.trials == 200
    assert counts.delivery_rate == 0.0
    assert counts.open_rate == pytest.approx(0.25)
    assert counts.click_rate == pytest.approx(0.05)
    assert counts.conversion_rate == pytest.approx(0.02)
    assert counts.unsubscribe_rate == pytest.approx(0.01)
    assert counts.complaint_rate == 0.0


def test_rates_are_none_with_nothing_sent() -> None:
    counts = arm(1, sends=0)
    rates = [
        counts.delivery_rate,
        counts.open_rate,
        counts.click_rate,
        counts.conversion_rate,
        counts.unsubscribe_rate,
        counts.complaint_rate,
    ]
    assert rates == [None] * 6


# --- validation ----------------------------------------------------------------------------------

COUNTERS = ["sends", "deliveries", "opens", "clicks", "conversions", "unsubscribes", "complaints"]


@pytest.mark.parametrize("field", COUNTERS)
def test_a_negative_count_is_rejected_naming_variant_and_field(field: str) -> None:
    values = dict.fromkeys(COUNTERS, 10) | {field: -1}
    with pytest.raises(ValueError, match=rf"variant #31: {field} is -1"):
        ArmCounts(variant_id=31, **values)


def test_more_deliveries_than_sends_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"variant #4: deliveries \(11\) exceed sends \(10\)"):
        arm(4, sends=10, deliveries=11)


def test_more_successes_than_deliveries_is_rejected_naming_the_variant() -> None:
    arms = [arm(1, conversions=5), arm(9, sends=100, deliveries=80, conversions=81)]
    message = r"variant #9: conversions \(81\) exceed deliveries \(80\)"
    with pytest.raises(ValueError, match=message):
        allocate(arms, min_sends=0)


def test_more_successes_than_sends_is_rejected_when_deliveries_are_unreported() -> None:
    arms = [arm(3, sends=50, deliveries=0, opens=51)]
    with pytest.raises(ValueError, match=r"variant #3: opens \(51\) exceed sends \(50\)"):
        allocate(arms, min_sends=0, success="opens")


def test_only_the_chosen_success_counter_is_held_to_the_trials() -> None:
    """Clicks above deliveries (engines that count every click) do not block a conversion split."""
    arms = [arm(1, sends=10, clicks=25, conversions=2), arm(2, sends=10, conversions=1)]
    assert allocate(arms, min_sends=0, seed=1).exploring is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"success": "unsubscribes"}, r"success must be one of opens, clicks, conversions"),
        ({"min_sends": -1}, r"min_sends is -1"),
        ({"draws": 0}, r"draws is 0"),
        ({"prior": (0.0, 1.0)}, r"prior is \(0\.0, 1\.0\)"),
        ({"prior": (1.0, math.inf)}, r"prior is \(1\.0, inf\)"),
    ],
)
@pytest.mark.parametrize("arms", [[], [arm(1), arm(2)]], ids=["no arms", "two arms"])
def test_bad_parameters_are_rejected(
    kwargs: dict[str, object], message: str, arms: list[ArmCounts]
) -> None:
    options: dict[str, object] = {"min_sends": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        allocate(arms, **options)  # type: ignore[arg-type]


def test_a_repeated_variant_id_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"variant #6 appears twice"):
        allocate([arm(6), arm(6)], min_sends=0)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def arm_counts(draw: st.DrawFn, variant_id: int) -> ArmCounts:
    sends = draw(st.integers(0, 10_000))
    deliveries = draw(st.integers(0, sends))
    trials = deliveries or sends
    counter = st.integers(0, trials)
    return ArmCounts(
        variant_id=variant_id,
        sends=sends,
        deliveries=deliveries,
        opens=draw(counter),
        clicks=draw(counter),
        conversions=draw(counter),
        unsubscribes=draw(counter),
        complaints=draw(counter),
    )


groups = st.lists(st.integers(-1000, 1000), max_size=6, unique=True).flatmap(
    lambda ids: st.tuples(*(arm_counts(vid) for vid in ids)).map(list)
)


@settings(max_examples=150, deadline=None)
@given(
    arms=groups,
    min_sends=st.integers(0, 12_000),
    success=st.sampled_from(["opens", "clicks", "conversions"]),
    draws=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_shares_are_a_distribution_over_exactly_the_variants(
    arms: list[ArmCounts], min_sends: int, success: str, draws: int, seed: int
) -> None:
    result = allocate(arms, min_sends=min_sends, success=success, draws=draws, seed=seed)
    assert list(result.shares) == [a.variant_id for a in arms]
    assert all(0.0 <= share <= 1.0 for share in result.shares.values())
    if arms:
        assert sum(result.shares.values()) == pytest.approx(1.0, abs=1e-9)
    assert result.exploring == (len(arms) > 1 and any(a.sends < min_sends for a in arms))
