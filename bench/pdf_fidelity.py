"""PDF reading against the publisher's XML: body recall, precision, table cells, headings, references.

    .venv/bin/python bench/pdf_fidelity.py [folder with NAME.pdf + NAME.nxml pairs] [--no-pdfplumber] [--show NAME]

Defaults to ../shared/corpus-real/pdf-jats/. One line a pair, then the median and
minimum of each measure (see ``extract/ingest/pdf/fidelity.py`` for how each is
counted). The table cells are also measured for pdfplumber's table finder
(``page.extract_tables()`` on every page, with its default ruling-line strategy
or ``--plumber-strategy text``, all its cells pooled per paper, as ours are), in
the same run; ``--show NAME`` prints the missed and the foreign runs of one
paper.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpus-real" / "pdf-jats"


def pdfplumber_cells(path: Path, strategy: str) -> list[str]:
    import pdfplumber

    from extract.ingest.pdf.fidelity import cell_key

    settings = {"vertical_strategy": strategy, "horizontal_strategy": strategy}
    cells: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables(settings):
                cells.extend(cell_key(cell or "") for row in table for cell in row)
    return cells


def main() -> None:
    from extract.ingest.pdf import load_pdf
    from extract.ingest.pdf.fidelity import cells_found, measure, read_jats

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--no-pdfplumber", action="store_true")
    parser.add_argument(
        "--plumber-strategy", choices=["lines", "text"], default="lines",
        help="pdfplumber's table settings: ruling lines (its default) or text alignment",
    )
    parser.add_argument("--show", help="print the missed and foreign word runs of this paper")
    args = parser.parse_args()
    pairs = [(pdf, pdf.with_suffix(".nxml")) for pdf in sorted(args.folder.glob("*.pdf")) if pdf.with_suffix(".nxml").exists()]
    print(f"{len(pairs)} PDF + XML pairs in {args.folder}")
    header = f"{'paper':<14}{'recall':>8}{'precis.':>8}{'cells':>12}{'plumber':>12}{'headings':>10}{'refs pdf/xml':>14}"
    print(header)
    rows = []
    ours_seconds = plumber_seconds = 0.0
    for pdf, xml in pairs:
        started = time.perf_counter()
        document = load_pdf(pdf)
        ours_seconds += time.perf_counter() - started
        fidelity = measure(document, xml)
        plumber = None
        if not args.no_pdfplumber:
            started = time.perf_counter()
            found = pdfplumber_cells(pdf, args.plumber_strategy)
            plumber_seconds += time.perf_counter() - started
            plumber = cells_found(read_jats(xml).tables, found)
        rows.append((fidelity, plumber))
        plumber_text = f"{plumber[1]:>5}/{plumber[0]:<5}" if plumber else "-"
        print(
            f"{pdf.stem:<14}{fidelity.recall:>8.3f}{fidelity.precision:>8.3f}"
            f"{fidelity.table_cells_found:>6}/{fidelity.table_cells:<5}{plumber_text:>12}"
            f"{fidelity.headings_found:>5}/{fidelity.headings:<4}{fidelity.references_pdf:>7}/{fidelity.references_xml:<6}"
        )
        if args.show == pdf.stem:
            print("  missed:", *fidelity.unread, sep="\n    ")
            print("  foreign:", *fidelity.foreign, sep="\n    ")
    recalls = [f.recall for f, _ in rows]
    precisions = [f.precision for f, _ in rows]
    cells = sum(f.table_cells for f, _ in rows)
    found = sum(f.table_cells_found for f, _ in rows)
    headings = sum(f.headings for f, _ in rows)
    headings_found = sum(f.headings_found for f, _ in rows)
    within = sum(1 for f, _ in rows if abs(f.reference_ratio - 1) <= 0.05)
    print(f"recall     median {median(recalls):.3f}  min {min(recalls):.3f}")
    print(f"precision  median {median(precisions):.3f}  min {min(precisions):.3f}")
    print(f"table cells: ours {found}/{cells} = {found / max(cells, 1):.1%}", end="")
    if not args.no_pdfplumber:
        plumber_found = sum(p[1] for _, p in rows)
        print(f"; pdfplumber ({args.plumber_strategy}) {plumber_found}/{cells} = {plumber_found / max(cells, 1):.1%}", end="")
        print(f"  (seconds: ours, whole reading {ours_seconds:.1f}; pdfplumber, tables only {plumber_seconds:.1f})")
    else:
        print()
    print(f"section headings found: {headings_found}/{headings} = {headings_found / max(headings, 1):.1%}")
    print(f"reference counts within 5% of the XML's: {within}/{len(rows)}")


if __name__ == "__main__":
    main()
