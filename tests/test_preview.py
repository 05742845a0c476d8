"""While a teacher edits under ./scripts/serve, the preview editions (`preview: true`: the class packet) are
remade in the background after each saved edit, served at their usual address, and the page that links them
says when they were made; stopping the server leaves no render process behind."""

import io
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from pypdf import PdfReader

from conftest import start_serve
from smallproject import edit

PDF = "handouts/stalin-mao-1952-student-a4.pdf"


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.read()
    except (urllib.error.URLError, ConnectionError):
        return None


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


def pdf_text(data):
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_a_saved_edit_remakes_the_preview_pdf_and_the_page_says_when(project):
    edit(project / "mkdocs.yml", "        solutions: after\n", "        solutions: after\n        preview: true\n")
    server, url = start_serve(project)
    try:
        first = wait_for(lambda: fetch(url + PDF), 90, "the preview PDF was not served")
        assert "Quokka" not in pdf_text(first)
        page = project / "docs" / "index.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nA quokka line: Quokka.\n", encoding="utf-8")
        remade = wait_for(
            lambda: (data := fetch(url + PDF)) and data != first and "Quokka" in pdf_text(data) and data,
            60,
            "the edit did not reach the preview PDF",
        )
        assert remade.startswith(b"%PDF")
        overview = wait_for(lambda: fetch(url + "index.html"), 30, "the overview was not served").decode()
        assert re.search(r"last made at \d\d:\d\d:\d\d", overview), "the page should say when the PDF was made"
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The preview reads its requests from the server: once the server is gone it ends, after its current render.
    wait_for(lambda: not preview_processes(project), 30, "a preview render was left running after the server stopped")


def preview_processes(project):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"handouts.preview" in arguments and any(str(project).encode() in argument for argument in arguments):
            found.append(cmdline.parent.name)
    return found
