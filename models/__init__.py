"""The rules as data: `patterns/*.jsonl` and `lexicons/*.json`.

Installed as the package `msc_extract_models` (see pyproject.toml) so the rules
travel inside the wheel; `extract/paths.py` finds this folder through it.
"""
