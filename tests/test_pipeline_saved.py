"""The pipeline saved with its rules: `nlp.to_disk()` carries them, `spacy.load()` restores them
without models/ at hand; rule files refuse unknown keys."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REVIEW_000, TRIAL_DISC
from extract.nlp.field_matcher import RULES_FILE, SPAN_KEY, FieldMatcher
from extract.nlp.patterns import FieldRule, load_rules
from extract.nlp.pipeline import build_pipeline
from extract.nlp.sentence_readers import READINGS_KEY
from extract.paths import models_dir

TEXTS = [TRIAL_DISC.read_text(encoding="utf-8"), REVIEW_000.read_text(encoding="utf-8")[:60_000]]

# Run in a new interpreter, outside the checkout, with MSC_EXTRACT_MODELS at a folder without
# patterns/: the field rules can only come from the saved pipeline. The sentence readers are code,
# and their vocabulary (lexicons/, context/) comes with the installed package, as the code does.
# No import of `extract`: spaCy finds our components through their entry points.
LOAD_AND_READ = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1])
try:
    from extract.nlp.patterns import load_rules
    load_rules()
except FileNotFoundError:
    pass
else:
    raise SystemExit("models/ was at hand")
texts = json.loads(sys.stdin.read())
print(json.dumps({
    "pipe_names": nlp.pipe_names,
    "spans": [
        [[[s.start_char, s.end_char, s.label_, s.id_] for s in doc.spans[key]] for key in ("fields", "readings")]
        for doc in nlp.pipe(texts)
    ],
}))
"""


def spans_of(nlp, texts):
    return [
        [[[s.start_char, s.end_char, s.label_, s.id_] for s in doc.spans[key]] for key in (SPAN_KEY, READINGS_KEY)]
        for doc in nlp.pipe(texts)
    ]


def test_a_saved_pipeline_loads_in_a_fresh_process_without_models_and_finds_the_same_spans(nlp, tmp_path):
    nlp.to_disk(tmp_path / "saved")
    saved_rules = (tmp_path / "saved" / "msc_field_matcher" / RULES_FILE).read_text(encoding="utf-8").splitlines()
    assert len(saved_rules) == len(load_rules())
    empty = tmp_path / "no-patterns"
    empty.mkdir()
    for vocabulary in ("lexicons", "context"):
        shutil.copytree(models_dir() / vocabulary, empty / vocabulary)
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_AND_READ, str(tmp_path / "saved")],
        input=json.dumps(TEXTS), capture_output=True, text=True, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "MSC_EXTRACT_MODELS": str(empty)},
    )
    assert loaded.returncode == 0, loaded.stderr
    result = json.loads(loaded.stdout)
    assert result["pipe_names"] == nlp.pipe_names
    assert nlp.pipe_names[:4] == ["msc_sentencizer", "msc_abbreviation_definitions", "msc_field_matcher", "msc_sentence_readers"]
    here = spans_of(nlp, TEXTS)
    assert all(fields and readings for fields, readings in here) and result["spans"] == here


def test_the_rules_round_trip_through_bytes(nlp):
    matcher = nlp.get_pipe("msc_field_matcher")
    empty = FieldMatcher(nlp)
    assert empty.rules == {}
    restored = empty.from_bytes(matcher.to_bytes())
    assert restored.rules == matcher.rules
    ours, theirs = restored(nlp.make_doc(TEXTS[0])), matcher(nlp.make_doc(TEXTS[0]))
    assert [(s.start, s.end, s.label_, s.id_) for s in ours.spans[SPAN_KEY]] == [
        (s.start, s.end, s.label_, s.id_) for s in theirs.spans[SPAN_KEY]
    ]
    assert len(ours.spans[SPAN_KEY]) > 10


def test_a_saved_pipeline_as_the_base_keeps_its_own_rules(nlp, tmp_path):
    # `--pipeline FOLDER` with a folder saved from our pipeline: its rules, not models/'s, and no component twice.
    saved = build_pipeline.__wrapped__("blank")
    routes = [rule for rule in load_rules() if rule.field == "route"]
    saved.get_pipe("msc_field_matcher").set_rules(routes)
    saved.to_disk(tmp_path / "routes-only")
    base = build_pipeline.__wrapped__(str(tmp_path / "routes-only"))
    assert base.pipe_names == nlp.pipe_names
    doc = base("Allogeneic bone marrow MSCs were given intravenously (IV) and by intradiscal injection.")
    assert {s.label_ for s in doc.spans[SPAN_KEY]} == {"route=intravenous", "route=intradiscal"}


def test_a_misspelt_key_is_an_error_naming_the_file_and_line(tmp_path):
    good = {"rule": "route.iv", "field": "route", "value": "intravenous", "phrases": ["intravenous"]}
    typo = {"rule": "route.ia", "field": "route", "value": "intra-arterial", "phrase": ["intra-arterial"]}
    path = tmp_path / "route.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(typo) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"(?s){re.escape(str(path))}:2: bad rule.*phrase.*Extra inputs are not permitted"):
        load_rules(tmp_path)
    with pytest.raises(ValueError, match="phrase"):
        FieldRule.model_validate(typo)


def test_a_saved_rule_file_is_read_as_strictly(nlp, tmp_path):
    nlp.get_pipe("msc_field_matcher").to_disk(tmp_path)
    rules = tmp_path / RULES_FILE
    rules.write_text(rules.read_text(encoding="utf-8") + '{"rule": "x", "field": "route", "value": "v", "regex": "x"}\n')
    with pytest.raises(ValueError, match=rf"{re.escape(str(rules))}:{len(load_rules()) + 1}: bad rule"):
        FieldMatcher(nlp).from_disk(tmp_path)


def test_an_empty_rule_folder_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no rule files"):
        load_rules(tmp_path)
