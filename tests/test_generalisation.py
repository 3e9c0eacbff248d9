"""The failures found on real papers nobody had tuned to (issue 18), each in our own words.

Every text here is written for this test: short records in the layouts real
exports use (PMC/Evidence Inference, ClinicalTrials.gov summaries), stating
what real papers state in the words real papers use.
"""

from __future__ import annotations

import pytest

from extract.ingest import parse_text
from extract.link.document_kind import document_kind, is_about_cell_therapy
from extract.link.records import DocumentKind
from extract.run import extract_document


def record(title: str, summary: str, detail: str = "") -> str:
    """A paper in the PMC / registry export layout."""
    text = f"TITLE: {title}\n\nABSTRACT.BRIEF SUMMARY:\n{summary}\n"
    return text + (f"\nBODY.DETAILED DESCRIPTION:\n{detail}\n" if detail else "")


def study_values(nlp, text: str) -> dict[str, set[str]]:
    result = extract_document(parse_text(text, "test", "test.txt"), nlp)
    values: dict[str, set[str]] = {}
    for study in result.studies:
        for value in study.values:
            values.setdefault(value.field, set()).add(value.value)
    return values


# ------------------------------------------------------------ the title is read


def test_the_title_of_an_export_is_read_as_prose(nlp):
    values = study_values(
        nlp,
        record(
            "Autologous Adipose-Derived Stromal Cells Injected Into the Knee: a Phase IIb Trial",
            "Sixty adults with knee osteoarthritis will be enrolled and followed for one year.",
        ),
    )
    assert "autologous" in values["donor_type"]
    assert "phase IIb" in values["design"]
    assert "adipose_tissue" in values["source"]


# ------------------------------------------------------------ which papers are cell therapy


@pytest.mark.parametrize(
    "title",
    [
        "Intravenous Mesenchymal Stem Cells for Refractory Crohn's Disease",
        "hMSC Infusion After Acute Myocardial Infarction",
        "Adipose Tissue-Derived Stem Cells (ASCs) Injected Into Chronic Wounds",
        "Umbilical Cord Mesenchymal Stem Cell in Patients With Liver Failure",
    ],
)
def test_title_case_and_short_forms_still_name_a_cell_product(nlp, title):
    document = parse_text(record(title, "Patients will be followed for six months."), "t", "t.txt")
    assert is_about_cell_therapy(document)


@pytest.mark.parametrize(
    "title, summary",
    [
        (
            "Inhaled Prostaglandin in Newborns",
            "Contact: NIH, Building 31, MSC 7510, Bethesda, MD. Infants will receive the drug by inhalation.",
        ),
        (
            "Osteogenic Differentiation of Marrow Stromal Cells Under Wnt Signalling",
            "Mesenchymal stem cells isolated from discarded bone will be cultured to measure mineralisation.",
        ),
        (
            "Circulating Progenitor Cells in Heart Failure",
            "The number of circulating progenitor cells will be counted in patients treated with a beta blocker.",
        ),
    ],
)
def test_a_mail_stop_a_dish_or_a_measured_cell_is_no_cell_therapy(nlp, title, summary):
    document = parse_text(record(title, summary), "t", "t.txt")
    assert not is_about_cell_therapy(document)
    assert study_values(nlp, record(title, summary)) == {}


def test_a_case_series_titled_a_review_of_its_cases_is_a_trial_report(nlp):
    document = parse_text(
        record("Stem Cell Therapy for Osteonecrosis: A Review of 50 Cases", "We treated 50 patients with cells."),
        "t",
        "t.txt",
    )
    assert document_kind(document) is DocumentKind.primary


# ------------------------------------------------------------ the forms real papers write


@pytest.mark.parametrize(
    "sentence, field, value",
    [
        ("Cells were bone-marrow-derived and expanded before use.", "source", "bone_marrow"),
        ("The product consists of Wharton's jelly-derived stromal cells.", "source", "wharton_jelly"),
        ("Cells were given by intra\u2010articular injection.", "route", "intra-articular"),
        ("The cells were delivered intraarticularly under ultrasound.", "route", "intra-articular"),
        ("The suspension was applied intralesionally at four points.", "route", "intralesional"),
        ("The cells were administered intravenously over an hour.", "route", "intravenous"),
        ("The cells were placed in the subarachnoid space.", "route", "intrathecal"),
        ("The cells were delivered via lumbar puncture.", "route", "intrathecal"),
        ("The cells were injected into the cerebrospinal fluid.", "route", "intrathecal"),
        ("The cells were infused via the portal vein.", "route", "intraportal"),
        ("The cells were infused through a peripheral vein.", "route", "intravenous"),
        ("The cells were injected directly into the lesion.", "route", "intralesional"),
        ("The stromal cells came from an unrelated-donor bank.", "donor_type", "allogeneic"),
        ("Third-party stromal cells were thawed at the bedside.", "donor_type", "allogeneic"),
        ("The stromal cells were prepared from human donor adipose tissue.", "donor_type", "allogeneic"),
    ],
)
def test_variants_synonyms_and_adverbs_are_read(nlp, sentence, field, value):
    values = study_values(nlp, record("Mesenchymal Stromal Cell Therapy in Patients", "Patients will receive stromal cells. " + sentence))
    assert value in values.get(field, set())


@pytest.mark.parametrize(
    "sentence",
    [
        "Patients in cohort IV will receive the highest dose of mesenchymal stem cells.",
        "Patients with stage IV disease will receive mesenchymal stem cells.",
        "This is class IV evidence on mesenchymal stem cells given to patients.",
        "Patients with GOLD III or IV disease will receive mesenchymal stem cells.",
    ],
)
def test_a_roman_numeral_is_no_route(nlp, sentence):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Patients", sentence))
    assert "intravenous" not in values.get("route", set())


def test_an_intravenous_abbreviation_is_still_a_route(nlp):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Patients", "The MSCs will be given IV on day 1."))
    assert values["route"] == {"intravenous"}


