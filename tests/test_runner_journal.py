"""The journal: a torn last line is dropped, a journal from another pipeline is refused, one batch per folder."""

from __future__ import annotations

import pytest

from extract.link.records import DocumentError, DocumentResult
from extract.store.journal import Journal, JournalError, JournalHeader

HEADER = JournalHeader(version="0.1.0", pipeline="blank: sentencizer > abbreviation_detector > msc_field_matcher")


def result(doc_id: str) -> DocumentResult:
    return DocumentResult(path=f"papers/{doc_id}.txt", doc_id=doc_id, characters=10, words=2)


def test_results_are_read_back_by_key_after_reopening(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal(path, HEADER, resume=False) as journal:
        journal.append("aa:one", result("one"))
        journal.append("bb:two", result("two"))
    with Journal(path, HEADER, resume=True) as journal:
        assert len(journal) == 2 and "aa:one" in journal
        assert journal.result("bb:two") == result("two")


def test_a_key_journaled_again_keeps_its_latest_result_and_failure_state(tmp_path):
    path = tmp_path / "journal.jsonl"
    timed_out = result("one").model_copy(update={"error": DocumentError(path="papers/one.txt", code="timeout", message="slow")})
    with Journal(path, HEADER, resume=False) as journal:
        journal.append("aa:one", timed_out)
        journal.append("bb:two", result("two"))
    with Journal(path, HEADER, resume=True) as journal:
        assert journal.failed("aa:one") and not journal.failed("bb:two")
        journal.append("aa:one", result("one"))
        assert not journal.failed("aa:one")
    with Journal(path, HEADER, resume=True) as journal:
        assert len(journal) == 2 and not journal.failed("aa:one") and journal.result("aa:one") == result("one")


def test_a_line_torn_by_a_kill_is_dropped_and_the_journal_goes_on(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal(path, HEADER, resume=False) as journal:
        journal.append("aa:one", result("one"))
    whole = path.read_bytes()
    # What a kill mid-write leaves: half a line, no newline.
    path.write_bytes(whole + b'{"key":"bb:two","result":{"path":"pap')
    with Journal(path, HEADER, resume=True) as journal:
        assert len(journal) == 1 and "bb:two" not in journal
        journal.append("bb:two", result("two"))
    with Journal(path, HEADER, resume=True) as journal:
        assert journal.result("aa:one").doc_id == "one" and journal.result("bb:two").doc_id == "two"
    assert path.read_bytes().startswith(whole)


def test_a_damaged_line_inside_the_journal_is_an_error_naming_it(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal(path, HEADER, resume=False) as journal:
        journal.append("aa:one", result("one"))
    path.write_bytes(path.read_bytes() + b"not json\n")
    with pytest.raises(JournalError, match=r"journal.jsonl:3: not a journal line"):
        Journal(path, HEADER, resume=True)


def test_resuming_a_journal_of_another_pipeline_is_refused(tmp_path):
    path = tmp_path / "journal.jsonl"
    Journal(path, HEADER, resume=False).close()
    other = HEADER.model_copy(update={"pipeline": "en_core_sci_sm: parser > abbreviation_detector > msc_field_matcher"})
    with pytest.raises(JournalError, match="run without --resume"):
        Journal(path, other, resume=True)
    with Journal(path, other, resume=False) as journal:  # starting afresh is always allowed
        assert len(journal) == 0


def test_two_batches_cannot_write_one_folder(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal(path, HEADER, resume=False):
        with pytest.raises(JournalError, match="another batch"):
            Journal(path, HEADER, resume=True)
