"""Shared fixtures: one strict build of the site and the handouts per test session, into a temporary folder."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run_build(project, site_dir, *extra):
    """`mkdocs build --strict` of a project folder; returns the CompletedProcess (never raises)."""
    return subprocess.run([*MKDOCS, "build", "--strict", "--site-dir", str(site_dir), *extra],
                          cwd=project, env=ENV, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site and the four PDFs, built once from the working tree."""
    site = tmp_path_factory.mktemp("build") / "site"
    result = run_build(ROOT, site)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def build_log(built_site):
    return built_site


@pytest.fixture(scope="session")
def canonical_paragraphs():
    sys.path.insert(0, str(ROOT / "hooks"))
    import telegram
    return telegram.canonical_paragraphs()
