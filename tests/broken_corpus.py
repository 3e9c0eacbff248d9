"""A corpus of broken files, made by the tests themselves: what a real download folder holds.

`make_broken_corpus(folder)` writes each kind of bad input and returns the
error code a batch must report for it.
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import ROOT

GENERATED_PDF = ROOT / "tests" / "fixtures" / "pdf" / "PMC5009698.pdf"
HUGE_MB = 50


def _encrypted_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path), encrypt="secret")
    page.drawString(72, 720, "Mesenchymal stromal cells were given intravenously.")
    page.save()


def _image_only_pdf(path: Path) -> None:
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    scan = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(scan).text((40, 40), "Mesenchymal stromal cells", fill=0)
    page = canvas.Canvas(str(path))
    page.drawImage(ImageReader(scan), 0, 0, 595, 842)
    page.save()


def make_broken_corpus(folder: Path) -> dict[str, str]:
    """Write the broken files into `folder`; file name -> the code a batch must report."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    (folder / "zero-bytes.txt").write_bytes(b"")
    expected["zero-bytes.txt"] = "empty_file"
    (folder / "binary-noise.txt").write_bytes(bytes((i * 7919) % 256 for i in range(20_000)))
    expected["binary-noise.txt"] = "decode_error"
    (folder / "random-bytes.pdf").write_bytes(bytes((i * 104729) % 251 for i in range(8_000)))
    expected["random-bytes.pdf"] = "not_a_pdf"
    (folder / "html-saved-as.pdf").write_text("<!DOCTYPE html><html><body>Access denied</body></html>\n", encoding="utf-8")
    expected["html-saved-as.pdf"] = "not_a_pdf"
    data = GENERATED_PDF.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    expected["truncated.pdf"] = "corrupt_pdf"
    _encrypted_pdf(folder / "password.pdf")
    expected["password.pdf"] = "encrypted_pdf"
    _image_only_pdf(folder / "scanned.pdf")
    expected["scanned.pdf"] = "no_text_layer"
    line = b"Patients received intravenous mesenchymal stromal cells in a randomised trial.\n"
    with (folder / "enormous.txt").open("wb") as handle:
        for _ in range(HUGE_MB * 2**20 // len(line) + 1):
            handle.write(line)
    expected["enormous.txt"] = "too_large"
    # A link to a file that is gone, and a link that loops back to its own folder (never followed).
    os.symlink(folder / "was-here.txt", folder / "dangling-link.txt")
    expected["dangling-link.txt"] = "not_found"
    os.symlink(folder, folder / "loop")
    return expected
