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


def is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def encoding(text: str) -> str:
    return "GSM-7" if all(is_gsm7(c) for c in text) else "UCS-2"


def units(text: str) -> int:
    """Septets for GSM-7, UTF-16 code units for UCS-2 (an emoji outside the BMP takes two)."""
    if encoding(text) == "GSM-7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    n = units(text)
    single, part = (160, 153) if encoding(text) == "GSM-7" else (70, 67)
    if n == 0:
        return 0
    return 1 if n <= single else math.ceil(n / part)
