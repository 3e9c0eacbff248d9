"""Several doses written as one: lists ("20, 100, or 200 × 10^6") and ranges ("0.5 × 10^6 – 1 × 10^6").

A list states its magnitude and denominator once, at its end, and every member
shares them; it needs an "or"/"and" to be a list at all, so "In 2009, 27.68
million" stays two numbers. A range whose two ends each carry a magnitude is one
dose with low and high.
"""

from __future__ import annotations

import re

from extract.normalize.dose.quantity import Item, total_cue, vehicle_after

_RANGE_GAP = re.compile(r"^\s*(?:–|-|to)\s*$")
_LIST_SEPARATOR = re.compile(r"^\s*(?:,\s*)?(?:(?P<conn>or|and|vs\.?|versus)\s+)?$", re.IGNORECASE)


def group_items(items: list[Item], normal: str) -> list[list[Item]]:
    """Split items into lists joined only by commas/"or"/"and"; join a range whose ends both carry a magnitude."""
    groups: list[list[Item]] = []
    for item in items:
        if groups:
            previous = groups[-1][-1]
            gap = normal[previous.end : item.start]
            if _RANGE_GAP.match(gap) and _merge_range(previous, item):
                continue
            if _LIST_SEPARATOR.match(gap):
                groups[-1].append(item)
                continue
        groups.append([item])
    return [g for g in groups if g]


def _merge_range(left: Item, right: Item) -> bool:
    """Make ``left`` the range left–right if both are plain counts."""
    if left.high is not None or right.high is not None or left.percent or right.percent:
        return False
    if left.volume or right.volume or left.from_word or right.from_word:
        return False
    if left.exponent is None or right.exponent is None:
        return False
    left.high = right.low.scaleb(right.exponent - left.exponent)
    left.end = right.end
    left.per = left.per or right.per
    left.cell = left.cell or right.cell
    left.density = left.density or right.density
    left.vehicle = left.vehicle or right.vehicle
    left.cell_words = left.cell_words or right.cell_words
    left.denominator = left.denominator or right.denominator
    left.arm = left.arm or right.arm
    return True


def has_connector(group: list[Item], normal: str) -> bool:
    for left, right in zip(group, group[1:]):
        match = _LIST_SEPARATOR.match(normal[left.end : right.start])
        if match and match.group("conn"):
            return True
    return False


def inherit_within(group: list[Item], normal: str) -> None:
    """Give list members the magnitude, cell word and denominator stated once
    at the list's end ("20, 100, or 200 (× 10^6)", "0.5, 1.6 and 5/kg", "1, 2 or 4 million in total",
    "5, 10 or 20 × 10^6 cells in 2 mL")."""
    if len(group) < 2:
        return
    last = group[-1]
    last.per = last.per or total_cue(normal, last.start, last.end, last.cell_words)
    last.vehicle = last.vehicle or vehicle_after(normal, last.end)
    exponent: int | None = None
    per: str | None = None
    cell = False
    vehicle = False
    needs_context = False
    for item in reversed(group):
        if item.percent or item.volume:
            continue
        if item.exponent is None and exponent is not None:
            item.exponent = exponent
            item.needs_context = needs_context
        if item.per is None:
            item.per = per
        item.cell = item.cell or cell
        item.vehicle = item.vehicle or vehicle
        if item.exponent is not None:
            exponent, needs_context = item.exponent, item.needs_context
        per = item.per or per
        cell = cell or item.cell
        vehicle = vehicle or item.vehicle
