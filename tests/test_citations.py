from hypothesis import given, settings
from hypothesis import strategies as st

from extract.normalize.citations import find_citation_groups, parse_citation_numbers


def test_lists_ranges_and_bracket_runs():
    text = "ranging from one single patient [46, 47] , two patients [54] , and [18–20] then [46] [47] [48] ."
    groups = find_citation_groups(text, offset=100)
    assert [g.numbers for g in groups] == [(46, 47), (54,), (18, 19, 20), (46, 47, 48)]
    assert [g.brackets for g in groups] == [1, 1, 1, 3]
    assert text[groups[0].start - 100 : groups[0].end - 100] == "[46, 47]"


def test_not_citations():
    assert find_citation_groups("a [b] matrix [x, y] and 10^[6]") == []
    assert parse_citation_numbers("5–2") == [5, 2]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_and_offsets_hold(text):
    for group in find_citation_groups(text):
        assert text[group.start] == "[" and text[group.end - 1] == "]"
        assert group.numbers
