"""SMS encoding and segment arithmetic (3GPP TS 23.038 GSM-7 default alphabet).

One character outside GSM-7 switches the whole message to UCS-2, which cuts a segment from 160
to 70 characters. Extension-table characters cost two septets. We keep the table here rather
than depend on an unmaintained package for forty lines of a published standard.
"""

from __future__ import annotations

import math

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# What a copywriter can type instead, so the message stays GSM-7.
TRANSLITERATIONS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "—": "-",
    "–": "-",
    "…": "...",
    "\u00a0": " ",
    "•": "-",
    "ç": "Ç",
}


GSM7 = GSM7_BASIC | GSM7_EXTENSION


def non_gsm7(text: str) -> set[str]:
    """The characters of `text` outside GSM-7 (empty for a pure GSM-7 text)."""
    return set(text) - GSM7


def encoding(text: str) -> str:
    return measure(text)[0]


def units(text: str) -> int:
    """Septets for GSM-7, UTF-16 code units for UCS-2 (an emoji outside the BMP takes two)."""
    return measure(text)[1]


def measure(text: str) -> tuple[str, int, int]:
    """(encoding, units, segments) of a message."""
    if non_gsm7(text):
        n, single, part, name = len(text.encode("utf-16-le")) // 2, 70, 67, "UCS-2"
    else:
        n = len(text) + sum(text.count(c) for c in GSM7_EXTENSION)
        single, part, name = 160, 153, "GSM-7"
    count = 0 if n == 0 else 1 if n <= single else math.ceil(n / part)
    return name, n, count


def segments(text: str) -> int:
    return measure(text)[2]
