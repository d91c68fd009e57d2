"""Brazilian phone normalisation: a table of real-world spellings, then properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_blast.domain.phones import DDDS, REASONS, normalize_phone, whatsapp_digits

M = "+5511987654321"  # the mobile most rows spell
L = "+551123456789"  # a São Paulo landline

# (spelling, expected E.164 or reason code, kind/legacy flag or None)
CASES = [
    # --- the spellings of br-phones.md, all the same mobile
    ("(11) 98765-4321", M, "mobile"),
    ("11987654321", M, "mobile"),
    ("11 9 8765-4321", M, "mobile"),
    ("+55 11 98765-4321", M, "mobile"),
    ("55 11 98765 4321", M, "mobile"),
    ("5511987654321", M, "mobile"),
    ("+5511987654321", M, "mobile"),
    ("011 98765-4321", M, "mobile"),
    ("0xx11 98765-4321", M, "mobile"),
    ("0XX11 98765-4321", M, "mobile"),
    ("0xx 11 98765-4321", M, "mobile"),
    ("(011) 98765-4321", M, "mobile"),
    ("0 15 11 98765-4321", M, "mobile"),
    ("0 21 11 98765-4321", M, "mobile"),
    ("0 41 11 98765-4321", M, "mobile"),
    ("0 14 11 98765-4321", M, "mobile"),
    ("0 31 11 98765-4321", M, "mobile"),
    ("0 12 11 98765-4321", M, "mobile"),
    ("015 11 98765 4321", M, "mobile"),
    ("0055 11 98765-4321", M, "mobile"),
    ("00 55 11 98765 4321", M, "mobile"),
    ("11.98765.4321", M, "mobile"),
    ("11-98765-4321", M, "mobile"),
    ("(11)98765-4321", M, "mobile"),
    ("(11) 9.8765-4321", M, "mobile"),
    ("  (11) 98765-4321  ", M, "mobile"),
    ("\t11 98765 4321\n", M, "mobile"),
    ("+55 (11) 98765-4321", M, "mobile"),
    ("+55(11)98765-4321", M, "mobile"),
    ("(+55) 11 98765-4321", M, "mobile"),
    ("+55 011 98765-4321", M, "mobile"),
    ("55 (11) 9 8765-4321", M, "mobile"),
    ("+ 55 11 98765 4321", M, "mobile"),
    ("11/98765-4321", M, "mobile"),
    ("\u200e+55 11 98765-4321\u200f", M, "mobile"),  # WhatsApp direction marks
    ("\u202a+55 11 98765-4321\u202c", M, "mobile"),
    ("\u2066+55 11 98765\u20114321\u2069", M, "mobile"),  # non-breaking hyphen
    ("\ufeff11987654321", M, "mobile"),
    ("11\u00a098765\u00a04321", M, "mobile"),  # no-break spaces
    ("\uff11\uff11\uff19\uff18\uff17\uff16\uff15\uff14\uff13\uff12\uff11", M, "mobile"),  # full-width
    ("+\uff15\uff15 11 98765-4321", M, "mobile"),
    ("11 98765–4321", M, "mobile"),  # en dash
    ("11 98765\u200b4321", M, "mobile"),  # zero-width space
    # --- other DDDs and mobiles
    ("(21) 99876-5432", "+5521998765432", "mobile"),
    ("(61) 99999-0000", "+5561999990000", "mobile"),
    ("(99) 98111-2233", "+5599981112233", "mobile"),
    ("(55) 99123-4567", "+5555991234567", "mobile"),  # DDD 55 (RS) is not the country code
    ("55 99123-4567", "+5555991234567", "mobile"),
    ("5555991234567", "+5555991234567", "mobile"),
    ("(68) 99912-3456", "+5568999123456", "mobile"),
    ("(96) 98123-4567", "+5596981234567", "mobile"),
    # --- landlines
    ("(11) 2345-6789", L, "landline"),
    ("11 2345 6789", L, "landline"),
    ("+55 11 2345-6789", L, "landline"),
    ("011 2345-6789", L, "landline"),
    ("0 21 11 2345-6789", L, "landline"),
    ("(21) 3456-7890", "+552134567890", "landline"),
    ("(48) 4567-8901", "+554845678901", "landline"),
    ("(51) 5123-4567", "+555151234567", "landline"),
    # --- legacy 8-digit mobiles: the 9 comes back
    ("(11) 8765-4321", M, "legacy"),
    ("11 8765 4321", M, "legacy"),
    ("+55 11 8765-4321", M, "legacy"),
    ("551187654321", M, "legacy"),
    ("0 15 11 8765-4321", M, "legacy"),
    ("(81) 7654-3210", "+5581976543210", "legacy"),
    ("(31) 6543-2109", "+5531965432109", "legacy"),
    ("(21) 9988-7766", "+5521999887766", "legacy"),
    # --- rejections
    ("", "empty", None),
    ("   ", "empty", None),
    ("\u200e\u200f", "empty", None),
    ("n/a", "not_a_number", None),
    ("sem telefone", "not_a_number", None),
    ("ABCD-EFGH", "not_a_number", None),
    ("11 9ABC-DEFG", "not_a_number", None),
    ("tel: 11 98765-4321", "not_a_number", None),
    ("---", "not_a_number", None),
    ("11 98765-4321 *", "not_a_number", None),
    ("190", "too_short", None),
    ("192", "too_short", None),
    ("12345", "too_short", None),
    ("8765-432", "too_short", None),
    ("+55", "too_short", None),
    ("119876543210", "too_long", None),
    ("11 98765-4321 / 11 91234-5678", "too_long", None),
    ("55119876543210", "too_long", None),
    ("98765-4321", "missing_ddd", None),
    ("8765-4321", "missing_ddd", None),
    ("2345-6789", "missing_ddd", None),
    ("+55 98765-4321", "missing_ddd", None),
    ("(10) 98765-4321", "invalid_ddd", None),
    ("(20) 98765-4321", "invalid_ddd", None),
    ("(23) 98765-4321", "invalid_ddd", None),
    ("(29) 2345-6789", "invalid_ddd", None),
    ("(40) 98765-4321", "invalid_ddd", None),
    ("(56) 98765-4321", "invalid_ddd", None),
    ("(90) 98765-4321", "invalid_ddd", None),
    ("+55 52 98765-4321", "invalid_ddd", None),
    ("(11) 90765-4321", "invalid_number", None),  # 90: collect calls, never a mobile
    ("(11) 88765-4321", "invalid_number", None),  # 9 digits must start with 9
    ("(11) 1234-5678", "invalid_number", None),
    ("(11) 0234-5678", "invalid_number", None),
    ("0800 123 4567", "invalid_number", None),
    ("0800-7654321", "invalid_number", None),
    ("0300 789 1234", "invalid_number", None),
    ("0500 123 4567", "invalid_number", None),
    ("4004-1234", "invalid_number", None),
    ("4003 5678", "invalid_number", None),
    ("3003-1234", "invalid_number", None),
    ("(11) 4004-1234", "invalid_number", None),
    ("(11) 3456-7890 ramal 12", "invalid_number", None),
    ("11 3456-7890 ext. 3", "invalid_number", None),
    ("11 3456-7890 x12", "invalid_number", None),
    ("5,51199E+12", "scientific_notation", None),
    ("5.51199E+12", "scientific_notation", None),
    ("5,51199e+12", "scientific_notation", None),
    ("1,19877E+10", "scientific_notation", None),
    ("5.5E12", "scientific_notation", None),
    ("+1 650 253 0000", "foreign", None),
    ("+351 912 345 678", "foreign", None),
    ("+44 20 7946 0958", "foreign", None),
    ("0021 1 650 253 0000", "foreign", None),  # from Brazil: 00 + carrier + country
    ("001 650 253 0000", "foreign", None),
    ("+1 000 000 0000", "invalid_number", None),
    # --- review fixes: spellings that were misread
    ("(0xx11) 98765-4321", M, "mobile"),  # the parenthesis hid the 0xx
    ("(0XX21) 2345-6789", "+552123456789", "landline"),
    ("+55 (0xx11) 98765-4321", M, "mobile"),
    ("55 011 98765-4321", M, "mobile"),  # 55 + trunk 0 + DDD
    ("00 21 55 11 98765-4321", M, "mobile"),  # 00 + carrier + 55: Brazilian, never "foreign"
    ("0015 55 11 8765-4321", M, "legacy"),
    ("11987654321.0", M, "mobile"),  # a float column exported: no digit lost
    ("5511987654321,0", M, "mobile"),
    ("+55 0800 123 4567", "invalid_number", None),  # non-geographic after +55 / 0055
    ("0055 0800 123 4567", "invalid_number", None),
    ("+55 4004-1234", "invalid_number", None),
    ("0055 4004 1234", "invalid_number", None),
    ("55 4004 1234", "invalid_number", None),
    ("00 21 55 10 98765-4321", "invalid_ddd", None),
]


@pytest.mark.parametrize(("raw", "expected", "kind"), CASES, ids=[repr(c[0]) for c in CASES])
def test_spellings(raw, expected, kind):
    result = normalize_phone(raw)
    if expected.startswith("+"):
        assert result.reason is None, result
        assert result.e164 == expected
        assert result.kind == ("mobile" if kind == "legacy" else kind)
        assert result.legacy_mobile is (kind == "legacy")
    else:
        assert result == normalize_phone(raw) and result.reason == expected
        assert result.e164 is None and result.kind is None


def test_table_is_large_and_covers_every_row_reason():
    assert len(CASES) >= 80
    row_reasons = {c[1] for c in CASES if not c[1].startswith("+")}
    assert row_reasons == set(REASONS) - {"duplicate", "opted_out"}


def test_default_ddd_places_numbers_without_one():
    assert normalize_phone("98765-4321", default_ddd="11").e164 == M
    assert normalize_phone("2345-6789", default_ddd="11").e164 == L
    legacy = normalize_phone("8765-4321", default_ddd="11")
    assert legacy.e164 == M and legacy.legacy_mobile
    # a number that has its own DDD keeps it
    assert normalize_phone("(21) 99876-5432", default_ddd="11").e164 == "+5521998765432"
    assert normalize_phone("4004-1234", default_ddd="11").reason == "invalid_number"


def test_foreign_allowed():
    result = normalize_phone("+1 650 253 0000", allow_foreign=True)
    assert (result.e164, result.kind, result.reason) == ("+16502530000", "foreign", None)
    assert normalize_phone("0021 1 650 253 0000", allow_foreign=True).e164 == "+16502530000"
    assert normalize_phone("+1 000 000 0000", allow_foreign=True).reason == "invalid_number"
    assert normalize_phone("+55 11 98765-4321", allow_foreign=True).kind == "mobile"
    # 00 + carrier code + 55 is a Brazilian number: mobile, with the DDD checked
    assert normalize_phone("00 21 55 11 98765-4321", allow_foreign=True).kind == "mobile"
    assert normalize_phone("00 21 55 10 98765-4321", allow_foreign=True).reason == "invalid_ddd"


def test_every_ddd_of_the_plan_is_accepted():
    assert len(DDDS) == 67
    for ddd in DDDS:
        assert normalize_phone(f"({ddd}) 99123-4567").e164 == f"+55{ddd}991234567"


def test_whatsapp_digits():
    assert whatsapp_digits("+5511987654321") == "5511987654321"


# --- properties ---------------------------------------------------------------------------------

ddds = st.sampled_from(sorted(DDDS))
mobile_subscribers = st.builds(lambda d, rest: f"9{d}{rest}", st.sampled_from("6789"), st.from_regex(r"\A[0-9]{7}\Z"))
separators = st.sampled_from(["", " ", "-", ".", "  ", " - ", "\u00a0"])


def _spell(ddd: str, subscriber: str, prefix: str, paren: bool, sep1: str, sep2: str, split: int) -> str:
    area = f"({ddd})" if paren else ddd
    if prefix == "0" and paren:
        area = f"(0{ddd})"
        prefix = ""
    return f"{prefix}{area}{sep1}{subscriber[:split]}{sep2}{subscriber[split:]}"


@settings(max_examples=300, deadline=None)
@given(
    ddd=ddds,
    subscriber=mobile_subscribers,
    prefix=st.sampled_from(["", "+55 ", "+55", "55 ", "55", "0", "0 ", "0xx", "0 15 ", "0 21 ", "0055 ", "+55 0"]),
    paren=st.booleans(),
    sep1=separators,
    sep2=separators,
    split=st.integers(1, 8),
    blanks=st.sampled_from(["", " ", "\u200e", "\t"]),
)
def test_any_spelling_of_a_valid_mobile_gives_the_same_e164(ddd, subscriber, prefix, paren, sep1, sep2, split, blanks):
    expected = f"+55{ddd}{subscriber}"
    canonical = normalize_phone(f"{ddd}{subscriber}")
    if canonical.reason is not None:  # phonenumbers knows this range is not allocated
        assert canonical.reason == "invalid_number"
        return
    assert canonical.e164 == expected
    spelled = blanks + _spell(ddd, subscriber, prefix, paren, sep1, sep2, split) + blanks
    result = normalize_phone(spelled)
    assert (result.e164, result.kind, result.legacy_mobile) == (expected, "mobile", False), spelled


@settings(max_examples=200, deadline=None)
@given(ddd=ddds, first=st.sampled_from("6789"), rest=st.from_regex(r"\A[0-9]{7}\Z"), prefix=st.sampled_from(["", "+55 ", "0", "0 21 "]))
def test_legacy_mobiles_get_their_nine(ddd, first, rest, prefix):
    result = normalize_phone(f"{prefix}({ddd}) {first}{rest[:3]}-{rest[3:]}")
    modern = normalize_phone(f"{ddd}9{first}{rest}")
    assert result.e164 == modern.e164
    if modern.reason is None:
        assert result.legacy_mobile


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_never_crashes_on_arbitrary_text(text):
    result = normalize_phone(text)
    assert (result.reason is None) == (result.e164 is not None)
    assert result.reason is None or result.reason in REASONS
    if result.e164 is not None:
        assert result.e164.startswith("+55") and result.e164[1:].isdigit()


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[+0-9 ().\-]{0,20}\Z"))
def test_phone_like_text_is_valid_or_has_a_reason(text):
    result = normalize_phone(text, allow_foreign=True)
    assert result.reason in REASONS or (result.e164 and result.kind in ("mobile", "landline", "foreign"))


# --- the Brazilian fast path (digit rules) against the full rules and against phonenumbers ------

from nexus_blast.domain.phones import PhoneResult, _fast_brazilian, _normalize, fast_brazilian  # noqa: E402


@pytest.mark.parametrize(("raw", "expected", "kind"), CASES)
def test_fast_path_agrees_with_the_full_rules_on_the_corpus(raw, expected, kind):
    full = _normalize(raw, "", False)
    assert normalize_phone(raw) == full
    fast = _fast_brazilian(raw) if raw else None
    assert fast is None or fast == full


def test_fast_path_settles_the_common_spellings():
    for raw in ("(11) 98765-4321", "+55 11 98765-4321", "5511987654321", "011 98765-4321", "0xx11 98765-4321",
                "0 21 11 98765-4321", "(11) 2345-6789", "(11) 8765-4321"):
        assert _fast_brazilian(raw) is not None, raw


def _plan(ddd: str, subscriber: str) -> str | None:
    """E.164 by ../shared/br-phones.md alone, or None when it is not a person's number."""
    if ddd not in DDDS:
        return None
    if len(subscriber) == 9:
        return f"+55{ddd}{subscriber}" if subscriber[0] == "9" and subscriber[1] != "0" else None
    if subscriber[0] in "2345":
        shared = subscriber[:3] in ("300", "400") or subscriber[:4] in ("4020", "4062")
        return None if shared else f"+55{ddd}{subscriber}"
    return f"+55{ddd}9{subscriber}" if subscriber[0] in "6789" else None


