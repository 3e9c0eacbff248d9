"""Small JSON data files from models/lexicons, read once per process."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from extract.paths import lexicons_dir


@cache
def load_lexicon(name: str) -> Any:
    path = lexicons_dir() / f"{name}.json"
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)
