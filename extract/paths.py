"""Where pipeline assets live: `models/` beside the package, or MSC_EXTRACT_MODELS."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    override = os.environ.get("MSC_EXTRACT_MODELS")
    return Path(override) if override else PROJECT_ROOT / "models"


def patterns_dir() -> Path:
    return models_dir() / "patterns"


def lexicons_dir() -> Path:
    return models_dir() / "lexicons"