def _phonenumbers(raw: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, "BR")
    except phonenumbers.NumberParseException:
        return None
    valid = phonenumbers.is_valid_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if valid else None


PREFIXES = ["", "+55 ", "55 ", "0", "0 21 ", "0 15 ", "0 41 ", "+55 0", "0xx", "0XX"]
FORMATS = ["{p}{d}{s}", "{p}({d}) {a}-{b}", "{p}{d} {a} {b}", "{p}{d} {a}-{b}", "{p}({d}){a}-{b}",
           "(0{d}) {a}-{b}", "+55 (0xx{d}) {a}-{b}"]  # the last two carry their own prefix


@settings(max_examples=400, deadline=None)
@given(
    ddd=st.sampled_from(sorted(DDDS) + ["10", "20", "23", "29", "50", "90"]),
    subscriber=st.one_of(st.from_regex(r"9[0-9]{8}", fullmatch=True), st.from_regex(r"[0-9]{8}", fullmatch=True)),
    prefix=st.sampled_from(PREFIXES),
    fmt=st.sampled_from(FORMATS),
)
def test_fast_path_and_phonenumbers_on_generated_brazilian_spellings(ddd, subscriber, prefix, fmt):
    raw = fmt.format(p=prefix, d=ddd, s=subscriber, a=subscriber[:-4], b=subscriber[-4:])
    result = normalize_phone(raw)
    assert result == _normalize(raw, "", False)  # the fast path never changes a verdict
    expected = _plan(ddd, subscriber)
    assert result.e164 == expected, raw  # the numbering plan decides
    if result.e164 == _phonenumbers(raw) or "xx" in raw.lower():
        return  # phonenumbers agrees, or cannot read it ("x" starts an extension for phonenumbers)
    # Where phonenumbers differs, br-phones.md says why:
    legacy = len(subscriber) == 8 and subscriber[0] in "6789"  # old 8-digit mobile: the 9 goes back
    collect = len(subscriber) == 9 and subscriber[:2] == "90"  # 90 is the collect-call prefix
    shared = subscriber[:3] in ("300", "400") or subscriber[:4] in ("4020", "4062")  # 3003-/400x-: not people
    unused_ddd = ddd not in DDDS  # phonenumbers reads the digits under another split
    assert legacy or collect or shared or unused_ddd, (raw, result, _phonenumbers(raw))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 ()-+xX;,/:\n\r.", max_size=24))
def test_fast_path_never_settles_what_the_full_rules_would_not(raw):
    """Whatever the fast path settles, the full rules settle the same way; a cell that may hold
    several numbers (separators of domain/candidates.py) is always left to the full rules."""
    fast = fast_brazilian(raw)
    if fast is None:
        return
    assert PhoneResult(e164=fast[0], kind=fast[1], legacy_mobile=fast[2]) == _normalize(raw, "", False)
    assert not set(";,/:\n\r").intersection(raw)
