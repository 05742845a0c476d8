"""Shared fixtures: one strict build of the student site and one of the teacher's copy per test session, each
with its handouts, into a temporary folder; with an empty handout cache of the suite's own (a test must never
check a PDF that another checkout made)."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from lxml import html

import handouts.build
import handouts.editions
import handouts.print_html

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]
CACHE = tempfile.mkdtemp(prefix="handout-test-cache-")
atexit.register(shutil.rmtree, CACHE, True)  # it holds teacher editions: never left behind
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDOUT_CACHE_DIR": CACHE}
os.environ["HANDOUT_CACHE_DIR"] = CACHE  # and for the renderer when a test calls it in this process


def run_build(project, site_dir, *extra, env=None):
    """`mkdocs build --strict` of a project folder (env: variables added to the suite's); returns the
    CompletedProcess (never raises)."""
    return subprocess.run(
        [*MKDOCS, "build", "--strict", "--site-dir", str(site_dir), *extra],
        cwd=project,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_serve(project):
    """`mkdocs serve` of a project folder on a free local port: (the process, the site's address)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*MKDOCS, "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The student site and its handouts, built once from the working tree (what gets published)."""
    site = tmp_path_factory.mktemp("build") / "site"
    result = run_build(ROOT, site)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def teacher_site(built_site):
    """The teacher's copy (mkdocs.teacher.yml) and the teacher editions, built after the student site, as
    ./scripts/build does (its "What to print" table counts the student PDFs)."""
    site = built_site.parent / "teacher-only"
    result = subprocess.run(
        [*MKDOCS, "build", "--strict", "-f", "mkdocs.teacher.yml", "--site-dir", str(site)],
        cwd=ROOT,
        env={**ENV, "STUDENT_SITE_DIR": str(built_site)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"strict teacher build failed:\n{result.stdout}\n{result.stderr}"
    return site


def mkdocs_config(name):
    """mkdocs.yml or mkdocs.teacher.yml as a build reads it (its plugins' on_config run)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    loaded = load_config(str(ROOT / name))
    return loaded.plugins.on_config(loaded)


@pytest.fixture(scope="session")
def config():
    return mkdocs_config("mkdocs.yml")


@pytest.fixture(scope="session")
def teacher_config():
    return mkdocs_config("mkdocs.teacher.yml")


@pytest.fixture(scope="session")
def print_documents(built_site, teacher_site, config, teacher_config):
    """The print HTML of each edition declared in mkdocs.yml, as the renderer makes it from the built site."""
    sites = {"student": (built_site, config), "teacher": (teacher_site, teacher_config)}
    documents = {}
    for edition in handouts.editions.load(config)[0]:
        site, configuration = sites[edition.audience]
        built = handouts.build.built_pages(site)
        documents[edition.name] = html.fromstring(handouts.print_html.edition_html(site, edition, built, configuration))
    return documents


@pytest.fixture(scope="session")
def build_log(built_site):
    return built_site


@pytest.fixture(scope="session")
def canonical_paragraphs():
    sys.path.insert(0, str(ROOT / "hooks"))
    import telegram

    return telegram.canonical_paragraphs()


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """The small project (tests/smallproject.py), made once; tests break copies of it."""
    import smallproject

    return smallproject.make(tmp_path_factory.mktemp("small") / "project")


@pytest.fixture
def project(template, tmp_path):
    """A fresh copy of the small project for one test to break."""
    return Path(shutil.copytree(template, tmp_path / "project", symlinks=True))
