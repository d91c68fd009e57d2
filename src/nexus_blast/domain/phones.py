"""Brazilian phone numbers: any common spelling → E.164, or a stable reason code (pure, no I/O).

The rules are ../shared/br-phones.md: +55, one of Anatel's 67 DDDs, then 9 digits starting 91-99
(mobile) or 8 digits starting 2-5 (landline); a legacy 8-digit mobile (6-9) gets its 9 back and is
flagged. The shape is decided here (phonenumbers misreads carrier codes, `0055` and legacy mobiles);
`phonenumbers` then has the last word on validity and supplies foreign-number parsing.

Reason codes (stable; documented in README "Contacts"):
  empty               nothing in the cell (blanks and invisible marks only)
  not_a_number        letters or symbols that are not part of a phone spelling, or no digit at all
  too_short           fewer digits than a subscriber number (short codes such as 190, 192)
  too_long            more digits than any Brazilian spelling (two numbers in one cell, ...)
  missing_ddd         an 8/9-digit subscriber number without area code (and no default DDD)
  invalid_ddd         a DDD that is not in Anatel's plan (10, 20, 23, ...)
  invalid_number      right length but not a person's number: `90…`, 8 digits starting 0/1,
                      non-geographic 0800/0300/0500/0900/3003/400x, extensions (ramal/ext),
                      numbers phonenumbers says do not exist, invalid foreign numbers
  scientific_notation Excel wrote `5,51199E+12`: the digits are lost, never guessed
  foreign             a valid non-Brazilian number (accepted with allow_foreign)
  duplicate           (assigned by validation) the same E.164 seen earlier in the file
  opted_out           (assigned by validation) the number is on the opt-out list
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nexus_blast.domain.cells import unescape_cell

REASONS: tuple[str, ...] = (
    "empty",
    "not_a_number",
    "too_short",
    "too_long",
    "missing_ddd",
    "invalid_ddd",
    "invalid_number",
    "scientific_notation",
    "foreign",
    "duplicate",
    "opted_out",
)

DDDS: frozenset[str] = frozenset(
    """11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49
    51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89
    91 92 93 94 95 96 97 98 99""".split()
)

KINDS = ("mobile", "landline", "foreign")


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """The outcome for one cell: E.164 and kind when valid, else a reason code."""

    e164: str | None = None
    kind: str | None = None
    legacy_mobile: bool = False
    reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.reason is None


# Invisible marks WhatsApp and spreadsheets add (direction marks, zero-width, BOM, soft hyphen).
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_SEPARATORS = re.compile(r"[\s.\-()/_\[\]\u2010-\u2015\u2212\u00b7]+")  # incl. Unicode dashes
_ASCII_SPELLING = re.compile(r"\+?[0-9]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d*)?e[+-]?\d+$", re.IGNORECASE)
_EXTENSION = re.compile(r"(?:ramal|ext\.?|extens[aã]o|r\.|x|#)\s*\d+\s*$", re.IGNORECASE)
_TRUNK_XX = re.compile(r"(?<![0-9a-z])0\s*xx\s*", re.IGNORECASE)  # "0xx11", "(0xx11)", "+55 (0xx11)"
_FLOAT_ZERO = re.compile(r"^(\+?[0-9]{10,15})[.,]0+$")  # a float column exported: "11987654321.0"
_NON_GEOGRAPHIC = re.compile(r"^0?[3589]00\d{6,7}$")  # 0800, 0300, 0500, 0900
_SHARED_COST = re.compile(r"^(?:300\d|400\d|4020|4062)\d{4}$")  # 3003-, 4004-, 4003-...
_MIN_SUBSCRIBER = 8


def normalize_phone(raw: str | None, *, default_ddd: str = "", allow_foreign: bool = False) -> PhoneResult:
    """Any spelling of a phone number → PhoneResult (E.164 + kind, or a reason code)."""
    if raw:
        fast = fast_brazilian(raw)
        if fast is not None:
            return PhoneResult(e164=fast[0], kind=fast[1], legacy_mobile=fast[2])
    return _normalize(raw, default_ddd, allow_foreign)


# The common spellings ("(11) 98765-4321", "+55 11 98765-4321", "5511987654321", "011 …", "0xx11 …",
# "0 21 11 …")
# settled by digit rules alone: ASCII digits with spaces, parentheses and hyphens, a Brazilian
# number of DDD + 8/9 digits. phonenumbers agrees with these rules on every such number (checked by
# tests/domain/test_phones.py); skipping its regex machinery is what makes validation fast.
_MOBILE_SECOND = frozenset("123456789")  # 9 digits starting 91-99; 90 is the collect-call prefix


def fast_brazilian(raw: str) -> tuple[str, str, bool] | None:
    """`(e164, kind, legacy_mobile)` of a valid common Brazilian spelling (what normalize_phone
    would say, without building a PhoneResult: validation's per-row path), or None when the full
    rules must decide (any other character, foreign or 00-prefixed numbers, a wrong length, DDD
    or first digit: the slow path then names the reason). Only digits, spaces, `-`, `(`, `)`, one
    leading `+` and a trunk `0xx` pass, so a cell holding several numbers (`;`, `/`, `,`, `:`,
    line breaks) is never settled here."""
    if not raw.isascii():
        return None
    body = raw.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")  # 4x faster than translate
    first = body[:1]
    if first == "+":
        body = body[1:]
        if not body.isdigit() or body[:2] != "55":
            return None
        national = body[3:] if body[2:3] == "0" else body[2:]  # "+55 (011) …" keeps its trunk 0
    elif first == "0":
        body = body[3:] if body[1:3] in ("xx", "XX") else body[1:]  # "0xx11 …", "(0XX11) …": the trunk 0
        if not body.isdigit() or body[:1] == "0":  # "00…": international, the full rules decide
            return None
        national = body[2:] if len(body) in (12, 13) else body  # a carrier code after the trunk 0
    else:
        if not body.isdigit():
            return None
        national = body[2:] if body[:2] == "55" and len(body) in (12, 13) else body
    n = len(national)
    if n == 11:
        if national[2] == "9" and national[3] in _MOBILE_SECOND and national[:2] in DDDS:
            return "+55" + national, "mobile", False
        return None
    if n != 10 or national[:2] not in DDDS:
        return None
    first = national[2]
    if first in "2345":
        if national[2:5] in ("300", "400") or national[2:6] in ("4020", "4062"):  # shared-cost numbers
            return None
        return "+55" + national, "landline", False
    if first in "6789":  # a legacy 8-digit mobile: its 9 back
        return "+55" + national[:2] + "9" + national[2:], "mobile", True
    return None


def _fast_brazilian(raw: str) -> PhoneResult | None:
    """fast_brazilian's answer as the PhoneResult normalize_phone returns (None: undecided)."""
    fast = fast_brazilian(raw)
    return None if fast is None else PhoneResult(e164=fast[0], kind=fast[1], legacy_mobile=fast[2])


def _normalize(raw: str | None, default_ddd: str, allow_foreign: bool) -> PhoneResult:
    """The full rules (every spelling; phonenumbers checks what the shape decided, parses foreign numbers)."""
    text = _clean(unescape_cell(raw or ""))  # `'+5511…` from blast's own CSV files
    if not text:
        return PhoneResult(reason="empty")
    if not _ASCII_SPELLING.fullmatch(text):
        text = _canonical_text(text)
        if isinstance(text, PhoneResult):
            return text
    if text[0] == "+":
        return _international(text[1:], allow_foreign)
    digits = text
    if digits.startswith("00"):
        return _international(digits[2:], allow_foreign, carrier_possible=True)
    if _NON_GEOGRAPHIC.match(digits):
        return PhoneResult(reason="invalid_number")
    digits = _strip_prefixes(digits)
    if _NON_GEOGRAPHIC.match(digits):  # "55 0800 …", "0 21 0800 …"
        return PhoneResult(reason="invalid_number")
    return _national(digits, default_ddd)


def whatsapp_digits(e164: str) -> str:
    """The digits WhatsApp ids use: "+5511987654321" → "5511987654321"."""
    return e164.lstrip("+")


def is_ddd(value: str) -> bool:
    return value in DDDS


def _clean(raw: str) -> str:
    text = raw.translate(_INVISIBLE).strip()
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()


def _canonical_text(text: str) -> str | PhoneResult:
    """Punctuated or odd spellings → "+digits" or "digits", or the reason they are not a number."""
    if _SCIENTIFIC.match(text.replace(" ", "")):
        return PhoneResult(reason="scientific_notation")
    whole = _FLOAT_ZERO.match(text)
    if whole:
        return whole.group(1)
    text = _TRUNK_XX.sub("0", text)
    extension = _EXTENSION.search(text)
    if extension and any(c.isdigit() for c in text[: extension.start()]):
        return PhoneResult(reason="invalid_number")
    plus = text.startswith("+")
    body = _SEPARATORS.sub("", text[1:] if plus else text)
    if body.startswith("+") and not plus:  # "(+55) 11 ..." after the parenthesis went away
        plus, body = True, body[1:]
    if not body:
        return PhoneResult(reason="not_a_number")
    body = "".join(str(unicodedata.digit(c)) if not c.isascii() and c.isdigit() else c for c in body)
    if not body.isascii() or not body.isdigit():
        return PhoneResult(reason="not_a_number")
    return ("+" if plus else "") + body


def _strip_prefixes(digits: str) -> str:
    """Drop `55`, a trunk `0` and a carrier code: what remains is DDD + subscriber (or less)."""
    n = len(digits)
    if digits[0] == "0":
        rest = digits[1:]
        if len(rest) in (12, 13):  # 0 + carrier (2) + DDD + subscriber
            return rest[2:]
        return rest
    if digits.startswith("55") and n in (12, 13):
        return digits[2:]
    if digits.startswith("550") and n in (13, 14):  # "55 (011) 9…": country code, then trunk zero
        return digits[3:]
    return digits


def _national(digits: str, default_ddd: str) -> PhoneResult:
    n = len(digits)
    if n < _MIN_SUBSCRIBER:
        return PhoneResult(reason="too_short")
    if n > 11:
        return PhoneResult(reason="too_long")
    if n <= 9:
        if _SHARED_COST.match(digits):
            return PhoneResult(reason="invalid_number")
        if not _plausible_subscriber(digits):
            return PhoneResult(reason="invalid_number")
        if not default_ddd:
            return PhoneResult(reason="missing_ddd")
        digits = default_ddd + digits
    ddd, subscriber = digits[:2], digits[2:]
    if ddd not in DDDS:
        return PhoneResult(reason="invalid_ddd")
    return _subscriber(ddd, subscriber)


def _plausible_subscriber(digits: str) -> bool:
    if len(digits) == 9:
        return digits[0] == "9" and digits[1] != "0"
    return digits[0] in "23456789"


def _subscriber(ddd: str, subscriber: str) -> PhoneResult:
    legacy = False
    if len(subscriber) == 9:
        if subscriber[0] != "9" or subscriber[1] == "0":
            return PhoneResult(reason="invalid_number")
        kind = "mobile"
    else:
        first = subscriber[0]
        if first in "2345":
            if _SHARED_COST.match(subscriber):
                return PhoneResult(reason="invalid_number")
            kind = "landline"
        elif first in "6789":
            subscriber, kind, legacy = "9" + subscriber, "mobile", True
        else:
            return PhoneResult(reason="invalid_number")
    national = ddd + subscriber
    if not _exists(national, kind):
        return PhoneResult(reason="invalid_number")
    return PhoneResult(e164="+55" + national, kind=kind, legacy_mobile=legacy)


def _exists(national: str, kind: str) -> bool:
    """phonenumbers' verdict on a Brazilian national number of the shape we decided."""
    from phonenumbers import PhoneNumber, PhoneNumberType, number_type  # only off the fast path

    found = number_type(PhoneNumber(country_code=55, national_number=int(national)))
    if kind == "mobile":
        return found in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return found in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _international(digits: str, allow_foreign: bool, *, carrier_possible: bool = False) -> PhoneResult:
    if not digits:
        return PhoneResult(reason="not_a_number")
    if digits.startswith("55"):
        national = digits[2:]
        if national.startswith("0"):  # "+55 (011) 9..." keeps its trunk zero
            national = national[1:]
        if _NON_GEOGRAPHIC.match(national) or _SHARED_COST.match(national):  # "+55 0800 …", "+55 4004 …"
            return PhoneResult(reason="invalid_number")
        if len(national) < 10:
            return PhoneResult(reason="too_short") if len(national) < _MIN_SUBSCRIBER else PhoneResult(reason="missing_ddd")
        return _national(national, "")
    return _foreign(digits, allow_foreign, carrier_possible=carrier_possible)


def _foreign(digits: str, allow_foreign: bool, *, carrier_possible: bool = False) -> PhoneResult:
    if len(digits) > 15 + (2 if carrier_possible else 0):
        return PhoneResult(reason="too_long")
    number = _parse_international(digits)
    if number is None and carrier_possible:  # "00 21 1 650…": carrier code between 00 and the country
        if digits[2:4] == "55":  # "00 21 55 11 9…" is a Brazilian number: Brazil's rules, never "foreign"
            return _international(digits[2:], allow_foreign)
        number = _parse_international(digits[2:])
    if number is None:
        return PhoneResult(reason="invalid_number")
    if not allow_foreign:
        return PhoneResult(reason="foreign")
    import phonenumbers

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneResult(e164=e164, kind="foreign")


def _parse_international(digits: str):
    """A valid phonenumbers.PhoneNumber for "+DIGITS", or None."""
    import phonenumbers  # imported when a number needs it: the common Brazilian spellings never do

    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None
