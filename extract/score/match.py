"""Pure matching functions: parse structured values, compare strictly or leniently,
and pair predictions with gold values one-to-one."""

from __future__ import annotations

import math
from typing import Callable

from rapidfuzz import fuzz

REL_TOL = 0.01
ABS_TOL = 0.01
DEFAULT_DOSE_UNIT = "1e6 cells"  # FIELD_GUIDE: dose `unit` defaults to 1e6 cells
# Fields kept "as written": a lenient reader forgives a plural, a typo, or a clause quoted with its tail.
FREE_TEXT_FIELDS = {"disease", "safety", "effect"}
FREE_TEXT_RATIO = 90
FREE_TEXT_MIN_WORDS_CONTAINED = 4


def is_structured(value: str) -> bool:
    return "=" in value


def parse_structured(value: str) -> dict[str, str]:
    """`key=value;key=value` → {key: value}; keys and values stripped, empty parts skipped."""
    out: dict[str, str] = {}
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, val = part.partition("=")
        if not sep:
            raise ValueError(f"not a key=value pair: {part!r} in {value!r}")
        out[key.strip()] = val.strip()
    return out


def as_number(text: str) -> float | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def numbers_close(a: float, b: float) -> bool:
    return abs(a - b) <= max(ABS_TOL, REL_TOL * max(abs(a), abs(b)))


def _atoms_equal(gold: str, pred: str, lenient: bool) -> bool:
    g, p = as_number(gold), as_number(pred)
    if g is not None and p is not None:
        return numbers_close(g, p) if lenient else g == p
    if lenient:
        return gold.strip().casefold() == pred.strip().casefold()
    return gold.strip() == pred.strip()


DOSE_KEYS = frozenset({"value", "low", "high", "unit", "per", "arm"})
DOSE_AMOUNT_KEYS = frozenset({"value", "low", "high"})


def _is_dose(pairs: dict[str, str]) -> bool:
    return bool(pairs.keys() & DOSE_AMOUNT_KEYS) and pairs.keys() <= DOSE_KEYS


def _strict_dose_keys(g: dict[str, str], p: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A dose's optional parts, as FIELD_GUIDE defines them: a missing `unit` is `1e6 cells` on
    either side; `arm` is an optional label, judged only where the gold names one. `per` is not
    optional in this sense: a gold row without it says the paper states no denominator, so a
    predicted `per` is a wrong claim."""
    g, p = dict(g), dict(p)
    g.setdefault("unit", DEFAULT_DOSE_UNIT)
    p.setdefault("unit", DEFAULT_DOSE_UNIT)
    if "arm" not in g:
        p.pop("arm", None)
    return g, p


def strict_match(gold: str, pred: str, field: str = "") -> bool:
    """Exact normalised equality: codes case-sensitive after strip; structured values as
    parsed dicts with exactly equal numbers (so `1.0` equals `1`, key order is free); doses
    with FIELD_GUIDE's defaults filled in (:func:`_strict_dose_keys`); as-written fields
    equal but for case and spacing ("Knee Osteoarthritis" in a Title Case title is the
    knee osteoarthritis of the text)."""
    gold, pred = gold.strip(), pred.strip()
    if field in FREE_TEXT_FIELDS and not (is_structured(gold) or is_structured(pred)):
        return " ".join(gold.casefold().split()) == " ".join(pred.casefold().split())
    if is_structured(gold) or is_structured(pred):
        try:
            g, p = parse_structured(gold), parse_structured(pred)
        except ValueError:
            return gold == pred
        if _is_dose(g) and _is_dose(p):
            g, p = _strict_dose_keys(g, p)
        return g.keys() == p.keys() and all(_atoms_equal(g[k], p[k], lenient=False) for k in g)
    return _atoms_equal(gold, pred, lenient=False)


def free_text_match(gold: str, pred: str) -> bool:
    """Two as-written texts say the same: nearly equal (rapidfuzz ratio), or one of at
    least four words quoted whole inside the other."""
    g, p = " ".join(gold.casefold().split()), " ".join(pred.casefold().split())
    if fuzz.ratio(g, p) >= FREE_TEXT_RATIO:
        return True
    shorter, longer = sorted((g, p), key=len)
    return len(shorter.split()) >= FREE_TEXT_MIN_WORDS_CONTAINED and shorter in longer


def lenient_match(gold: str, pred: str, field: str = "") -> bool:
    """Case-insensitive codes; structured values key by key over the keys the gold row
    states (extra prediction keys ignored), numbers within 1% relative or 0.01 absolute;
    free-text fields by :func:`free_text_match`."""
    gold, pred = gold.strip(), pred.strip()
    if field in FREE_TEXT_FIELDS and not (is_structured(gold) or is_structured(pred)):
        return free_text_match(gold, pred)
    if is_structured(gold) or is_structured(pred):
        if not (is_structured(gold) and is_structured(pred)):
            return False
        try:
            g, p = parse_structured(gold), parse_structured(pred)
        except ValueError:
            return gold.casefold() == pred.casefold()
        if "unit" not in p and {"value", "low", "high"} & p.keys():
            p["unit"] = DEFAULT_DOSE_UNIT
        return all(k in p and _atoms_equal(v, p[k], lenient=True) for k, v in g.items())
    return _atoms_equal(gold, pred, lenient=True)


def one_to_one(gold: list[str], pred: list[str], same: Callable[[str, str], bool]) -> list[tuple[int, int]]:
    """Maximum one-to-one pairing of gold and predicted values (augmenting paths).

    Returns (gold_index, pred_index) pairs; a gold value satisfies at most one prediction."""
    edges = [[j for j, p in enumerate(pred) if same(g, p)] for g in gold]
    owner: dict[int, int] = {}  # pred index -> gold index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())