# ------------------------------------------------------------ the trial's own values, not others'


def test_background_donor_words_do_not_become_the_trials(nlp):
    values = study_values(
        nlp,
        record(
            "Allogeneic Mesenchymal Stromal Cells for Lupus Nephritis",
            "The purpose of this study is to test allogeneic stromal cells given intravenously to 20 patients.",
            "Autologous MSC treatments have shown benefit in small series. "
            "For many cancers, autologous stem cell transplantation is standard care.",
        ),
    )
    assert values["donor_type"] == {"allogeneic"}


def test_an_earlier_or_a_later_trial_gives_nothing(nlp):
    values = study_values(
        nlp,
        record(
            "Intramyocardial Stromal Cells in Ischaemic Heart Failure",
            "In this pilot study, 10 patients will receive mesenchymal stromal cells by intramyocardial injection.",
            "In our previous phase I study, cells were given by intracoronary infusion to 6 patients. "
            "MESAMI 2 will evaluate a placebo-controlled design in a larger group.",
        ),
    )
    assert values["route"] == {"intramyocardial"}
    assert "phase I" not in values["design"]
    assert "placebo-controlled" not in values["design"]


def test_a_route_of_another_product_given_alongside_is_not_the_msc_route(nlp):
    values = study_values(
        nlp,
        record(
            "Intrathecal Mesenchymal Stem Cells in Spinal Cord Injury",
            "Patients will receive mesenchymal stem cells intrathecally. "
            "On the same day, bone marrow nucleated cells will be infused intravenously.",
        ),
    )
    assert values["route"] == {"intrathecal"}


def test_culture_numbers_are_no_dose_and_culture_words_no_route(nlp):
    values = study_values(
        nlp,
        record(
            "Autologous Mesenchymal Stem Cells for Knee Osteoarthritis",
            "Cells were expanded in culture flasks at 5000 cells/cm2 for three passages. "
            "Patients will receive 40 million cells by intra-articular injection.",
        ),
    )
    assert values["route"] == {"intra-articular"}


def test_a_sample_size_is_not_read_from_a_result_percentage_or_a_validation_cohort(nlp):
    values = study_values(
        nlp,
        record(
            "Mesenchymal Stem Cells in Patients With Septic Shock",
            "Thirty patients will be enrolled and will receive stromal cells intravenously. "
            "A response was seen in 35% (n = 8) of patients who were treated. "
            "The score was checked in a validation cohort of 40 patients who were enrolled elsewhere.",
        ),
    )
    assert values["sample_size"] == {"total=30"}


# ------------------------------------------------------------ context has scope


def test_an_animal_clause_keeps_its_scope(nlp):
    values = study_values(
        nlp,
        record(
            "Mesenchymal Stem Cells in Patients With Lupus",
            "Cells were infused intravenously in 12 patients; in mice, they had been injected intraperitoneally.",
        ),
    )
    assert values["route"] == {"intravenous"}


@pytest.mark.parametrize(
    "sentence, result",
    [
        ("Donor-specific antibodies were not detected in 5 patients after the infusions.", "positive=0;total=5"),
        ("All 10 patients remained free of DSA throughout follow-up.", "positive=0;total=10"),
        ("DSA appeared in 2 of 9 patients.", "positive=2;total=9"),
    ],
)
def test_negation_has_scope_in_alloantibody_results(nlp, sentence, result):
    values = study_values(nlp, record("Allogeneic Mesenchymal Stem Cells in Patients", "Patients received MSCs intravenously. " + sentence))
    assert values["alloantibody_result"] == {result}


# ------------------------------------------------------------ registry records describe the planned trial


def test_a_registry_record_gives_its_planned_values(nlp):
    values = study_values(
        nlp,
        record(
            "Umbilical Cord Mesenchymal Stem Cells in Adults With Liver Cirrhosis",
            "This randomized, double-blind, placebo-controlled phase 2 study will enrol 40 adults.",
            "Participants will receive 1 x 10^6 cells/kg intravenously on days 0 and 7.",
        ),
    )
    assert values["route"] == {"intravenous"}
    assert {"RCT", "double-blind", "placebo-controlled", "phase II"} <= values["design"]
    assert "total=40" in values["sample_size"]
    assert values["source"] == {"umbilical_cord"}


def test_a_donor_type_that_follows_from_the_source_is_marked_inferred(nlp):
    result = extract_document(
        parse_text(
            record("Umbilical Cord Mesenchymal Stem Cells in Adults With Liver Cirrhosis", "Adults will receive the cells intravenously."),
            "t",
            "t.txt",
        ),
        nlp,
    )
    (study,) = result.studies
    (donor,) = [v for v in study.values if v.field == "donor_type"]
    assert donor.value == "allogeneic" and donor.evidence.rule.startswith("inferred:")
    assert donor.confidence < min(v.confidence for v in study.values if v.field == "source")


def test_no_donor_type_is_inferred_for_cord_cells_given_to_children(nlp):
    values = study_values(
        nlp, record("Umbilical Cord Mesenchymal Stem Cells in Children With Cerebral Palsy", "Children will receive the cells intravenously.")
    )
    assert "donor_type" not in values


def test_each_value_carries_confidence_and_its_evidence_ranked(nlp):
    result = extract_document(
        parse_text(
            record(
                "Intravenous Mesenchymal Stem Cells in Patients With Crohn's Disease",
                "Patients will receive mesenchymal stem cells intravenously.",
                "The infusion will be given intravenously over 30 minutes.",
            ),
            "t",
            "t.txt",
        ),
        nlp,
    )
    (study,) = result.studies
    routes = [v for v in study.values if v.field == "route"]
    assert sorted(v.evidence_rank for v in routes) == list(range(1, len(routes) + 1))
    assert len({v.confidence for v in routes}) == 1 and 0 < routes[0].confidence <= 0.99
    best = next(v for v in routes if v.evidence_rank == 1)
    assert best.evidence.section == "TITLE"


