"""SMS encoding and segment arithmetic (GSM-7 septets, UCS-2 code units)."""

from __future__ import annotations

from guardrails import sms


def test_gsm7_and_ucs2_segments() -> None:
    assert sms.encoding("Hello @ £5") == "GSM-7"
    assert sms.segments("a" * 160) == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("a" * 306) == 2 and sms.segments("a" * 307) == 3
    assert sms.units("10€ [x]") == 10  # € [ ] cost two septets each
    assert sms.encoding("Don’t") == "UCS-2"
    assert sms.segments("Don’t" + "a" * 65) == 1 and sms.segments("Don’t" + "a" * 66) == 2
    assert sms.units("🔥") == 2  # outside the BMP: a surrogate pair
    assert sms.segments("") == 0


def test_measure_gives_encoding_units_and_segments() -> None:
    assert sms.measure("Hi {x}") == ("GSM-7", 8, 1)  # the braces are extension characters
    assert sms.measure("Don’t" + "a" * 70) == ("UCS-2", 75, 2)
    assert sms.non_gsm7("Café ’€🔥") == {"’", "🔥"}
