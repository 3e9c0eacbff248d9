"""The package list, which pyproject.toml cannot state: every `extract*` package, plus
`msc_extract_models`, the rules in models/ (mapped by `package-dir` in pyproject.toml),
with its data folders."""

from setuptools import find_namespace_packages, find_packages, setup

rule_folders = [f"msc_extract_models.{name}" for name in find_namespace_packages(where="models", exclude=["*__pycache__*"])]
setup(packages=[*find_packages(include=["extract", "extract.*"]), "msc_extract_models", *rule_folders])
