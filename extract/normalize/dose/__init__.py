"""Cell doses, from every way papers write them, to FIELD_GUIDE `Dose` records.

One idea per module, in reading order:

- :mod:`.vocabulary`: the lexicon (``models/lexicons/dose_units.json``) and units.
- :mod:`.quantity`: the grammar of one quantity ("0.3 M/kg", "2×10^8 cells per
  infusion") and what it means as a dose: ``per`` only where the words say it,
  bounds and concentrations are not doses.
- :mod:`.lists`: lists and ranges that share one magnitude ("20, 100, or 200 × 10^6").
- :mod:`.arms`: dose arms ("100 M-treated group", "low dose (...)", "cohorts A, B, C").
- :mod:`.headers`: what a dose column's header says about its bare numbers.
- :mod:`.reader`: the whole pass over a sentence or a cell (:func:`find_doses`).
- :mod:`.serialise`: the long-table form (``value=100;unit=1e6 cells;per=kg``).

Units. Cell counts are normalised to units of 10^6 cells (``unit="1e6 cells"``)
whatever the paper wrote: ``2×10^8 cells`` is 200, ``150 million`` is 150,
``25 M`` is 25, ``500,000 cells`` is 0.5. One exception: a count written with
an explicit power of ten below 10^6 keeps it as its unit, so ``2.65 × 10^4
ISCs/kg`` is ``value=2.65;unit=1e4 cells;per=kg`` (such powers mark small-count
products such as islet-like cells, and a reader recognises the paper's own
number). All arithmetic is decimal, so values carry no float noise and
serialise exactly. Volumes keep their own unit (``103.14 mL`` -> value 103.14,
unit ``mL``).
"""

from extract.normalize.dose.arms import DoseSpan, cohort_labels, dose_arm_label
from extract.normalize.dose.headers import header_multiplier, header_per
from extract.normalize.dose.reader import find_doses, parse_doses
from extract.normalize.dose.serialise import parse_serialised_dose, serialise_dose
from extract.normalize.dose.vocabulary import CELL_EXPONENT, CELL_UNIT, PER_VALUES

__all__ = [
    "CELL_EXPONENT",
    "CELL_UNIT",
    "DoseSpan",
    "PER_VALUES",
    "cohort_labels",
    "dose_arm_label",
    "find_doses",
    "header_multiplier",
    "header_per",
    "parse_doses",
    "parse_serialised_dose",
    "serialise_dose",
]