# ------------------------------------------------------------ counts as registries and abstracts write them


@pytest.mark.parametrize(
    "sentences, expected",
    [
        # one trial's arms, not a list of options
        ("Forty adults will be randomised into two groups: the first group of 20 patients will receive stromal cells "
         "and the remaining 20 patients will form the placebo group.", {"total=40", "treated=20", "control=20"}),
        # a count of each arm
        ("Patients will be randomly allocated to MSCs or saline. Each group will include 25 patients.", {"control=25"}),
        ("Sixty patients will be randomized into 2 groups of 30.", {"total=60", "treated=30", "control=30"}),
        # a bare number put in an arm
        ("Of the 24 patients, 16 patients will be included in the experimental group and 8 in the control group.",
         {"total=24", "treated=16", "control=8"}),
        # a single arm's total is dropped where the trial states its control arm
        ("Injection of the stromal cells will be done in 12 patients. The other 12 patients as the control group will "
         "receive saline.", {"treated=12", "control=12"}),
        # screened, enrolled and completed are a flow, not one trial's size
        ("Fifty subjects were screened, nine patients were enrolled and 8 patients completed the study.", set()),
    ],
)
def test_sample_sizes_of_arms_and_per_arm_counts(nlp, sentences, expected):
    values = study_values(nlp, record("Allogeneic Mesenchymal Stem Cells for Knee Osteoarthritis", sentences))
    assert values.get("sample_size", set()) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Patients will be given the stromal cells at the second and fifth week.", {"2"}),
        ("D1, D8 and D15: intravenous MSC infusion.", {"3"}),
        ("Each patient had 2-3 sessions of autologous mesenchymal stem cell injection.", {"2", "3"}),
        ("Response to second line treatment for GVHD is poor, so MSCs will be infused once.", set()),
        ("The trial will compare two doses of stromal cells with placebo.", set()),
        ("A 50 million total MSC dose will be given intravenously.", set()),
        ("Subjects 4-8 will receive the middle dose of MSCs.", set()),
        ("Subjects were given one intravenous (IV) infusion of MSCs.", {"1"}),
    ],
)
def test_administration_counts_as_trials_write_them(nlp, sentence, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells for Crohn's Disease", sentence))
    assert values.get("n_administrations", set()) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # registry exports break a decimal, or a lost superscript, at a full stop
        ("Patients will receive one of two dose levels: - 0. 5x106 cells / kg of body weight - 2x106 cells / kg of body weight.",
         {"value=0.5;unit=1e6 cells;per=kg", "value=2;unit=1e6 cells;per=kg"}),
        ("Patients will receive either 7. 5 Million or 15 Million MSCs or saline.",
         {"value=7.5;unit=1e6 cells", "value=15;unit=1e6 cells"}),
        ("Each patient will receive 2 x 10. 6 MSCs per kilogram of body weight.", {"value=2;unit=1e6 cells;per=kg"}),
        # a range written from its high end, and a product named without a cell word
        ("300-100 x 106 adipose-derived stromal vascular fraction was injected.", {"low=100;high=300;unit=1e6 cells"}),
    ],
)
def test_doses_broken_by_exports_or_written_backwards(nlp, sentence, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells for Critical Limb Ischemia", sentence))
    assert values["dose"] == expected


def test_routes_compared_by_the_trial_are_all_its_own(nlp):
    values = study_values(
        nlp,
        record(
            "Umbilical Cord Mesenchymal Stem Cells in Cerebral Palsy",
            "To compare the efficacy of MSCs given by the intravenous, intrathecal, and intranasal routes in children.",
        ),
    )
    assert values["route"] == {"intravenous", "intrathecal", "intranasal"}


def test_an_abbreviated_unit_does_not_end_the_sentence_that_names_the_route(nlp):
    values = study_values(
        nlp,
        record(
            "Mesenchymal Stem Cells in Spinal Cord Injury",
            "After in vitro expansion, patients will receive 1 million cells per kg. via a peripheral vein every week.",
        ),
    )
    assert values["route"] == {"intravenous"}


def test_an_introduction_that_says_what_it_reports_is_read_as_the_case(nlp):
    text = (
        "TITLE: Autologous stem cell therapy for a meniscal tear\n\n"
        "BODY.1. INTRODUCTION:\nMeniscal tears are common in young athletes [1]. "
        "In this report, we describe a case of a meniscal tear in a young man treated with autologous "
        "mesenchymal stem cells.\n\n"
        "BODY.2. CASE PRESENTATION:\nThe cells were injected into the knee.\n"
    )
    values = study_values(nlp, text)
    assert values["sample_size"] == {"total=1"}


def test_a_mean_dose_in_brackets_is_the_dose(nlp):
    values = study_values(
        nlp,
        record(
            "Mesenchymal Stem Cells in Patients With Ischemic Cardiomyopathy",
            "Through a catheter, the cells (mean: 45.2×10(6) cells per patient) were injected into the scar. "
            "Patients received 1 × 10^6 cells/kg (median 1.1 × 10^6 cells/kg) intravenously.",
        ),
    )
    assert values["dose"] == {"value=45.2;unit=1e6 cells;per=total", "value=1;unit=1e6 cells;per=kg"}


def test_a_purpose_statement_counts_a_single_administration_of_its_product(nlp):
    values = study_values(
        nlp,
        record(
            "Allogeneic Adipose Mesenchymal Stem Cells in Spinal Cord Injury",
            "The purpose of this study is to evaluate the safety of a single administration of XCT-42 in adults. "
            "Cells will be infused on day 0 and again on day 14 in the second cohort.",
        ),
    )
    assert values["n_administrations"] == {"1", "2"}


def test_a_record_that_studies_a_drug_on_stem_cell_function_gives_no_study(nlp):
    text = record(
        "Inflammation and Stem Cells in Chronic Liver Disease",
        "The proposed study will examine the effect of metformin on adipose tissue-derived mesenchymal stem/stromal "
        "cell function and markers of inflammation in adults with cirrhosis.",
        "Participants will be randomized 2:1 to the drug or placebo for one week.",
    )
    assert study_values(nlp, text) == {}


def test_a_title_headed_by_the_cell_product_makes_a_record_a_cell_therapy(nlp):
    text = record(
        "Mesenchymal Stem Cells in Avascular Necrosis of the Hip",
        "The present study evaluates the effect of CELLGRAFT-7 in avascular necrosis compared with core decompression.",
        "CELLGRAFT-7 is made of autologous mesenchymal stem cells grown on a bone scaffold; 20 patients will be randomized.",
    )
    assert study_values(nlp, text)["cell_type"] == {"MSC"}


def test_a_trial_that_will_randomize_speaks_of_its_own_donor(nlp):
    values = study_values(
        nlp,
        record(
            "Cellular Immunotherapy for Septic Shock",
            "This trial tests mesenchymal stem cells in patients with septic shock.",
            "To answer this, SEPSIS3 will randomize 100 patients with septic shock to 300 million cryopreserved, "
            "allogeneic, bone marrow derived MSCs or placebo.",
        ),
    )
    assert values["donor_type"] == {"allogeneic"}


def test_a_product_code_defined_as_stem_cells_makes_its_record_a_cell_therapy(nlp):
    text = record(
        "A Study of KX-204 in Patients With Liver Cirrhosis",
        "This is a first-in-human study of KX-204, adipose-derived mesenchymal stem cells (AD-MSCs). "
        "Safety is evaluated in the first part.",
        "One of 3 doses of AD-MSCs is given by a single intravenous infusion.",
    )
    values = study_values(nlp, text)
    assert values["route"] == {"intravenous"} and values["source"] == {"adipose_tissue"}


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("In three lupus patients we assessed the safety of marrow-derived MSCs, and how well the cells suppress "
         "T cells in vitro.", {"total=3"}),
        ("By random allocation, forty patients with knee osteoarthritis got either saline or MSCs.", {"total=40"}),
        ("Twenty patients were enrolled and given MSCs. At one year the score had fallen (all p<0.05, paired t test, "
         "n=17).", {"total=20"}),
    ],
)
def test_more_ways_abstracts_state_their_size(nlp, sentence, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Patients With Lupus", sentence))
    assert values["sample_size"] == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Pain and function will be scored at baseline, 1, 3, 6 and 12 months since treatment.", {"months=12"}),
        ("The subjects will then be followed for wound response and closure for 18 months.", {"months=18"}),
    ],
)
def test_a_follow_up_stated_as_a_schedule_or_after_a_long_object(nlp, sentence, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Patients With Perianal Fistula", "MSCs will be injected. " + sentence))
    assert values["follow_up"] == expected


# ------------------------------------------------------------ round 6: a second development draw of registry records


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # a power of ten, a scale's name, a time point and a section number are not head counts
        ("Subjects will receive MSC infusions (target dose of 3 times 10(6) MSC/kg) with steroids.", set()),
        ("The trial is designed to measure the change in KOOS-42 score in subjects treated with MSCs.", set()),
        ("At Month 6 participants will undergo a knee biopsy after the MSC injection.", set()),
        ("2 Patient Population Adults with chronic wounds will be treated with stromal cells.", set()),
        # a count of each dose level, or drawn from one group, is not the trial's size
        ("Up to 4 participants will be enrolled at each dose level of MSCs.", set()),
        ("Three subjects from the cohort 2 dosing level will receive further MSC injections.", set()),
        # a single patient, and a count the cells are given to
        ("A single patient study of autologous MSCs injected into the spinal canal.", {"total=1"}),
        ("The study will assess the safety of MSCs administered to 30 adults with knee osteoarthritis.", {"total=30"}),
        ("This trial will follow 80 patients for two years after MSC injection.", {"total=80"}),
        # one number in one sentence is one value: the total of a trial with no control arm
        ("Twenty adults with cirrhosis will be enrolled and receive four MSC transfusions.", {"total=20"}),
    ],
)
def test_numbers_that_are_not_the_trials_size(nlp, sentence, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells for Chronic Disease", sentence))
    assert values.get("sample_size", set()) == expected


def test_a_treated_count_stated_apart_from_the_total_is_kept(nlp):
    values = study_values(
        nlp,
        record(
            "Mesenchymal Stem Cells in Degenerative Disc Disease",
            "We studied the long-term safety (n = 6) of an intradiscal stromal cell injection. "
            "Six patients with disc degeneration received an intradiscal injection of autologous MSCs.",
        ),
    )
    assert values["sample_size"] == {"total=6", "treated=6"}


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The first arm will receive the cells intravenously once a day for 5 consecutive days.", {"5"}),
        ("Patients will be treated with 2x10^6 cells/kg in 0,2,4,8 week.", {"4"}),
        ("The MSC group will receive a cell injection 2 and 6 months after marrow aspiration.", {"2"}),
        ("MSCs will be infused intravenously at one of three doses: 1, 2 or 4 x 10^6 MSC/kg.", set()),
        ("Recipients of MSCs will be examined in the third, sixth and twelfth month after implantation.", set()),
        ("MSCs will be injected, and patients evaluated at 1, 3, 6 and 12 months.", set()),
    ],
)
def test_administration_schedules_and_what_only_looks_like_one(nlp, sentence, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells for Knee Osteoarthritis", sentence))
    assert values.get("n_administrations", set()) == expected


@pytest.mark.parametrize(
    "title, summary",
    [
        # a drug whose code name is followed by the cells' name in another sense
        ("A Dose-finding Study of QR-5521 in Advanced Solid Tumors",
         "QR-5521 is a new oral drug, an inhibitor of mesenchymal-epithelial transition kinase, given daily for 21 days."),
        # a device and a cytokine named after the cells
        ("Therapeutic Potential of Stem Cell Educator Therapy in Alopecia",
         "This single arm pilot study assesses the safety of Stem Cell Educator therapy for the treatment of alopecia."),
        ("Sitagliptin and Stromal Cell-derived Factor in Heart Failure",
         "The aim is to study the effect of sitagliptin on stromal cell-derived factor (SDF-1) levels in patients."),
        # a laboratory study of markers
        ("Stem Cell Markers in Gum Tissue",
         "To study the expression of mesenchymal stem cell marker CD90, a marker of mesenchymal progenitor cells, "
         "in gum samples by flow cytometry."),
    ],
)
def test_names_that_only_bear_the_cells_word_give_no_study(nlp, title, summary):
    assert study_values(nlp, record(title, summary)) == {}


def test_a_product_code_defined_later_in_the_record_makes_it_a_cell_therapy(nlp):
    values = study_values(
        nlp,
        record(
            "Safety of CELLORA-KD Inj",
            "Phase I trial to evaluate the safety of CELLORA-KD Inj. in adults with atopic dermatitis.",
            "This is a phase 1, single center, open label study. CELLORA-KD Inj. is composed of allogeneic "
            "umbilical cord blood-derived mesenchymal stem cells.",
        ),
    )
    assert values["donor_type"] == {"allogeneic"} and values["source"] == {"cord_blood"}
    assert {"phase I", "open-label"} <= values["design"]


@pytest.mark.parametrize(
    "sentence, field, expected",
    [
        ("The cells will then be injected by lumbar puncture into the cerebrospinal fluid.", "route", {"intrathecal"}),
        ("Cells will be given by intrahepatic arterial administration of autologous MSCs.", "route", {"intra-arterial"}),
        ("The remaining cells will be injected into the defect area after closure.", "route", {"intralesional"}),
        ("MSCs will be grown from marrow, expanded and transplanted back into the knee joint.", "donor_type", {"autologous"}),
        ("Patients will have a fat biopsy to collect the tissue needed to grow the MSCs that will be injected.",
         "source", {"adipose_tissue"}),
        ("This will be the first study to examine intra-articular injection of MSCs in a randomized trial.",
         "route", {"intra-articular"}),
    ],
)
def test_more_ways_records_name_route_donor_and_source(nlp, sentence, field, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", "MSCs will be given. " + sentence))
    assert values.get(field, set()) == expected


def test_surgery_in_the_joint_is_no_route_and_a_reported_study_is_background(nlp):
    values = study_values(
        nlp,
        record(
            "Autologous Adipose Stem Cells Versus Chondrocytes for Cartilage Lesions",
            "Chondrocyte transplant needs intra-articular surgery to take a cartilage sample. "
            "Recently, a phase III randomized study of chondrocytes was reported showing benefit.",
            "This single-arm study will treat 12 patients with autologous adipose stem cells.",
        ),
    )
    assert "route" not in values
    assert values["design"] == {"single-arm"}


def test_a_randomised_trial_with_a_placebo_arm_is_an_rct_by_inference(nlp):
    result = extract_document(parse_text(record(
        "Mesenchymal Stem Cells After Meniscectomy",
        "This is a single center, randomized, triple blind phase II study.",
        "The MSC group will receive an intra-articular injection of autologous MSCs; the control group will receive "
        "placebo.",
    ), "test", "test.txt"), nlp)
    rct = [v for s in result.studies for v in s.values if v.field == "design" and v.value == "RCT"]
    assert rct and rct[0].evidence.rule.startswith("inferred:randomised_with_placebo>RCT")


def test_the_parts_of_a_combined_phase_are_one_phase(nlp):
    values = study_values(
        nlp,
        record(
            "Stromal Cells Loaded With a Virus in Ovarian Cancer",
            "This phase I/II trial studies the best dose of virus-loaded mesenchymal stem cells given intraperitoneally.",
            "OUTLINE: This is a phase I, dose-escalation study followed by a phase II study.",
        ),
    )
    assert {v for v in values["design"] if v.startswith("phase")} == {"phase I/II"}


def test_cohorts_of_a_trial_are_parts_of_it(nlp):
    values = study_values(
        nlp,
        record(
            "Cord Tissue Mesenchymal Stromal Cells in Children With Autism",
            "The first cohort of three children will receive one MSC infusion. "
            "The third cohort will consist of six children, each given three infusions.",
        ),
    )
    assert "sample_size" not in values


# ------------------------------------------------------------ round 6: a third development draw


@pytest.mark.parametrize(
    "summary, field, expected",
    [
        ("Subjects: 12 patients with chronic low back pain will receive MSCs.", "sample_size", {"total=12"}),
        ("Two doses of MSCs will be tested in adults with lupus.", "n_administrations", set()),
        ("A single dosage of adipose-derived MSCs is given into the disc.", "n_administrations", {"1"}),
        ("Participants will receive either MSCs or placebo through a single IV infusion.", "route", {"intravenous"}),
        ("The cell product will then be applied on the wound surface under local anaesthesia.", "route", {"topical"}),
        ("The aim is to test vein infusion of allogeneic MSCs in aplastic anaemia.", "route", {"intravenous"}),
        ("Safety of MSC delivery to the cerebral spinal fluid of patients with ALS will be studied.", "route",
         {"intrathecal"}),
        ("Patients will have an MRI of the injected knee at one year after the MSCs.", "route", {"intra-articular"}),
        ("Donor Mesenchymal Stem Cell Infusion will be given to patients with GVHD.", "donor_type", {"allogeneic"}),
        ("The MSCs will be grown from healthy donor umbilical cords.", "source", {"umbilical_cord"}),
        ("This is a I/IIa phase, single-group, open trial of adipose MSCs.", "design",
         {"phase I/IIa", "single-arm", "open-label"}),
    ],
)
def test_how_registry_records_state_values(nlp, summary, field, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get(field, set()) == expected


def test_the_products_own_source_is_read_where_the_record_names_it_the_study_treatment(nlp):
    values = study_values(
        nlp,
        record(
            "Umbilical Cord Mesenchymal Stem Cells in Heart Failure",
            "The study will evaluate umbilical cord MSCs given intravenously to 30 adults.",
            "STUDY TREATMENT: Investigational product: Wharton Jelly derived allogeneic MSCs.",
        ),
    )
    assert values["source"] == {"umbilical_cord", "wharton_jelly"}


@pytest.mark.parametrize(
    "summary, expected_rule",
    [
        ("Adults with knee cartilage loss will be given cord blood-derived mesenchymal stem cells.",
         "inferred:birth_tissue_source>allogeneic"),
        ("Participants will undergo an abdominal liposuction under local anaesthesia for stem cell harvesting, and "
         "the expanded cells will be injected into the knee.", "inferred:harvested_from_the_patients>autologous"),
    ],
)
def test_a_donor_type_that_follows_from_the_words_is_inferred(nlp, summary, expected_rule):
    result = extract_document(parse_text(record("Mesenchymal Stem Cells for Knee Osteoarthritis", summary), "test", "t.txt"), nlp)
    donors = [v for s in result.studies for v in s.values if v.field == "donor_type"]
    assert len(donors) == 1 and donors[0].evidence.rule.startswith(expected_rule)


def test_background_on_another_donor_type_does_not_stop_an_inference(nlp):
    values = study_values(
        nlp,
        record(
            "Umbilical Cord-derived Mesenchymal Stem Cells in Alzheimer's Disease",
            "This trial will give umbilical cord-derived MSCs intravenously to adults with Alzheimer's disease.",
            "Other studies have compared allogeneic and autologous MSC transplants in animals.",
        ),
    )
    assert values["donor_type"] == {"allogeneic"}


def test_a_randomised_trial_with_a_control_group_is_an_rct_by_inference(nlp):
    result = extract_document(parse_text(record(
        "Mesenchymal Stem Cells in Diabetic Foot",
        "Patients will be randomly stratified into two groups.",
        "The MSC group will receive an injection of MSCs around the ulcer; the control group will receive standard "
        "wound care.",
    ), "test", "t.txt"), nlp)
    rct = [v for s in result.studies for v in s.values if v.field == "design" and v.value == "RCT"]
    assert rct and rct[0].evidence.rule == "inferred:randomised_with_control_arm>RCT"


def test_a_one_line_summary_leaves_the_product_to_the_first_description(nlp):
    values = study_values(
        nlp,
        record(
            "Efficacy and Safety of the IMP in Patients With Chronic Wounds",
            "The aim of this trial is to study wound closure after one application of the medicinal product QX5.",
            "This is an interventional, single arm, phase I/IIa clinical trial to investigate the efficacy and safety "
            "of autologous skin-derived mesenchymal stem cells (MSCs) in chronic wounds. The cells will then be "
            "applied on the wound surface.",
        ),
    )
    assert {"single-arm", "phase I/IIa"} <= values["design"] and values["route"] == {"topical"}


def test_a_one_line_summary_of_a_drug_trial_still_gives_no_study(nlp):
    text = record(
        "A Dose-finding Study of a Kinase Inhibitor in Solid Tumours",
        "To find the safe dose of the study drug.",
        "This is an open-label phase I study of an oral kinase inhibitor. Tumour biopsies will be stained for "
        "markers of mesenchymal stem cells.",
    )
    assert study_values(nlp, text) == {}


# ------------------------------------------------------------ round 6: a fourth development draw


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("Disease: knee osteoarthritis Phase: I/II Number of patients: 16 Design: open, single dose of MSCs", {"total=16"}),
        ("Sample Size 12 Patients will receive autologous MSCs.", {"total=12"}),
        ("Up to 24 patients will take part in this MSC study.", {"total=24"}),
        # a heading's number glued to a sentence, and a range of subject numbers
        ("4 Treatment Patients in the study will receive MSCs by injection.", set()),
        ("Subjects 5-8 will receive the middle dose of MSCs.", set()),
        # a count in one cohort's sentence, or of 'these' patients, counts part of the trial
        ("The second cohort will include a total of eight patients; six will receive MSCs and two will receive placebo.", set()),
        ("Of these nine patients, eight patients will receive MSCs and one patient will receive placebo.", set()),
        # a control word between the count and its noun, and a clause of its own
        ("The trial enrols 24 patients: three groups of six patients each and six placebo patients.", {"total=24", "control=6"}),
        ("Ten patients will receive placebo and 20 patients will receive MSCs.", {"treated=20", "control=10"}),
        ("Nine patients will be enrolled; eight will receive MSCs, and one patient will receive placebo.",
         {"total=9", "control=1"}),
    ],
)
def test_sample_sizes_as_registry_descriptions_write_them(nlp, summary, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get("sample_size", set()) == expected


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("Patients will come to the clinic twice weekly for their MSC infusions.", set()),
        ("20 million MSCs in total will be divided into 8 injections of 2.5 million cells/cm of the fistula tract.", set()),
        ("3 Implantation of SVF Implantation of the stromal cells is done in the outpatient clinic.", set()),
        ("The design is an 18 month cross over with a single treatment of MSCs at 6 months.", {"1"}),
    ],
)
def test_administration_counts_that_are_frequencies_sites_or_headings(nlp, summary, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get("n_administrations", set()) == expected


@pytest.mark.parametrize(
    "title, summary",
    [
        ("Rejuvenated Stem Cells for Cartilage Repair",
         "Cartilage fragments and MSCs will be wrapped in fibrin glue and implanted subcutaneously into nude mice."),
        ("Mirabegron in Myeloproliferative Neoplasms",
         "The hypothesis is that mirabegron will act on bone marrow niche cells and thereby improve the disease."),
    ],
)
def test_animal_work_and_niche_cells_give_no_study(nlp, title, summary):
    assert study_values(nlp, record(title, summary)) == {}


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("Allogeneic MSCs will be given via peri-fistula injections in Crohn's disease.", {"intralesional"}),
        ("The MSCs are administered directly into the blood stream via a vein in the arm.", {"intravenous"}),
        ("Bone marrow MSCs will be transplanted by stereotactic technique into the striatum.", {"intrastriatal"}),
    ],
)
def test_routes_named_by_where_the_cells_go(nlp, summary, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get("route", set()) == expected


# ------------------------------------------------------------ round 6: full-text trial reports


def full_text(methods: str, results: str = "", introduction: str = "") -> str:
    """A trial report in the PMC / Evidence Inference layout."""
    text = "TITLE: Allogeneic Mesenchymal Stem Cells in Knee Osteoarthritis: a Randomised Trial\n\n"
    text += "ABSTRACT.BACKGROUND:\nKnee osteoarthritis is common.\n\n"
    if introduction:
        text += f"BODY.INTRODUCTION:\n{introduction}\n\n"
    text += f"BODY.METHODS:\n{methods}\n\n"
    return text + (f"BODY.RESULTS:\n{results}\n" if results else "")


@pytest.mark.parametrize(
    "methods, results, expected",
    [
        # time-point subsets, histories and the comparator arm named by 'alone'
        ("Patients were randomly assigned 2:1 to MSCs in hyaluronan (n = 12) or hyaluronan alone (n = 6).",
         "Biopsies were taken at baseline (n = 18) and after 6 weeks (n = 15). Nine patients had previously "
         "failed steroids.", {"treated=12", "control=6"}),
        # a clause of its own after a semicolon, and the arm a table labels 'Control patients'
        ("Control patients (n = 20); cell-treated patients (n = 22).", "", {"control=20"}),
        # 'Total (N = 30)' in a table header is the total
        ("Baseline characteristics by treatment group Total (N = 30) MSC 100M (N = 10) placebo (N = 10).", "",
         {"total=30"}),
        # randomly chosen to receive the cells, with no other arm in the clause: the treated arm
        ("Forty patients were randomly selected to receive four intravenous infusions of UC-MSCs. The other 40 "
         "patients formed the control group.", "", {"treated=40", "control=40"}),
    ],
)
def test_arm_sizes_in_a_trial_report(nlp, methods, results, expected):
    values = study_values(nlp, full_text(methods, results))
    assert expected <= values.get("sample_size", set())
    assert not {v for v in values.get("sample_size", set()) if v.split("=")[1] in {"18", "15", "9"}}


def test_the_authors_earlier_trial_is_background(nlp):
    values = study_values(
        nlp,
        full_text(
            "This phase II trial randomised 30 patients to MSCs or placebo, given intravenously.",
            introduction="We recently conducted a phase I open label study of allogeneic MSCs in frailty.",
        ),
    )
    assert values["design"] >= {"phase II"} and not values["design"] & {"phase I", "open-label"}


@pytest.mark.parametrize(
    "sentence, field, expected",
    [
        ("MSCs were infused in the portal vein under ultrasound guidance.", "route", {"intraportal"}),
        ("The cells were injected into the necrotic zone of the femoral head.", "route", {"intralesional"}),
        ("MSCs were given intravenously; heparin was given subcutaneously.", "route", {"intravenous"}),
        ("All data were recorded on case report forms after the MSC injection.", "design", set()),
        ("Group 1 had a one-session treatment of autologous MSCs.", "n_administrations", {"1"}),
    ],
)
def test_what_a_trial_report_says_about_its_delivery(nlp, sentence, field, expected):
    values = study_values(nlp, full_text(sentence))
    assert values.get(field, set()) - {"RCT"} == expected


@pytest.mark.parametrize(
    "detail, field, expected",
    [
        # what MSCs are, in general, names no source of this trial's cells
        ("MSCs are a kind of stem cell that can be isolated from bone marrow. The trial will infuse umbilical cord "
         "MSCs intravenously.", "source", {"umbilical_cord"}),
        ("Aim: to evaluate one intravenous infusion of allogeneic MSCs in type 1 diabetes.", "donor_type", {"allogeneic"}),
        ("The active treatment is an injection of stromal vascular fraction taken from the patient's own abdominal fat.",
         "donor_type", {"autologous"}),
        ("The MSCs used in this study come from healthy male donors.", "donor_type", {"allogeneic"}),
        ("Patients are dosed in the Clinical Phase I Unit of the hospital with MSCs.", "design", set()),
        ("Each new cohort of MSC recipients will receive a higher dose than the cohort before it.", "design",
         {"dose-escalation"}),
        ("Subjects will receive MSC infusions (a target of 2 times 10(6) MSC/kg) with steroids.", "n_administrations", set()),
    ],
)
def test_records_describing_their_product_and_plan(nlp, detail, field, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", "MSCs will be given to adults.", detail))
    assert values.get(field, set()) == expected


# ------------------------------------------------------------ round 6: a fifth draw, and real abstracts read as reference


@pytest.mark.parametrize(
    "summary, field, expected",
    [
        ("Fifteen adults with a rectovaginal fistula will be enrolled and given MSCs.", "sample_size", {"total=15"}),
        ("Thirteen patients will receive MSCs.", "sample_size", {"total=13"}),
        ("To select a group of 30 patients for the cell treatment, each one will be examined first.",
         "sample_size", {"total=30"}),
        ("Cells are given intranasally to 20 patients with autism.", "sample_size", {"total=20"}),
        ("Thirty patients will receive MSCs. Fifteen other patients are considered as the control group.",
         "sample_size", {"treated=30", "control=15"}),
        ("Twenty patients received MSCs and 4 patients died in the first year.", "sample_size", {"total=20"}),
        ("The MSC group will receive a three-time injection of UC-MSCs.", "n_administrations", {"3"}),
        ("Each patient will receive intranasal MSC products once per week for a period of 4 weeks.", "n_administrations", {"4"}),
        ("Patients will get 3 i.v. infusions of MSCs.", "n_administrations", {"3"}),
        ("About 12 injections of MSCs will be given during the same procedure.", "n_administrations", set()),
        ("The aim is to test third party MSC administration after kidney transplantation.", "n_administrations", set()),
        ("Ten patients undergoing kidney transplantation will receive a single infusion of MSCs.", "n_administrations", {"1"}),
        ("You will receive MSCs by vein over 2 hours.", "route", {"intravenous"}),
        ("About 15 small injections of cells will go into your heart muscle.", "route", {"intramyocardial"}),
        ("One intravenous and one endolumbal injection of MSCs will be given.", "route", {"intravenous", "intrathecal"}),
        ("Conditioning: fludarabine 30 mg/m2 IV; then MSCs are injected into the knee.", "route", {"intra-articular"}),
        ("This open-label study of MSCs has no placebo arm.", "design", {"open-label"}),
        ("A larger randomized placebo-controlled phase II trial of MSCs is warranted.", "design", set()),
    ],
)
def test_more_ways_records_and_abstracts_write_their_values(nlp, summary, field, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get(field, set()) == expected


def test_a_product_that_consists_of_cells_gives_their_source(nlp):
    values = study_values(
        nlp,
        record(
            "LUNGCELL-9 in Premature Infants With Lung Disease",
            "The purpose of this study is to evaluate the safety of LUNGCELL-9 given intratracheally to premature infants.",
            "LUNGCELL-9 consists of human umbilical cord blood-derived mesenchymal stem cells.",
        ),
    )
    assert values["source"] == {"cord_blood"}


def test_people_of_another_report_keep_their_values_to_themselves(nlp):
    values = study_values(
        nlp,
        record(
            "Umbilical Cord Mesenchymal Stem Cells in Cerebral Palsy",
            "This trial will give children a single intravenous infusion of UC-MSCs.",
            "A hospital group reported 40 patients with cerebral palsy. These patients received five intrathecal "
            "injections of UC-MSCs. Six injections, one a week, were counted as one course. The children in this "
            "trial will be followed for a year.",
        ),
    )
    assert values["n_administrations"] == {"1"} and values["route"] == {"intravenous"}


@pytest.mark.parametrize(
    "summary, field, expected",
    [
        ("This phase I trial will enrol 10-16 patients who will receive MSCs.", "sample_size", set()),
        ("Thirty patients will be enrolled: Group A - 15 patients with early disease and Group B - 15 patients with "
         "late disease, all given MSCs.", "sample_size", {"total=30"}),
        ("Twenty patients will receive MSCs; 40 patients operated on earlier in our centre will be used as control.",
         "sample_size", {"treated=20", "control=40"}),
        ("To select 20 patients for MSC treatment, about 40 patients will be examined.", "sample_size", {"total=20"}),
        ("MSC-NT will be given by IM injection into the arm muscles.", "route", {"intramuscular"}),
        ("There will be about 10 injections of cells into your heart muscle, and you will receive MSCs by vein too.",
         "route", {"intramyocardial", "intravenous"}),
    ],
)
def test_ranges_labelled_groups_controls_and_consent_language(nlp, summary, field, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", "MSCs will be studied in adults.", summary))
    assert values.get(field, set()) == expected


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("A total of 40 patients with cirrhosis took part, including 28 patients receiving MSC infusions and 12 "
         "patients receiving saline as the control.", {"total=40", "treated=28", "control=12"}),
        ("We ran an open-label study recruiting 14 adults to receive two infusions of MSCs.", {"total=14"}),
        ("MSCs were injected into the tendon lesions of 11 participants.", {"total=11"}),
        ("Funding being short, we will recruit one subject for each kind of MSC product.", set()),
    ],
)
def test_participles_and_whose_lesions(nlp, summary, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get("sample_size", set()) == expected


# ------------------------------------------------------------ round 6: a sixth draw


@pytest.mark.parametrize(
    "summary, field, expected",
    [
        ("This is a phase one study of intra-articular MSCs in hip osteoarthritis.", "design", {"phase I"}),
        ("This is a pilot, explorative study of donor MSCs.", "design", {"pilot"}),
        ("The trial compares adipose MSCs with a placebo-control group.", "design", {"placebo-controlled"}),
        ("The investigators are proposing to test allogeneic MSCs in stroke.", "donor_type", {"allogeneic"}),
        ("MSCs will be injected percutaneously to the site of fracture.", "route", {"intralesional"}),
        ("Wharton's jelly MSCs will be injected in the renal parenchyma.", "route", {"intrarenal"}),
        ("MPCs will be injected directly into the LV endocardium during surgery.", "route", {"transendocardial"}),
        ("MSCs will be infused intravenously in recent intracerebral hemorrhage.", "route", {"intravenous"}),
        ("Bone marrow suppression limits ganciclovir; umbilical cord MSCs will be given instead.", "source",
         {"umbilical_cord"}),
        ("The study will be limited to the proposed 12 subjects given MSCs.", "sample_size", {"total=12"}),
        ("The team ran a placebo-controlled trial, randomly assigning 90 patients to MSCs or placebo.", "sample_size",
         {"total=90"}),
        ("Feasibility of MSC grafting will be assessed in a 4 patient pilot trial.", "sample_size", {"total=4"}),
        ("This is a prospective study of 25 subjects given MSCs and followed for a year.", "sample_size", {"total=25"}),
    ],
)
def test_what_a_sixth_draw_of_records_taught(nlp, summary, field, expected):
    values = study_values(nlp, record("Mesenchymal Stem Cells in Chronic Disease", summary))
    assert values.get(field, set()) == expected
