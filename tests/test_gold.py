"""Checks on the hand-made gold tables in gold/ (stdlib + pandas only).

The gold was written by reading the papers; these tests only check that it is
well formed: the columns, that every evidence quote occurs verbatim in its
paper (whitespace runs folded), the normalised vocabularies of FIELD_GUIDE.md,
the key=value forms of structured values, and the study keys of the two
seed reviews.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "gold"
CORPUS = ROOT / "corpus"
COLUMNS = ["doc_id", "study_key", "field", "value", "evidence"]

GOLD_FILES = sorted(GOLD.glob("*.csv"))

FIELDS = {
    "donor_type", "cell_type", "source", "route", "dose", "n_administrations",
    "disease", "design", "sample_size", "follow_up", "alloantibody_assay",
    "alloantibody_result", "presensitized", "safety", "effect",
}
VOCAB = {
    "route": {
        "intravenous", "intra-arterial", "intracoronary", "transendocardial",
        "intramyocardial", "intramuscular", "intra-articular", "intradiscal",
        "intralesional", "intrathecal", "subcutaneous", "intradermal", "topical",
        "intraperitoneal", "intraportal",
    },
    "source": {
        "bone_marrow", "adipose_tissue", "umbilical_cord", "wharton_jelly", "placenta",
        "cord_blood", "amnion", "decidua", "dental_pulp", "menstrual_blood",
        "synovium", "peripheral_blood",
    },
    "donor_type": {"allogeneic", "autologous"},
    # FIELD_GUIDE's design list, plus `phase Ib` (printed in 004's Table 1).
    "design": {
        "RCT", "phase I", "phase I/II", "phase II", "phase IIb", "phase III",
        "phase Ib", "cohort", "case series", "pilot", "retrospective", "open-label",
        "double-blind", "placebo-controlled",
    },
}
ASSAY = re.compile(r"^(DSA|cPRA|anti-HLA)( class (I|II|I/II))?$")

NUMERIC_KEYS = {"value", "low", "high", "positive", "total", "percent", "treated",
                "control", "months"}
STRUCTURED_KEYS = {
    "dose": {"value", "low", "high", "unit", "per", "arm"},
    "sample_size": {"total", "treated", "control"},
    "alloantibody_result": {"positive", "total", "percent"},
    "presensitized": {"percent"},
    "follow_up": {"months", "low", "high"},
}
PER = {"total", "kg", "site", "disc", "infusion", "dose"}

KEYS_000 = ["46", "47", "48", "49", "50,51", "52", "53", "54", "55", "56", "57", "58", "59"]
KEYS_004 = [
    "44", "45", "46", "47", "48", "49", "50", "51", "57", "61", "62", "63", "70", "71",
    "72", "73", "74", "75", "76", "77", "83", "84", "85", "86", "87", "88", "89", "90",
    "91", "94", "95", "96", "97", "98", "110", "111", "112", "113", "114", "115", "116",
    "117",
]


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def parse_pairs(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in value.split(";"):
        assert "=" in part, f"not key=value: {part!r} in {value!r}"
        key, _, val = part.partition("=")
        assert key and val, f"empty key or value in {value!r}"
        assert key not in pairs, f"repeated key {key!r} in {value!r}"
        pairs[key] = val
    return pairs


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_gold_files_exist():
    names = {p.stem for p in GOLD_FILES}
    assert {"000_99413260b5e6cc0d", "004_0683142eb9ad4bee", "PMC5009698",
            "PMC5320771"} <= names


@pytest.fixture(params=GOLD_FILES, ids=lambda p: p.stem)
def gold(request):
    path = request.param
    return path, load(path)


def test_columns(gold):
    path, df = gold
    assert list(df.columns) == COLUMNS
    assert len(df) > 0
    assert (df["doc_id"] == path.stem).all()
    assert (CORPUS / f"{path.stem}.txt").exists()
    assert set(df["field"]) <= FIELDS, set(df["field"]) - FIELDS
    assert (df["value"].str.strip() != "").all()
    assert (df["evidence"].str.strip() != "").all()
    assert not df.duplicated(["study_key", "field", "value"]).any()


def test_evidence_is_verbatim(gold):
    path, df = gold
    text = fold((CORPUS / f"{path.stem}.txt").read_text(encoding="utf-8"))
    missing = [(r.study_key, r.field, r.evidence) for r in df.itertuples()
               if fold(r.evidence) not in text]
    assert not missing, missing[:5]


def test_categorical_vocabularies(gold):
    _, df = gold
    for field, allowed in VOCAB.items():
        bad = set(df.loc[df["field"] == field, "value"]) - allowed
        assert not bad, (field, bad)
    bad = [v for v in df.loc[df["field"] == "alloantibody_assay", "value"]
           if not ASSAY.match(v)]
    assert not bad, bad


def test_structured_values(gold):
    _, df = gold
    for row in df.itertuples():
        if row.field in STRUCTURED_KEYS:
            pairs = parse_pairs(row.value)
            extra = set(pairs) - STRUCTURED_KEYS[row.field]
            assert not extra, (row.field, row.value)
            for key, val in pairs.items():
                if key in NUMERIC_KEYS:
                    assert is_number(val), (row.field, row.value)
            if row.field == "dose":
                assert "value" in pairs or {"low", "high"} <= pairs.keys(), row.value
                if "low" in pairs:
                    assert float(pairs["low"]) <= float(pairs["high"]), row.value
                assert "unit" in pairs, row.value
                assert pairs.get("per", "total") in PER, row.value
            if row.field == "sample_size":
                assert len(pairs) == 1, row.value
                assert float(pairs.popitem()[1]).is_integer(), row.value
            if row.field == "follow_up":
                assert "months" in pairs or {"low", "high"} <= pairs.keys(), row.value
        elif row.field == "n_administrations":
            assert re.fullmatch(r"[1-9][0-9]*", row.value), row.value


def test_study_keys_000():
    df = load(GOLD / "000_99413260b5e6cc0d.csv")
    assert sorted(set(df["study_key"]), key=KEYS_000.index) == KEYS_000
    for key in KEYS_000:
        fields = set(df.loc[df["study_key"] == key, "field"])
        assert {"route", "disease", "alloantibody_assay"} <= fields, key


def test_study_keys_004():
    df = load(GOLD / "004_0683142eb9ad4bee.csv")
    keys = set(df["study_key"])
    assert len(keys) == 42
    assert keys == set(KEYS_004)
    for key in keys:
        rows = df[df["study_key"] == key]
        for field in ("disease", "source", "design", "effect"):
            assert (rows["field"] == field).sum() == 1, (key, field)
        assert 1 <= (rows["field"] == "donor_type").sum() <= 2, key


@pytest.mark.parametrize("doc_id", ["PMC5009698", "PMC5320771"])
def test_primary_papers_have_one_study(doc_id):
    df = load(GOLD / f"{doc_id}.csv")
    assert set(df["study_key"]) == {""}
    for field in ("route", "source", "donor_type", "disease", "dose", "sample_size"):
        assert (df["field"] == field).any(), field


def test_headline_quotes_are_verbatim():
    import json

    headlines = json.loads((ROOT / "gold" / "headlines.json").read_text(encoding="utf-8"))
    for doc_id, figures in headlines.items():
        if doc_id.startswith("_"):
            continue
        text = fold((CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8"))
        quotes = [f["evidence"] for f in figures.values() if "evidence" in f]
        quotes += [a["evidence"] for a in figures.get("by_assay", {}).values()]
        assert quotes and all(fold(q) in text for q in quotes), [q for q in quotes if fold(q) not in text]
