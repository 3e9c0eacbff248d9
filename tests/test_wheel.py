"""The wheel works without a checkout: built, installed into a fresh virtual environment, run on a bundled paper.

Dependencies install the way a user's `pip install` gets them (the configured
indexes, pip's cache); the test skips only when that fails because no package
index can be reached, and says so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from conftest import ROOT, TRIAL_DISC

# What the wheel is built from: what an sdist would hold, not the checkout around it.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "extract", "models")
NETWORK_ERRORS = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
                  "Max retries exceeded", "Could not fetch URL", "ConnectionError", "No matching distribution")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--check-build-dependencies",
         "--wheel-dir", str(work / "dist"), str(source)],
        capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = (work / "dist").glob("msc_extract-*.whl")
    return path


def test_the_wheel_carries_every_rule_file_the_report_template_and_the_workbench(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {
        "msc_extract_models/" + p.relative_to(ROOT / "models").as_posix()
        for p in (ROOT / "models").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert rules and rules <= names, sorted(rules - names)
    assert "extract/report/templates/report.html.j2" in names
    workbench = {
        p.relative_to(ROOT).as_posix()
        for folder in ("templates", "static")
        for p in (ROOT / "extract" / "serve" / folder).iterdir()
        if p.is_file()
    }
    assert workbench and workbench <= names, sorted(workbench - names)
    assert "extract/cli.py" in names and not any(n.startswith(("tests/", "corpus/", "gold/")) for n in names)


def _index_reachable() -> bool:
    """Whether any configured package index answers (a file:// index counts when its folder exists)."""
    config = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    urls = ["https://pypi.org/simple"]
    for line in config.splitlines():
        if "index-url" in line:
            urls += line.split("=", 1)[1].strip().strip("'\"").split()
    for url in urls:
        parsed = urlparse(url)
        if parsed.scheme == "file" and Path(parsed.path).is_dir():
            return True
        if parsed.hostname:
            try:
                socket.create_connection((parsed.hostname, parsed.port or 443), timeout=5).close()
                return True
            except OSError:
                continue
    return False


@pytest.mark.slow
def test_the_installed_wheel_extracts_a_bundled_paper_without_the_checkout(wheel, tmp_path, nlp):
    from extract.run import process_path
    from extract.store.outputs import values_frame

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, system_site_packages=False)
    python = env_dir / "bin" / "python"
    # This interpreter's pip installs into the new environment (`--python`): no pip to set up there;
    # no byte-compiling, which would take longer than the install.
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-compile", "--quiet", str(wheel)],
        capture_output=True, text=True,
    )
    if installed.returncode != 0:
        output = installed.stdout + installed.stderr
        if any(error in output for error in NETWORK_ERRORS) and not _index_reachable():
            pytest.skip(f"no package index reachable to install the wheel's dependencies: {output.strip()[-300:]}")
        pytest.fail(f"pip install of the wheel failed:\n{output}")

    # Run from an empty folder, with nothing pointing back at the checkout.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MSC_EXTRACT_MODELS", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(python), "-c", "import extract, extract.paths; print(extract.__file__); print(extract.paths.models_dir())"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(env_dir) for p in where), where

    paper = tmp_path / "papers" / TRIAL_DISC.name
    paper.parent.mkdir()
    shutil.copy2(TRIAL_DISC, paper)
    run = subprocess.run(
        [str(env_dir / "bin" / "msc-extract"), "run", str(paper.parent), "--out", "out", "--pipeline", "blank",
         "--workers", "1"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    values = pd.read_csv(tmp_path / "out" / "values.csv", dtype=str, keep_default_na=False)
    found = set(zip(values["field"], values["value"]))
    # Values read by rules (models/patterns) and by lexicon-driven readers (models/lexicons).
    assert {("route", "intradiscal"), ("source", "bone_marrow"), ("donor_type", "autologous"),
            ("sample_size", "treated=5")} <= found
    # The same values as the checkout extracts.
    here = values_frame([process_path(TRIAL_DISC, nlp)])
    assert found == set(zip(here["field"], here["value"]))

    # Scored, with the HTML report from the template the wheel carries.
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copy2(ROOT / "gold" / f"{TRIAL_DISC.stem}.csv", gold)
    scored = subprocess.run(
        [str(env_dir / "bin" / "msc-extract"), "score", "--gold", "gold", "--pred", "out", "--resamples", "20"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )
    assert scored.returncode == 0, scored.stdout + scored.stderr
    assert 'class="field-chart"' in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
