"""Pure normalisers: the numbers, doses, durations, counts and results of MSC
papers, read from their surface forms into the FIELD_GUIDE serialised forms.

No I/O beyond reading the small lexicons under ``models/lexicons`` once, and
no spaCy: the NLP layer finds the mentions, these functions read them.
"""

from extract.normalize.dose import (
    cohort_labels,
    dose_arm_label,
    find_doses,
    header_multiplier,
    header_per,
    parse_doses,
    parse_serialised_dose,
    serialise_dose,
)
from extract.normalize.durations import (
    Duration,
    find_durations,
    follow_up_serialised,
    parse_follow_up,
    parse_follow_up_range,
    serialise_follow_up,
)
from extract.normalize.numbers import (
    MappedText,
    Measurement,
    format_number,
    normalize_mapped,
    normalize_numeric_text,
    parse_exponent,
    parse_measurement,
    parse_number,
    parse_word_number,
)
from extract.normalize.results import (
    find_alloantibody_result_spans,
    find_alloantibody_results,
    find_percents,
    find_sample_size_spans,
    find_sample_sizes,
    is_negated_result,
    parse_alloantibody_result,
    parse_percent,
    parse_sample_size,
    parse_serialised_result,
    parse_serialised_sample_size,
    serialise_percent,
    serialise_result,
    serialise_sample_size,
)

__all__ = [
    "Duration",
    "MappedText",
    "Measurement",
    "cohort_labels",
    "dose_arm_label",
    "find_alloantibody_result_spans",
    "find_alloantibody_results",
    "find_doses",
    "find_durations",
    "find_percents",
    "find_sample_size_spans",
    "find_sample_sizes",
    "follow_up_serialised",
    "format_number",
    "header_multiplier",
    "header_per",
    "is_negated_result",
    "normalize_mapped",
    "normalize_numeric_text",
    "parse_alloantibody_result",
    "parse_doses",
    "parse_exponent",
    "parse_follow_up",
    "parse_follow_up_range",
    "parse_measurement",
    "parse_number",
    "parse_percent",
    "parse_sample_size",
    "parse_serialised_dose",
    "parse_serialised_result",
    "parse_serialised_sample_size",
    "parse_word_number",
    "serialise_dose",
    "serialise_follow_up",
    "serialise_percent",
    "serialise_result",
    "serialise_sample_size",
]
