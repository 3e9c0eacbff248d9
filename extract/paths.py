"""Where pipeline assets live: the rules in models/, installed as the package `msc_extract_models`.

The folder is found through the import system, so an editable install reads the
checkout's models/ and a wheel reads the copy it carries: no checkout or
environment variable is needed. MSC_EXTRACT_MODELS, when set, points at another
folder of the same layout (trying out rules without reinstalling).
"""

from __future__ import annotations

import importlib.util
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

MODELS_PACKAGE = "msc_extract_models"


def models_dir() -> Path:
    override = os.environ.get("MSC_EXTRACT_MODELS")
    return Path(override) if override else _installed_models()


@cache
def _installed_models() -> Path:
    # find_spec locates the package without importing it, so no __pycache__ appears among the rules
    # (the dataset fingerprints every file of this folder).
    spec = importlib.util.find_spec(MODELS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the rules package {MODELS_PACKAGE!r} is not installed: reinstall msc-extract")
    return Path(next(iter(spec.submodule_search_locations)))


def patterns_dir() -> Path:
    return models_dir() / "patterns"


def lexicons_dir() -> Path:
    return models_dir() / "lexicons"


@cache
def load_lexicon(name: str) -> Any:
    """Read ``models/lexicons/<name>.json`` once per process: vocabulary is data, not code."""
    with (lexicons_dir() / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)
