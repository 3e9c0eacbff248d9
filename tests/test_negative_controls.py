"""Real trials that are not cell therapy yield no study."""

from extract.run import process_path

from conftest import negative_control_texts


def test_non_cell_therapy_trials_yield_no_study(nlp):
    paths = negative_control_texts()
    assert len(paths) >= 25
    found = {p.name: len(r.studies) for p in paths if (r := process_path(p, nlp)).studies or r.error}
    assert found == {}
