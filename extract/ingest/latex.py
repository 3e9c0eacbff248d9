"""Rendering the bits of LaTeX that exports leave in table cells ("$\\times 10^6$", "\\pm")."""

from __future__ import annotations

import re

from extract.paths import load_lexicon

_COMMAND = re.compile(r"\\[A-Za-z]+|\\%")


def render_latex(text: str) -> str:
    """Plain text a reader would see: math delimiters dropped, known commands as symbols."""
    if "\\" not in text and "$" not in text:
        return text
    commands = load_lexicon("latex")["commands"]
    rendered = _COMMAND.sub(lambda m: commands.get(m.group(0), m.group(0)), text)
    rendered = rendered.replace("$", "")
    rendered = re.sub(r"\^\{([^{}]*)\}", r"^\1", rendered)
    return re.sub(r"\s+", " ", rendered).strip()
