"""PDF reading speed: pdfplumber's plain text, pypdfium2's plain text, and our ingestion, on the same PDFs.

    .venv/bin/python bench/pdf_bench.py [PDF or folder ...] [--repeat 3]

Defaults to the 51 real publisher PDFs in ../shared/corpus-real/ (pdf/,
pdf-trials/, pdf-jats/) when that folder is here, else to the generated papers
(tests/fixtures/pdf/) and the eight real journal PDFs (tests/data/pdf/). Each reader runs in its own child process, so
its peak resident memory is its own; pages/s is the best of ``--repeat`` runs
(the machine is shared, so the fastest run is the least disturbed). The ratio
column compares each reader with pdfplumber measured in the same run.

    pdfplumber    page.extract_text() for every page (pdfminer underneath)
    pypdfium2     textpage.get_text_range() for every page: no layout at all
    ingest        extract.ingest.pdf.layout_pdf: glyph geometry, columns, tables, text
    ingest+parse  extract.ingest.pdf.load_pdf: the above and the Document (sections, references, pages)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus-real"
DEFAULT = (
    [REAL / "pdf", REAL / "pdf-trials", REAL / "pdf-jats"]
    if REAL.is_dir()
    else [ROOT / "tests" / "fixtures" / "pdf", ROOT / "tests" / "data" / "pdf"]
)
READERS = ["pdfplumber", "pypdfium2", "ingest", "ingest+parse"]


def pdfs(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.pdf")) if path.is_dir() else [path])
    return found


def read_all(reader: str, files: list[Path]) -> int:
    pages = 0
    if reader == "pdfplumber":
        import pdfplumber

        for file in files:
            with pdfplumber.open(file) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    pages += 1
    elif reader == "pypdfium2":
        import pypdfium2 as pdfium

        for file in files:
            document = pdfium.PdfDocument(str(file))
            for index in range(len(document)):
                document[index].get_textpage().get_text_range()
                pages += 1
            document.close()
    else:
        from extract.ingest.pdf import layout_pdf, load_pdf

        read = layout_pdf if reader == "ingest" else load_pdf
        for file in files:
            pages += len(read(file).pages if reader == "ingest+parse" else read(file).page_starts)
    return pages


def child(reader: str, files: list[Path], repeat: int) -> dict:
    if reader.startswith("ingest"):
        from extract.ingest.pdf import layout_pdf

        layout_pdf(files[0])  # imports and lexicons loaded before the clock starts
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        started = time.perf_counter()
        pages = read_all(reader, files)
        best = min(best, time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"reader": reader, "pages": pages, "seconds": best, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=READERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    files = pdfs(args.paths)
    if args.child:
        print(json.dumps(child(args.child, files, args.repeat)))
        return
    load = os.getloadavg()
    print(f"{len(files)} PDFs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; best of {args.repeat}")
    results = []
    for reader in READERS:
        command = [sys.executable, __file__, "--child", reader, "--repeat", str(args.repeat), *map(str, files)]
        output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    baseline = next(r for r in results if r["reader"] == "pdfplumber")
    base_rate = baseline["pages"] / baseline["seconds"]
    print(f"{'reader':<14}{'pages':>7}{'seconds':>10}{'pages/s':>10}{'× pdfplumber':>15}{'peak MB':>10}")
    for r in results:
        rate = r["pages"] / r["seconds"]
        print(f"{r['reader']:<14}{r['pages']:>7}{r['seconds']:>10.2f}{rate:>10.1f}{rate / base_rate:>15.1f}{r['peak_mb']:>10.0f}")


if __name__ == "__main__":
    main()
