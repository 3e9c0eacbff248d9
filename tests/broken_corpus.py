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

    # Hostile names and things that are not files: none may stop the batch or hang it.
    (folder / os.fsdecode(b"caf\xe9-latin1-name.txt")).write_bytes(b"")  # not valid UTF-8: recorded with U+FFFD
    expected["caf\ufffd-latin1-name.txt"] = "empty_file"
    (folder / "sub[").mkdir()
    (folder / "sub[" / "red] markup.txt").write_bytes(b"")  # its path, ".../sub[/red] markup.txt", is a rich closing tag
    expected["red] markup.txt"] = "empty_file"
    os.mkfifo(folder / "named-pipe.txt")
    expected["named-pipe.txt"] = "not_a_file"
    os.symlink("/dev/zero", folder / "endless-zeros.txt")
    expected["endless-zeros.txt"] = "not_a_file"
    # Two different files under one doc id: the second is refused, never merged into the first.
    (folder / "twin.md").write_bytes(b"\n")
    expected["twin.md"] = "empty_file"
    (folder / "twin.txt").write_text("A different paper\n\nPatients received intrathecal MSCs.\n", encoding="utf-8")
    expected["twin.txt"] = "doc_id_clash"
    # A CORD-19 header whose labels repeat without the last one: refused at once, not after minutes of backtracking.
    (folder / "cord19-no-uid.txt").write_text("key: k authors: " + "a title: b date: c journal: d DOI: e sha: f doc_id: g " * 400, encoding="utf-8")
    expected["cord19-no-uid.txt"] = "unreadable"
    return expected


def _minimal_pdf(page_content: bytes, extra_object: bytes, compressed: bool) -> bytes:
    """A one-page PDF written by hand, so its objects can be as hostile as a test needs."""
    stream_dict = b"<< /Length %d%s >>" % (len(page_content), b" /Filter /FlateDecode" if compressed else b"")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> /Extra 6 0 R >>",
        stream_dict + b"\nstream\n" + page_content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        extra_object,
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def make_hostile_pdfs(folder: Path) -> list[Path]:
    """A page holding an object nested 200,000 arrays deep, and a page whose content inflates to 200 MB."""
    import zlib

    folder.mkdir(parents=True, exist_ok=True)
    nested = folder / "deeply-nested.pdf"
    nested.write_bytes(_minimal_pdf(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET", b"[" * 200_000 + b"]" * 200_000, False))
    bomb = folder / "decompression-bomb.pdf"
    bomb.write_bytes(_minimal_pdf(zlib.compress(b" " * (200 * 2**20), 9), b"0", True))
    return [nested, bomb]
