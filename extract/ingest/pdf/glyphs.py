"""Character geometry from pdfium: every glyph with its box, baseline, font size and weight.

pdfium (through pypdfium2) reads a page's characters at hundreds of pages a
second, where pdfminer (under pdfplumber) manages a handful, so this is the one
place a PDF is read; everything after it works on plain tuples. Coordinates are
turned to the page as displayed (rotation applied) with y growing downwards,
so the rest of the layout never thinks about PDF's upside-down space.
"""

from __future__ import annotations

import ctypes
import math
import re
import unicodedata
from functools import cache
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

_PDFIUM_SOFT_HYPHEN = 2  # pdfium's code for a soft hyphen printed at a line end
_SPACES = {32, 9, 0xA0, 0x2002, 0x2003, 0x2009, 0x200A}
# pdfium's FPDFText_GetTextObject answering a plain address, so that comparing
# two answers costs nothing (the typed pointer pypdfium2 returns needs a cast).
_GET_TEXT_OBJECT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value
)
# The three calls made for every character, with plain addresses for arguments: pypdfium2's
# typed prototypes convert each argument, which costs a third of the call.
_GET_UNICODE = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(raw.FPDFText_GetUnicode, ctypes.c_void_p).value
)
_GET_LOOSE_BOX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)(
    ctypes.cast(raw.FPDFText_GetLooseCharBox, ctypes.c_void_p).value
)
_GET_ORIGIN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(raw.FPDFText_GetCharOrigin, ctypes.c_void_p).value
)
_ITALIC_FLAG = 64  # PDF font descriptor flag
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_THIN = 2.5  # points: a path this thin is a rule, not a shape
_MAX_PATH_SEGMENTS = 400
_TURNED_CAPTION = re.compile(r"Table\s*\d", re.IGNORECASE)
_TICK = 20.0  # points: a thin path shorter than this is part of a drawing (a tick), not a table's rule


@dataclass(slots=True)
class Glyph:
    char: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    space_before: bool
    """The PDF put a space (or pdfium inferred one) between this glyph and the one before."""
    bold: bool = False
    italic: bool = False
    page: int = 0
    shown: tuple[float, float, float, float] | None = None
    """Where a glyph of a turned view sits on the page as shown (x0, top, x1, bottom); None for upright text."""

    def page_box(self) -> tuple[float, float, float, float]:
        """The glyph's box on its page as shown: x0, top, x1, bottom in points from the top-left."""
        return self.shown if self.shown is not None else (self.x0, self.top, self.x1, self.bottom)


