"""The pure parts of webhooks: the retry schedule with jitter and Retry-After, and which
addresses a delivery may go to."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random

import pytest

from studio.publishing import destinations, retries

MINUTE, HOUR = dt.timedelta(minutes=1), dt.timedelta(hours=1)
SPEC = [dt.timedelta(0), dt.timedelta(seconds=5), 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR,
        10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]  # fmt: skip


def test_the_schedule_is_the_standard_webhooks_one_then_stops() -> None:
    assert list(retries.SCHEDULE) == SPEC
    rng = random.Random(7)
    for made, planned in enumerate(SPEC[1:], start=1):
        waits = [retries.next_delay(made, rng=rng) for _ in range(200)]
        assert all(w is not None and planned * 0.9 <= w <= planned * 1.1 for w in waits)
        assert len(set(waits)) > 100  # jittered, not one instant for every delivery
    assert retries.next_delay(len(SPEC)) is None


def test_retry_after_is_never_undercut_and_never_past_a_day() -> None:
    assert retries.next_delay(1, dt.timedelta(seconds=90)) == dt.timedelta(seconds=90)
    longer = retries.next_delay(3, dt.timedelta(seconds=1))  # the schedule's 30 min wins
    assert longer is not None and longer >= 27 * MINUTE
    assert retries.next_delay(1, dt.timedelta(days=9)) == 24 * HOUR


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", dt.timedelta(seconds=120)),
        (" 7 ", dt.timedelta(seconds=7)),
        ("99999999999", 24 * HOUR),
        ("Fri, 04 Dec 2026 10:02:00 GMT", dt.timedelta(minutes=2)),
        ("Fri, 04 Dec 2026 09:00:00 GMT", dt.timedelta(0)),  # in the past: now
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(
    header: str | None, expected: dt.timedelta | None
) -> None:
    now = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    assert retries.parse_retry_after(header, now) == expected


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.8.8", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
     "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "::",
     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1"],
)  # fmt: skip
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not destinations.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert destinations.is_public(ipaddress.ip_address(address))


def test_a_name_that_resolves_inside_is_refused_when_it_is_resolved() -> None:
    with pytest.raises(destinations.PrivateDestination, match="allowed to reach private"):
        destinations.resolve("http://localhost:8080/hook", allow_private=False)
    allowed = destinations.resolve("http://localhost:8080/hook", allow_private=True)
    assert allowed.port == 8080 and ipaddress.ip_address(allowed.address).is_loopback
    with pytest.raises(destinations.BadDestination, match="cannot resolve"):
        destinations.resolve("https://no-such-host.invalid/hook", allow_private=False)


def test_a_host_name_is_left_for_delivery_time_but_a_literal_is_checked_now() -> None:
    destinations.check_literal("https://hooks.example.com/x", allow_private=False)
    destinations.check_literal("http://127.0.0.1/x", allow_private=True)
    with pytest.raises(destinations.BadDestination):
        destinations.check_literal("http://app.localhost/x", allow_private=False)
