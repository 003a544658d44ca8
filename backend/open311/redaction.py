"""What the public may read of a request: numbers that identify people masked, places blurred.

Pure functions. A resident types a phone number or an ID number into a description as often
as not ("请联系 138 1234 5678"); the public feed shows the text with those numbers masked,
and a position rounded to a cell of about 100 m, so no request points at one door.
"""

from __future__ import annotations

import re
from typing import Final

# About 111 m of latitude, and 85-105 m of longitude across China.
POSITION_DECIMALS: Final = 3
_SEP: Final = r"[\s\-.]?"
# 18-digit resident ID (the last may be X), and the old 15-digit one.
_ID_NUMBER: Final = r"\d{6}(?:\d{8}|\d{6})\d{3}[\dXx]|\d{15}"
# Mainland mobile: 1[3-9]x xxxx xxxx, perhaps after +86 / 0086, perhaps in groups.
_MOBILE: Final = rf"(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}"
# Landline: area code 0xx or 0xxx (perhaps in brackets), then 7 or 8 digits.
_LANDLINE: Final = rf"[(（]?0\d{{2,3}}[)）]?{_SEP}\d{{3,4}}{_SEP}\d{{4}}"
# Any other long run of digits (bank cards, QQ numbers, local numbers without area code).
_LONG_NUMBER: Final = rf"\d{{3,}}(?:{_SEP}\d{{3,}})*"
LONG_NUMBER_DIGITS: Final = 7
_PERSONAL_NUMBER: Final = re.compile(
    rf"(?<!\d)(?:(?P<id>{_ID_NUMBER})|(?P<mobile>{_MOBILE})|{_LANDLINE}|{_LONG_NUMBER})"
    r"(?!\d)"
)


def _mask(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    if not (match.group("id") or match.group("mobile")) and len(digits) < LONG_NUMBER_DIGITS:
        return text  # a year, a house number, an amount: nobody's number
    # A mobile keeps its network prefix and last four digits, as 138****5678 is commonly
    # shown (a +86 in front is masked); every other number keeps only its last two.
    keep = set(digits[-11:-8] + digits[-4:]) if match.group("mobile") else set(digits[-2:])
    return "".join("*" if i in digits and i not in keep else char for i, char in enumerate(text))


def mask_personal_numbers(text: str) -> str:
    """The text with phone-like and ID-like numbers masked (138****5678)."""
    return _PERSONAL_NUMBER.sub(_mask, text)


def blurred(coordinate: float) -> float:
    """A latitude or longitude rounded to about 100 m."""
    return round(coordinate, POSITION_DECIMALS)