@dataclass
class Rule:
    """A ruling line: horizontal when y0 == y1 (within a point), vertical when x0 == x1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) < _THIN and self.x1 - self.x0 > _THIN


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    glyphs: list[Glyph]
    rules: list[Rule] = field(default_factory=list)
    images: int = 0
    graphics: list[tuple[float, float, float, float, bool]] = field(default_factory=list)
    """Boxes (x0, top, x1, bottom, is an image) of the images and drawn shapes on the page."""
    turned: list["PageContent"] | None = field(default_factory=list)
    """Text printed at 90° on this page (a landscape table), turned upright: a view of its own."""


def open_pdf(path: str) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(path)


def read_page(document: pdfium.PdfDocument, index: int, with_rules: bool = True) -> PageContent:
    page = document[index]
    try:
        width, height = page.get_size()
        to_display = _display_transform(page, width, height)
        textpage = page.get_textpage()
        try:
            glyphs, turned = _glyphs(textpage.raw, to_display, index + 1)
        finally:
            textpage.close()
        rules, images, graphics = _rules_and_images(page.raw, to_display) if with_rules else ([], 0, [])
        content = PageContent(index + 1, width, height, glyphs, rules, images, graphics=graphics)
        content.turned = _turned_views(content, turned)
        return content
    finally:
        page.close()


def _turned_views(page: PageContent, turned: dict[int, list[Glyph]]) -> list[PageContent]:
    """Sideways text turned upright, when there is enough of it to be a table or a page of text.

    Text reading upwards (-1) is turned clockwise, text reading downwards (+1)
    anticlockwise; a figure's axis labels are too few to count, unless a table's
    caption is among them.
    """
    views = []
    least = settings_turned_least()
    for direction, glyphs in sorted(turned.items()):
        if len(glyphs) < least and not _TURNED_CAPTION.search("".join(g.char for g in glyphs)):
            continue
        width, height = page.height, page.width
        if direction < 0:
            def box(x0, top, x1, bottom):
                return page.height - bottom, x0, page.height - top, x1
        else:
            def box(x0, top, x1, bottom):
                return top, page.width - x1, bottom, page.width - x0
        upright: list[Glyph] = []
        sharing: list[Glyph] = []
        sharing_box = (0.0, 0.0)
        for g in glyphs:
            x0, top, x1, bottom = box(g.x0, g.top, g.x1, g.bottom)
            # g.baseline holds the baseline's display x for sideways text (see _glyphs)
            baseline = g.baseline if direction < 0 else page.width - g.baseline
            glyph = Glyph(g.char, x0, x1, top, bottom, baseline, g.size, g.space_before, g.bold, g.italic, g.page, (g.x0, g.top, g.x1, g.bottom))
            if sharing and sharing_box == (x0, x1) and x1 > x0:
                sharing.append(glyph)  # a ligature's letters share one box, as upright (see _glyphs)
                step = (x1 - x0) / len(sharing)
                for k, letter in enumerate(sharing):
                    letter.x0, letter.x1 = x0 + k * step, x0 + (k + 1) * step
            else:
                sharing, sharing_box = [glyph], (x0, x1)
            upright.append(glyph)
        rules = []
        for r in page.rules:
            x0, y0, x1, y1 = box(r.x0, r.y0, r.x1, r.y1)
            rules.append(Rule(x0, y0, x1, y1))
        graphics = [(*box(*g[:4]), g[4]) for g in page.graphics]
        views.append(PageContent(page.number, width, height, upright, rules, 0, graphics=graphics))
    return views


def settings_turned_least() -> int:
    from extract.paths import load_lexicon

    return load_lexicon("pdf_layout")["turned_text_least_glyphs"]


def _display_transform(page: pdfium.PdfPage, width: float, height: float) -> tuple[float, ...]:
    """PDF user space (y up, unrotated) to the page as shown (y down, rotation applied).

    An affine map (a, b, c, d, e, f): shown x = a·x + b·y + e, shown y = c·x + d·y + f.
    """
    rotation = page.get_rotation() % 360
    crop = page.get_cropbox()
    left, bottom = crop[0], crop[1]
    if rotation == 90:
        return (0.0, 1.0, 1.0, 0.0, -bottom, -left)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, 1.0, width + left, -bottom)
    if rotation == 270:
        return (0.0, -1.0, -1.0, 0.0, height + bottom, width + left)
    return (1.0, 0.0, 0.0, -1.0, -left, height + bottom)


def _apply(transform: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = transform
    return a * x + b * y + e, c * x + d * y + f


def _glyphs(textpage, to_display: tuple[float, ...], page_number: int) -> tuple[list[Glyph], dict[int, list[Glyph]]]:
    """The page's upright glyphs, and its sideways ones by direction (-1 reading up, +1 reading down)."""
    count = raw.FPDFText_CountChars(textpage)
    ta, tb, tc, td, te, tf = to_display
    box = raw.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    # Loose boxes span the advance width and the font's ascent and descent, so
    # letters of a word touch and a gap means a space, whatever the glyph shapes.
    page_address = ctypes.cast(textpage, ctypes.c_void_p).value
    box_address = ctypes.addressof(box)
    origin_x_address, origin_y_address = ctypes.addressof(origin_x), ctypes.addressof(origin_y)
    get_unicode, get_box, get_origin = _GET_UNICODE, _GET_LOOSE_BOX, _GET_ORIGIN
    get_size = raw.FPDFText_GetFontSize
    get_weight, get_font = raw.FPDFText_GetFontWeight, raw.FPDFText_GetFontInfo
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    glyphs: list[Glyph] = []
    space = False
    last_object: int | None = -1
    get_object, get_matrix = _GET_TEXT_OBJECT, raw.FPDFText_GetMatrix
    matrix = raw.FS_MATRIX()
    size = 0.0
    direction = 0
    turned: dict[int, list[Glyph]] = {-1: [], 1: []}
    bold = italic = False
    sharing: list[Glyph] = []
    sharing_box = (0.0, 0.0)
    accents = _accent_codes()
    accented = False
    for index in range(count):
        code = get_unicode(page_address, index)
        char = None
        if 0xD800 <= code <= 0xDFFF:
            # pdfium answers in UTF-16 units: a glyph outside the Basic Multilingual Plane (a
            # mathematical italic p or μ) is a high then a low surrogate, read here as one letter.
            low = get_unicode(page_address, index + 1) if code <= 0xDBFF and index + 1 < count else 0
            if not 0xDC00 <= low <= 0xDFFF:
                continue  # the low half (already read with its high half) or a stray half
            char = _astral(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        if code in _SPACES:
            if len(sharing) >= 2 and sharing_box[1] > sharing_box[0]:
                # Some fonts map a ligature to "fi " (a space after it): a space inside the
                # ligature's own box is that mapping, not a gap between words.
                get_box(page_address, index, box_address)
                x_left = ta * box.left + tb * box.top + te
                x_right = ta * box.right + tb * box.bottom + te
                if sharing_box[0] - 0.5 <= min(x_left, x_right) and max(x_left, x_right) <= sharing_box[1] + 0.5:
                    continue
            space = True
            continue
        if code == _PDFIUM_SOFT_HYPHEN:
            code = 0xAD
        elif code < 0x20 or code == 0xFFFF:
            continue  # line breaks pdfium inferred; lines are found from geometry here
        get_box(page_address, index, box_address)
        get_origin(page_address, index, origin_x_address, origin_y_address)
        text_object = get_object(page_address, index)
        if text_object != last_object:
            # A font holds for a whole text object: ask for it once an object.
            last_object = text_object
            # Some producers set the font at size 1 and scale the text matrix: the size on
            # the page is the font size times the matrix's vertical scale.
            get_matrix(textpage, index, matrix)
            scale = math.hypot(matrix.c, matrix.d) or 1.0
            size = get_size(textpage, index) * scale
            # Which way the text runs on the page as shown: along x (upright), up or down the page
            # (a landscape table, a journal's URL in the margin), or upside down (dropped).
            run_x, run_y = ta * matrix.a + tb * matrix.b, tc * matrix.a + td * matrix.b
            if abs(run_x) >= abs(run_y):
                direction = 0 if run_x > 0 else 2
            else:
                direction = -1 if run_y < 0 else 1
            get_font(textpage, index, name, 128, flags)
            font = name.value.decode("latin-1").lower()
            bold = get_weight(textpage, index) >= 600 or any(w in font for w in _BOLD_NAMES)
            italic = bool(flags.value & _ITALIC_FLAG) or "italic" in font or "oblique" in font
        if direction == 2:
            continue
        left, top, right, bottom = box.left, box.top, box.right, box.bottom
        x0, y_top = ta * left + tb * top + te, tc * left + td * top + tf
        x1, y_bottom = ta * right + tb * bottom + te, tc * right + td * bottom + tf
        if direction:
            # Sideways, the baseline is a vertical line: keep its x, the view turned upright needs it.
            baseline = ta * origin_x.value + tb * origin_y.value + te
        else:
            baseline = tc * origin_x.value + td * origin_y.value + tf
        if x1 < x0:
            x0, x1 = x1, x0
        if y_bottom < y_top:
            y_top, y_bottom = y_bottom, y_top
        glyph = Glyph(char or chr(code), x0, x1, y_top, y_bottom, baseline, size or (y_bottom - y_top), space, bold, italic, page_number)
        if direction:
            turned[direction].append(glyph)
            space = False
            continue
        if sharing and sharing_box == (x0, x1) and x1 > x0:
            # A ligature (ﬁ, ﬃ) comes out as letters sharing one box: share it out.
            sharing.append(glyph)
            step = (x1 - x0) / len(sharing)
            for k, letter in enumerate(sharing):
                letter.x0, letter.x1 = x0 + k * step, x0 + (k + 1) * step
        else:
            sharing, sharing_box = [glyph], (x0, x1)
        glyphs.append(glyph)
        space = False
        if code in accents:
            accented = True
    return (_with_accents(glyphs) if accented else glyphs), turned


def _accents() -> dict[str, str]:
    """Spacing accents (not the ASCII ^ ~ `, which papers print as themselves) and their combining forms."""
    from extract.paths import load_lexicon

    return load_lexicon("pdf_layout")["spacing_accents"]


@cache
def _accent_codes() -> frozenset[int]:
    return frozenset(map(ord, _accents()))


def _with_accents(glyphs: list[Glyph]) -> list[Glyph]:
    """An accent printed as a glyph of its own (´ over ı for í) joined to the letter it sits on.

    TeX-set PDFs print "Darío" as "Dar", "´", "ı", "o": read apart, the name splits
    in two ("dar ıo"). An accent drawn over (or under: ¸) the letter printed just
    before or after it becomes that letter's combining mark, and the letter keeps its
    own box. An accent beside the letters, not over one, is left as it is: it is a
    mark of its own ("Student´s" uses it as an apostrophe).
    """
    accents = _accents()
    out: list[Glyph] = []
    for index, glyph in enumerate(glyphs):
        if glyph.char not in accents:
            out.append(glyph)
            continue
        middle = (glyph.x0 + glyph.x1) / 2
        before = out[-1] if out else None
        after = glyphs[index + 1] if index + 1 < len(glyphs) else None

        def under(letter: Glyph | None) -> bool:
            return (
                letter is not None
                and letter.char.isalpha()
                and letter.x0 - 0.5 <= middle <= letter.x1 + 0.5
                and abs(letter.baseline - glyph.baseline) < 0.5 * letter.size
            )

        letter = after if under(after) else before if under(before) else None
        if letter is None:
            out.append(glyph)
            continue
        base = {"ı": "i", "ȷ": "j"}.get(letter.char, letter.char)
        letter.char = unicodedata.normalize("NFC", base + accents[glyph.char])
        if letter is after and before is not None:
            # The accent's box often stands apart from the word: whether a space comes before the
            # letter is judged from the letter printed before the accent.
            letter.space_before = letter.x0 - before.x1 > 0.15 * letter.size
    return out


def _astral(code: int) -> str:
    """A character beyond U+FFFF; mathematical letters and digits as the plain ones they style (𝑝 → p)."""
    char = chr(code)
    if 0x1D400 <= code <= 0x1D7FF:
        return unicodedata.normalize("NFKC", char)
    return char


def _rules_and_images(page, to_display) -> tuple[list[Rule], int, list[tuple[float, float, float, float, bool]]]:
    """Ruling lines, the number of images, and the boxes of what is drawn (images, shapes, ticks)."""
    rules: list[Rule] = []
    graphics: list[tuple[float, float, float, float, bool]] = []
    images = 0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for index in range(raw.FPDFPage_CountObjects(page)):
        obj = raw.FPDFPage_GetObject(page, index)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind not in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH):
            continue
        if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            images += kind == raw.FPDF_PAGEOBJ_IMAGE
            continue
        box = _rule(to_display, left.value, bottom.value, right.value, top.value)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
            graphics.append((box.x0, box.y0, box.x1, box.y1, True))
            continue
        thin = right.value - left.value < _THIN or top.value - bottom.value < _THIN
        if thin:
            rules.append(box)
            if max(box.x1 - box.x0, box.y1 - box.y0) < _TICK:
                graphics.append((box.x0, box.y0, box.x1, box.y1, False))  # a tick or a stroke of a drawing
        else:
            rules.extend(_segments(obj, to_display))
            graphics.append((box.x0, box.y0, box.x1, box.y1, False))
    return rules, images, graphics


def _rule(to_display, x0: float, y0: float, x1: float, y1: float) -> Rule:
    a, b = _apply(to_display, x0, y0), _apply(to_display, x1, y1)
    return Rule(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def _segments(obj, to_display) -> list[Rule]:
    """Straight horizontal and vertical pieces of a path that draws several lines at once."""
    count = raw.FPDFPath_CountSegments(obj)
    if count <= 1 or count > _MAX_PATH_SEGMENTS:
        return []
    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, matrix):
        return []
    x, y = ctypes.c_float(), ctypes.c_float()
    rules: list[Rule] = []
    previous = None
    for index in range(count):
        segment = raw.FPDFPath_GetPathSegment(obj, index)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        point = (
            matrix.a * x.value + matrix.c * y.value + matrix.e,
            matrix.b * x.value + matrix.d * y.value + matrix.f,
        )
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_LINETO and previous is not None:
            dx, dy = abs(point[0] - previous[0]), abs(point[1] - previous[1])
            if (dy < 1 and dx > _THIN) or (dx < 1 and dy > _THIN):
                rules.append(_rule(to_display, *previous, *point))
        previous = point
    return rules
