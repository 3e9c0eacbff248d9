"""The parts of FIELD_GUIDE's structured values, as the normalisers parse and serialise them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Dose(BaseModel):
    """One dose as FIELD_GUIDE serialises it; cell counts are in units of 10^6 cells.

    ``per`` is None unless the paper says what the number is per ("/kg", "per infusion", "a total of"):
    a bare count states no denominator, and none is invented for it."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = "1e6 cells"
    per: Literal["total", "kg", "site", "disc", "infusion", "dose"] | None = None
    arm: str | None = None


class AlloantibodyResult(BaseModel):
    """Patients with alloantibodies: counts where stated, percent otherwise."""

    positive: int | None = None
    total: int | None = None
    percent: float | None = None


class SampleSize(BaseModel):
    total: int | None = None
    treated: int | None = None
    control: int | None = None


class FollowUp(BaseModel):
    months: float
