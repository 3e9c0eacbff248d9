"""Where pipeline assets live: `models/` beside the package, or MSC_EXTRACT_MODELS."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    override = os.environ.get("MSC_EXTRACT_MODELS")
    return Path(override) if override else PROJECT_ROOT / "models"


def patterns_dir() -> Path:
    return models_dir() / "patterns"


def lexicons_dir() -> Path:
    return models_dir() / "lexicons"


@cache
def load_lexicon(name: str) -> Any:
    """Read ``models/lexicons/<name>.json`` once per process: vocabulary is data, not code."""
    with (lexicons_dir() / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)
