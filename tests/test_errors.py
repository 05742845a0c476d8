"""Every mistake a teacher can make in the Markdown stops the build with a message that names the file (and
line), says what to do, exits non-zero and leaves no half-written output.

Each test breaks a fresh copy of a small project (tests/smallproject.py) on purpose; the working tree is
never touched. Website-only mistakes are built with HANDOUTS=0 (faster); the rest make the PDFs too.
"""

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import smallproject
from smallproject import edit, fails_with

ROOT = smallproject.ROOT
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ENV.pop("HANDOUTS", None)
RENDER = ["scripts/render_handouts.py"]


@pytest.fixture(scope="session")
def good_site(template, tmp_path_factory):
    """The small project's site, built once, without the PDFs (the handout CLI tests render them)."""
    site = tmp_path_factory.mktemp("small-site") / "site"
    result = build(template, site, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def build(project, site=None, handouts=True):
    site = site or project / "out"
    env = {**ENV, "HANDOUTS": "1" if handouts else "0"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def render(project, *args, env=None):
    return subprocess.run(
        [sys.executable, *RENDER, *args], cwd=project, env=env or ENV, capture_output=True, text=True, timeout=300
    )


def test_the_small_project_builds_cleanly_with_its_handouts(project):
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((project / "out" / "handouts").glob("*.pdf"))) == 2  # the student edition, A4 and Letter


# Mistakes that only need the website built: (file, text in it, replaced by, pieces of the message).
MISTAKES = [
    pytest.param(
        "docs/index.md",
        "[^third]: Note gamma about the fifth paragraph.",
        "",
        [
            "docs/index.md:4: footnote call [^third] has no definition; add a line '[^third]: text of the "
            "note' (by habit at the end of the page) or remove the call."
        ],
        id="a-footnote-call-without-definition",
    ),
    pytest.param(
        "docs/index.md",
        "first.[^third]",
        "first.",
        [
            "docs/index.md:10: footnote [^third] is defined but never called; put [^third] in the text "
            "where the note belongs, or delete the definition."
        ],
        id="a-footnote-definition-without-call",
    ),
    pytest.param(
        "docs/index.md",
        "[^third]: Note gamma",
        "[^second]: Note gamma",
        ["docs/index.md:10: footnote [^second] is defined twice; give one of them another name."],
        id="a-footnote-defined-twice",
    ),
    pytest.param(
        "docs/index.md",
        ", p. 84]",
        ", page 84]",
        ["docs/index.md:10: cannot read the locator 'page 84' in [@", "write it as 'p. 84', 'pp. 84–85'"],
        id="an-unreadable-citation-locator",
    ),
    pytest.param(
        "docs/index.md",
        "glossary.md#fond",
        "glossary.md#fonds",
        [
            "docs/index.md:4: unknown glossary term 'fonds'. Did you mean 'fond'? Add it to "
            "data/glossary.yml or correct the link."
        ],
        id="an-unknown-glossary-term",
    ),
    pytest.param(
        "docs/index.md",
        "Read [¶5](telegram.md#p5)",
        "Read [¶5](telegrams.md#p5)",
        [
            "Doc file 'index.md' contains a link 'telegrams.md#p5', but the target 'telegrams.md' is not "
            "found among documentation files.",
            "Aborted with 1 warnings in strict mode!",
        ],
        id="a-broken-internal-link",
    ),
    pytest.param(
        "docs/index.md",
        "Read [¶5](telegram.md#p5)",
        "Read [¶5](telegram.md#p55)",
        [
            "Doc file 'index.md' contains a link 'telegram.md#p55', but the doc 'telegram.md' does not "
            "contain an anchor '#p55'."
        ],
        id="a-broken-anchor",
    ),
    pytest.param(
        "docs/index.md",
        "<!-- handouts -->",
        "![Map of Korea](assets/images/korea.png)",
        [
            "Doc file 'index.md' contains a link 'assets/images/korea.png', but the target is not found "
            "among documentation files."
        ],
        id="a-missing-image",
    ),
    pytest.param(
        "docs/index.md",
        "<!-- handouts -->",
        '--8<-- "docs/snippets/credits.md"',
        [
            "docs/index.md:6: the snippet 'docs/snippets/credits.md' does "
            "not exist; create it or correct the path (snippet paths start at the project folder, for "
            'example "docs/snippets/credits.md").'
        ],
        id="a-missing-snippet",
    ),
    pytest.param(
        "docs/telegram.md",
        "\n{ #p3 }",
        "",
        [
            "docs/telegram.md:21: paragraph number ¶4 is out of sequence; "
            "expected { #p3 }. Number the telegram's paragraphs 1, 2, 3 … with no gaps."
        ],
        id="a-telegram-paragraph-number-missing",
    ),
    pytest.param(
        "docs/telegram.md",
        "\n{ #p7 }",
        "",
        [
            "docs/telegram.md:3: the telegram's paragraphs are numbered "
            "¶1–¶6, but it has 7: end the last line of each of its 7 paragraphs with { #pN }, from { #p1 } "
            "to { #p7 }."
        ],
        id="the-last-telegram-paragraph-number-missing",
    ),
    pytest.param(
        "docs/telegram.md",
        "{ #p3 }",
        "{ #p2 }",
        [
            "docs/telegram.md:19: paragraph number ¶2 is used twice; "
            "number the telegram's paragraphs { #p1 }, { #p2 } … once each, in order."
        ],
        id="a-telegram-paragraph-number-duplicated",
    ),
    pytest.param(
        "docs/telegram.md",
        "27 December 1952\n",
        "",
        [
            "docs/telegram.md: the telegram ends early: the archive text "
            "continues with '27 December 1952'. Restore the missing paragraph verbatim."
        ],
        id="the-telegram-cut-short",
    ),
    pytest.param(
        "docs/telegram.md",
        "</div>",
        "My own comment on the telegram.\n\n</div>",
        [
            "docs/telegram.md: the telegram has text the archive does not: 'My "
            'own comment on the telegram.\'. Put commentary outside <div class="telegram"> or in a footnote.'
        ],
        id="commentary-inside-the-telegram",
    ),
    pytest.param(
        "docs/telegram.md",
        "The telegram of 17 December. [@",
        "The telegram of 17 December. @",
        ["footnote [^received] cites no source; every note on the telegram page must cite at least one work"],
        id="a-telegram-note-without-a-citation",
    ),
    pytest.param(
        "docs/questions.md",
        "through the year.\n///\n",
        "through the year.\n",
        [
            "docs/questions.md:7: the '/// teacher' block opened here is "
            "never closed; add a line with only '///' where it ends. (An unclosed teacher block would hide "
            "the rest of the page.)"
        ],
        id="a-teacher-block-left-unclosed",
    ),
    pytest.param(
        "docs/questions.md",
        "Think about the war in Korea.",
        "Think about the war in Korea.\n\n///",
        [
            "docs/questions.md:15: this '///' closes no block; delete it or "
            "add the opening line (for example '/// teacher | Suggested answer') above it."
        ],
        id="a-stray-block-closing-mark",
    ),
    pytest.param(
        "docs/questions.md",
        "### 2. Why then? { #q2",
        "### 3. Why then? { #q3",
        [
            "docs/questions.md:11: question id #q3 is out of sequence; "
            "expected #q2. Questions are numbered 1, 2, 3 … down the page, each number once."
        ],
        id="a-question-out-of-sequence",
    ),
    pytest.param(
        "docs/questions.md",
        '{ #q2 data-answer-lines="2" }',
        "{ #q2 }",
        ['docs/questions.md:11: question #q2 needs data-answer-lines="N" (the ruled lines in the student handout).'],
        id="a-question-without-answer-lines",
    ),
    pytest.param(
        "data/bibliography.json",
        '"id":',
        '"id"',
        [
            "data/bibliography.json:3: is not valid JSON (Expecting ':' delimiter at column",
            "look for a missing comma or quote.",
        ],
        id="a-bibliography-with-a-json-mistake",
    ),
    pytest.param(
        "docs/index.md",
        "Note beta about the archive. [@",
        "Note beta about the archive. @",
        [
            "data/bibliography.json: no page cites ",
            "cite each work where it is used, or remove the entry.",
            "Aborted with 1 warnings in strict mode!",
        ],
        id="an-uncited-bibliography-entry",
    ),
    pytest.param(
        "data/glossary.yml",
        "  term: fond",
        "  term: fond: the",
        [
            "data/glossary.yml:2: is not valid YAML (mapping values are not "
            "allowed here); check the indentation and quotes."
        ],
        id="a-glossary-with-a-yaml-mistake",
    ),
    pytest.param(
        "data/glossary.yml",
        "- id: telegram",
        "- id: fond",
        ["data/glossary.yml:4: the id 'fond' is used twice; ids must be unique."],
        id="a-glossary-id-used-twice",
    ),
]


@pytest.mark.parametrize("path,old,new,expected", MISTAKES)
def test_a_mistake_in_a_page_or_a_data_file(project, path, old, new, expected):
    edit(project / path, old, new)
    fails_with(build(project, handouts=False), *expected)


# ---------------------------------------------------------------------------------------------------------
# Mistakes that need more than one replacement, or the handouts


def test_shuffled_definitions_still_number_the_notes_in_reading_order_on_the_web_and_in_the_pdf(project):
    index = project / "docs/index.md"
    text = index.read_text(encoding="utf-8")
    notes = re.findall(r"^\[\^\w+\]: .*$", text, flags=re.MULTILINE)
    body = text[: text.index(notes[0])]
    index.write_text(body + "\n".join([notes[2], notes[0], notes[1]]) + "\n", encoding="utf-8")

    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out" / "index.html").read_text(encoding="utf-8")
    calls = re.findall(r'class="footnote-ref" href="#fn:(\w+)">(\d+)</a>', page)
    assert calls == [("first", "1"), ("second", "2"), ("third", "3")]
    listed = re.findall(r'<li id="fn:(\w+)">', page)
    assert listed == ["first", "second", "third"]

    from pypdf import PdfReader

    for pdf in (project / "out" / "handouts").glob("*.pdf"):
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
        numbered = re.findall(r"(\d+)\. Note (alpha|beta|gamma)", text)
        assert numbered == [("1", "alpha"), ("2", "beta"), ("3", "gamma")], (pdf.name, numbered)


def test_notes_out_of_reading_order_stop_the_build_if_the_citations_hook_is_left_out(project):
    # hooks/citations.py is what puts the notes in reading order; without it, the check after it speaks up.
    edit(project / "mkdocs.yml", "  - hooks/citations.py", "")
    index = project / "docs/index.md"
    text = index.read_text(encoding="utf-8")
    notes = re.findall(r"^\[\^\w+\]: .*$", text, flags=re.MULTILINE)
    index.write_text(text[: text.index(notes[0])] + "\n".join([notes[2], notes[0], notes[1]]) + "\n", encoding="utf-8")
    fails_with(
        build(project, handouts=False),
        "docs/index.md: footnotes are numbered [2, 3, 1] in reading order; "
        "they must run 1, 2, 3 … Check that hooks/citations.py is listed under hooks: in mkdocs.yml.",
    )


def test_an_unknown_citation_key(project):
    key = (project / "docs/index.md").read_text(encoding="utf-8").split("Note beta about the archive. [@")[1]
    key = key.split("]")[0]
    edit(project / "docs/index.md", f"[@{key}]", f"[@{key[:-1]}]")
    fails_with(
        build(project, handouts=False),
        f"docs/index.md:9: unknown citation key '{key[:-1]}'. Did you mean '{key}'? Add the work to "
        "data/bibliography.json or correct the key.",
    )


def test_the_telegram_text_changed_by_one_character(project):
    edit(project / "docs/telegram.md", "1320 artillery pieces", "1321 artillery pieces")
    output = fails_with(
        build(project, handouts=False),
        "docs/telegram.md:21: ¶4 of the telegram differs from "
        "the archive text (data/archive-page-110021.md) at character",
        "The translation must stay verbatim, errors included; put any correction in a footnote.",
    )
    assert "the archive has '" in output and "1320 artillery" in output and "1321 artillery" in output


def test_teacher_only_text_that_would_reach_the_student_edition(project):
    # The suggested answer pasted into a page students get as well: the student site's check (before any PDF
    # is made) names the teacher block it comes from and the built page it reached.
    edit(
        project / "docs/index.md",
        "<!-- handouts -->",
        "About one quarter of what Mao asked for, delivered in equal shipments through the year.",
    )
    output = fails_with(
        build(project),
        "docs/questions.md:7: teacher-only text reached the student site "
        "(index.html): 'About one quarter of what Mao asked for, delivered in equal shipments "
        "through the year.'. Keep it only inside a '/// teacher' block",
    )
    assert "Aborted with a BuildError!" in output


def test_an_unknown_audience_in_front_matter(project):
    index = project / "docs/index.md"
    index.write_text("---\naudience: teachers\n---\n" + index.read_text(encoding="utf-8"), encoding="utf-8")
    fails_with(
        build(project, handouts=False), "docs/index.md:2: 'audience: teachers' is not one of all, teacher (lowercase)."
    )


# ---------------------------------------------------------------------------------------------------------
# The handout script (scripts/render_handouts.py) on its own


def test_handouts_without_a_built_site(project, tmp_path):
    result = render(project, "--site", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'nothing'}/index.html is missing: there is no built site to "
        "print. Run ./scripts/build first.\n"
    )


def test_handouts_with_a_page_missing_from_the_built_site(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    (site / "questions.html").unlink()
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr == (
        "Error: mkdocs.yml: the student edition lists 'questions.md', which is not a page of "
        "this student build (a missing file, a typo, or a teacher-only page in a student "
        "edition). Correct the list.\n"
    )
    assert not (site / "handouts").exists()


def test_an_edition_that_lists_a_section_the_page_does_not_have(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    edit(project / "mkdocs.yml", "pages: [index.md, telegram.md, questions.md,", "pages: [index.md, questions.md#q9,")
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr == (
        "Error: mkdocs.yml: an edition lists 'questions.md#q9', but docs/questions.md has no "
        "heading with the id 'q9'. Correct the id (look for '{ #… }' after a heading).\n"
    )


def test_handouts_into_a_folder_that_cannot_be_written(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    (site / "handouts").write_text("a file where the folder should be")  # even root cannot write into it
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cannot write {site}/handouts/stalin-mao-1952-")
    assert result.stderr.endswith(
        "Choose a folder you can write to, or fix its permissions (or free some disk space).\n"
    )
    assert (site / "handouts").read_text() == "a file where the folder should be"


def test_handouts_with_a_font_file_missing(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    (project / "docs/assets/fonts/NotoSans-Bold.woff2").unlink()
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr == (
        "Error: docs/assets/fonts/NotoSans-Bold.woff2 is missing (print/handout.css uses "
        "it). Restore it with `git checkout -- docs/assets/fonts/NotoSans-Bold.woff2`.\n"
    )
    assert not (site / "handouts").exists()


def test_handouts_with_a_character_no_shipped_font_has(project):
    edit(project / "docs/index.md", "<!-- handouts -->", "The arrows ⇶ and ⇷ are not in any shipped font.")
    # Every character at fault at once, and advice that can help: update-cjk-font only for Chinese.
    output = fails_with(
        build(project),
        ".pdf: the shipped fonts (docs/assets/fonts/) lack some characters; no "
        "shipped font has '⇶' (U+21F6), '⇷' (U+21F7): write the text without them, or add an "
        "open-licence font that has them to docs/assets/fonts/ and print/handout.css. The PDF was "
        "not written.",
    )
    assert "update-cjk-font" not in output


def test_a_handout_that_would_load_something_from_the_internet(project):
    # The site's check on page assets (hooks/checks.py) stops it first, before any PDF is laid out; the
    # renderer's own fetcher refuses such a URL too (tested on the package).
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="https://example.org/map.png" alt="A map">')
    output = fails_with(
        build(project), "docs/index.md:6: the page would load https://example.org/map.png from another host"
    )
    assert "Handout" not in output


def test_a_handout_image_that_is_missing(project):
    # Raw HTML escapes MkDocs' link check; the renderer still refuses to print without the picture.
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="assets/images/map.png" alt="A map">')
    output = fails_with(
        build(project),
        "cannot read ",
        "assets/images/map.png for the handout (",
        "Restore the file, or remove the reference to it, and build again.",
    )
    assert "Aborted with a BuildError!" in output


def no_pango_shim(folder):
    """A sitecustomize that makes `import weasyprint` fail as it does when Pango is not installed."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import sys\n"
        "class NoPango:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'weasyprint':\n"
        "            raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared "
        'object file: No such file or directory")\n'
        "sys.meta_path.insert(0, NoPango())\n"
    )
    return {**ENV, "PYTHONPATH": str(folder)}


def test_handouts_without_the_system_libraries_weasyprint_needs(project, good_site, tmp_path):
    env = no_pango_shim(tmp_path / "shim")
    result = render(project, "--site", str(good_site), env=env)
    assert not (good_site / "handouts").exists()
    assert result.returncode == 1
    assert result.stderr == (
        "Error: WeasyPrint cannot start (cannot load library 'libpango-1.0-0': "
        "libpango-1.0-0: cannot open shared object file: No such file or directory). "
        "WeasyPrint needs the Pango libraries. Debian/Ubuntu: sudo apt-get install "
        "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; macOS: brew install pango. "
        "Then run the command again.\n"
    )
    # The same in a build (the hook), and from ./scripts/build's own check before it starts.
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "s")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    fails_with(result, "WeasyPrint cannot start (cannot load library 'libpango-1.0-0'", "brew install pango")
    with_venv(project)
    result = subprocess.run(
        ["bash", "scripts/build"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    fails_with(
        result,
        "Error: WeasyPrint cannot load the Pango libraries it needs (cannot load library 'libpango-1.0-0'",
        "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
        "libharfbuzz-subset0\nmacOS: brew install pango\nThen run the command again.",
    )
    assert not (project / "site").exists()


# ---------------------------------------------------------------------------------------------------------
# Footnotes that WeasyPrint would print on the wrong page, or lose


FILLER = "<p>" + " ".join(["Words that fill the page so that the note falls near its foot."] * 4) + "</p>"
# Padding in the footnote area (and single-line orphans and widows) makes WeasyPrint 70 print notes away
# from their calls (both found on the real handouts); the document carries them in its own <style>, so the
# test does not depend on print/handout.css.
PADDED_NOTE_AREA = "@page { @footnote { padding-top: 6mm } } html { orphans: 1; widows: 1 }"


def note_document(note, style=PADDED_NOTE_AREA):
    """A handout-shaped document: a few paragraphs, then one with a note, in a box kept on one page."""
    note_html = f'<span class="footnote" id="index--fn-long" data-n="1">{note}</span>'
    box = (
        f'<div style="break-inside: avoid-page">{FILLER}<p>The call comes here{note_html} and the paragraph '
        "goes on.</p></div>"
    )
    body = [FILLER] * 5 + [box, "<h3>Next</h3>", FILLER, f'<div style="break-inside: avoid-page">{FILLER * 3}</div>']
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test</title><style>{style}</style>'
        '</head><body class="student"><section class="page" id="index"><h1>Test</h1>'
        + "".join(body)
        + FILLER * 10
        + "</section></body></html>"
    )


@pytest.fixture
def renderer(monkeypatch):
    """The renderer in this process, as WeasyPrint 70.0 is without handouts.weasyprint_fix: the correction is
    the fallback for any WeasyPrint the fix does not apply to."""
    import handouts.build
    import handouts.weasyprint_fix

    handouts.weasyprint_fix.revert()
    monkeypatch.setattr(handouts.weasyprint_fix, "apply", lambda: False)
    return handouts.build


def edition(name):
    from handouts.editions import Edition, PageRef

    return Edition(name=name, title=f"{name.title()} edition", audience=name, pages=(PageRef("index.md"),))


def test_a_note_weasyprint_misplaces_is_corrected(renderer, project, tmp_path):
    document = note_document("A note of a few lines. " * 8)
    from weasyprint import HTML

    from handouts import layout

    font_config, stylesheets = layout.stylesheets("a4", "A4", {})
    plain = HTML(string=document).render(stylesheets=stylesheets, font_config=font_config)
    assert layout.check_footnotes(plain) != ([], []), (
        "WeasyPrint no longer misplaces this note: find another layout that provokes it, or this test proves nothing"
    )

    output = tmp_path / "out" / "handout.pdf"
    pages, data, corrections, *_ = renderer.render_pdf(document, str(project), edition("student"), "a4", output)
    assert corrections == 1 and output.stat().st_size == len(data)

    from pypdf import PdfReader

    for page in PdfReader(output).pages:  # the call and its note on the same page
        text = " ".join(page.extract_text().split())
        assert ("The call comes here1" in text) == ("1. A note of a few lines." in text), text


def test_a_note_that_cannot_be_placed_stops_the_handout_naming_the_note_and_edition(renderer, project, tmp_path):
    document = note_document("An impossibly long note. " * 900, style="")
    output = tmp_path / "out" / "handout.pdf"
    from handouts.errors import HandoutError

    with pytest.raises(HandoutError) as error:
        renderer.render_pdf(document, str(project), edition("teacher"), "letter", output)
    assert str(error.value) == (
        "stalin-mao-1952-teacher-letter.pdf: footnote 'long' on the index page is printed "
        "on a different page from its call, even after correction. Shorten the note or "
        "the paragraph around its call; the PDF was not written."
    )
    assert not output.exists() and not list(tmp_path.glob("out/*"))


# ---------------------------------------------------------------------------------------------------------
# ./scripts/build: the previous good site stays until a new one is complete


def with_venv(project):
    """Use the working tree's environment (a symlink): no reinstall, and bootstrap's checks still run."""
    if not (project / ".venv").exists():
        (project / ".venv").symlink_to(ROOT / ".venv")


def snapshot(site):
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture
def built_project(project):
    with_venv(project)
    result = subprocess.run(
        ["bash", "scripts/build"], cwd=project, env=ENV, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.mark.parametrize("mistake", ["markdown", "link", "handout"])
def test_a_failed_build_leaves_the_previous_site_and_handouts_in_place(built_project, mistake):
    project = built_project
    before = snapshot(project / "site")
    assert len([name for name in before if name.endswith(".pdf")]) == 2
    if mistake == "markdown":
        edit(project / "docs/index.md", "[^third]: Note gamma about the fifth paragraph.", "")
    elif mistake == "link":
        edit(project / "docs/index.md", "telegram.md#p5", "telegram.md#p55")
    else:
        edit(
            project / "docs/index.md",
            "<!-- handouts -->",
            "About one quarter of what Mao asked for, delivered in equal shipments through the year.",
        )
    result = subprocess.run(
        ["bash", "scripts/build"], cwd=project, env=ENV, capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert snapshot(project / "site") == before
    assert not list(project.glob(".site-build.*")), "the staging folder was left behind"


def sites_only_build(project):
    """./scripts/build without the handouts (HANDOUTS=0): both sites, quickly."""
    env = {**ENV, "HANDOUTS": "0"}
    return subprocess.run(["bash", "scripts/build"], cwd=project, env=env, capture_output=True, text=True, timeout=300)


def build_until_the_pdfs_are_written(project):
    """./scripts/build started in a session of its own, returned once its workers are writing the PDFs (the
    most delicate moment to be stopped)."""
    process = subprocess.Popen(
        ["bash", "scripts/build"],
        cwd=project,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not list(project.glob(".site-build.*/site/handouts")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process


def test_an_interrupted_build_leaves_the_previous_site_in_place(built_project):
    project = built_project
    before = snapshot(project / "site")
    edit(project / "docs/index.md", "Note alpha", "Note alpha, edited")
    process = build_until_the_pdfs_are_written(project)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert snapshot(project / "site") == before


def test_unchanged_handouts_are_reused_and_changed_ones_rendered_again(project, tmp_path):
    env = {**ENV, "HANDOUT_CACHE_DIR": str(tmp_path / "cache")}  # a cache of its own
    run = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir"]
    first = subprocess.run([*run, str(tmp_path / "one")], cwd=project, env=env, capture_output=True, text=True)
    second = subprocess.run([*run, str(tmp_path / "two")], cwd=project, env=env, capture_output=True, text=True)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "unchanged, reused" not in first.stderr and second.stderr.count("(unchanged, reused)") == 2
    assert snapshot(tmp_path / "one" / "handouts") == snapshot(tmp_path / "two" / "handouts")
    edit(project / "docs/index.md", "Note alpha", "Note alpha, edited")
    third = subprocess.run([*run, str(tmp_path / "three")], cwd=project, env=env, capture_output=True, text=True)
    assert third.returncode == 0 and "unchanged, reused" not in third.stderr


# ---------------------------------------------------------------------------------------------------------
# Fail closed: anything that decides who sees a text refuses what it cannot read (issue 10)


def with_front_matter(project, lines, page="docs/index.md"):
    path = project / page
    path.write_text("---\n" + lines + "---\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


FRONT_MATTER_MISTAKES = [
    pytest.param(
        "title: Teacher's guide: answers\naudience: teacher\n",
        [
            "docs/index.md:2: the front matter is not valid YAML (mapping values are not allowed here); put "
            "a value that holds ': ' in quotes"
        ],
        id="front-matter-that-is-not-yaml",
    ),
    pytest.param(
        "Audience: teacher\n",
        [
            "docs/index.md:2: unknown front-matter key 'Audience'; the keys are "
            "description, audience, title (all lowercase)."
        ],
        id="a-mis-cased-front-matter-key",
    ),
    pytest.param(
        "description: x\naudiance: teacher\n",
        ["docs/index.md:3: unknown front-matter key 'audiance'"],
        id="a-misspelt-front-matter-key",
    ),
    pytest.param(
        "audience: Teacher\n",
        ["docs/index.md:2: 'audience: Teacher' is not one of all, teacher (lowercase)."],
        id="a-mis-cased-audience",
    ),
    pytest.param(
        "",
        ["docs/index.md:1: the front matter between the '---' lines holds no 'key: value' line"],
        id="empty-front-matter",
    ),
    pytest.param(
        "# audience: teacher\n",
        ["docs/index.md:1: the front matter between the '---' lines holds no"],
        id="front-matter-of-comments-only",
    ),
]


@pytest.mark.parametrize("lines,expected", FRONT_MATTER_MISTAKES)
def test_front_matter_that_cannot_be_read_stops_the_build(project, lines, expected):
    with_front_matter(project, lines)
    fails_with(build(project, handouts=False), *expected)


def add_teacher_page(project, text="---\naudience: teacher\n---\n", encoding="utf-8"):
    """docs/guide.md, a teacher page in the nav, with an answer students must never see."""
    edit(project / "mkdocs.yml", "  - Glossary: glossary.md\n", "  - Glossary: glossary.md\n  - Guide: guide.md\n")
    (project / "docs/guide.md").write_bytes(
        (
            text + "# Teacher's guide\n\nThe guide's secret answer is that Stalin "
            "offered about a quarter of the request.\n"
        ).encode(encoding)
    )


def test_a_teacher_page_saved_with_a_byte_order_mark_stays_out_of_the_student_site(project):
    add_teacher_page(project, "\ufeff---\naudience: teacher\n---\n")  # as Notepad saves UTF-8
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project / "out/guide.html").exists()
    everything = " ".join(path.read_text(errors="replace") for path in (project / "out").rglob("*") if path.is_file())
    assert "secret answer" not in everything


def test_a_page_saved_in_windows_1252(project):
    add_teacher_page(project, "---\naudience: teacher\n---\nCaf\u00e9 notes.\n", encoding="cp1252")
    fails_with(
        build(project, handouts=False),
        "docs/guide.md:4: is not saved as UTF-8 (perhaps Windows-1252",
        "save it again with the encoding 'UTF-8'",
    )


BLOCK_MISTAKES = [
    pytest.param(
        "/// teacher | Suggested answer",
        "/// teachers | Suggested answer",
        [
            "docs/questions.md:7: unknown block '/// teachers'. Did you mean '/// teacher'? The block names are ",
            "(lowercase, as mkdocs.yml configures them)",
        ],
        id="an-unknown-block-name",
    ),
    pytest.param(
        "/// teacher | Suggested answer",
        "/// Teacher | Suggested answer",
        ["docs/questions.md:7: unknown block '/// Teacher'. Did you mean '/// teacher'?"],
        id="a-mis-cased-block-name",
    ),
    pytest.param(
        "/// teacher | Suggested answer\n",
        "/// teacher | Suggested answer\n///\n",
        [
            "docs/questions.md:8: the '/// teacher' block closed here is empty, so the text after it is "
            "shown to everyone"
        ],
        id="an-empty-teacher-block",
    ),
    pytest.param(
        "/// teacher | Suggested answer\nAbout",
        '!!! teacher "Answer key"\n    About',
        ["docs/questions.md:7: '!!! teacher' is a box everyone sees, whatever its name."],
        id="an-admonition-named-teacher",
    ),
    pytest.param(
        "/// teacher | Suggested answer\nAbout",
        '???+ note solution "Answer"\n    About',
        ["docs/questions.md:7: '???+ solution' is a box everyone sees"],
        id="a-details-box-named-solution",
    ),
    pytest.param(
        "Think about the war in Korea.",
        '### Extra { #extra data-answer-lines="four" }',
        [
            'docs/questions.md:13: data-answer-lines="four" must be a whole number of ruled lines from 1 to '
            "60, in digits"
        ],
        id="answer-lines-in-words",
    ),
]


@pytest.mark.parametrize("old,new,expected", BLOCK_MISTAKES)
def test_a_block_or_box_that_would_show_teacher_text_stops_the_build(project, old, new, expected):
    edit(project / "docs/questions.md", old, new)
    if new.startswith(("!!!", "???")):
        edit(project / "docs/questions.md", "through the year.\n///\n", "through the year.\n")
    fails_with(build(project, handouts=False), *expected)


def test_block_names_come_from_mkdocs_yml(project):
    # A block type added in mkdocs.yml may be used at once; nothing else lists the names.
    edit(
        project / "mkdocs.yml",
        "        - name: teacher",
        "        - name: hint\n          class: hint\n          title: Hint\n        - name: teacher",
    )
    edit(
        project / "docs/questions.md",
        "Think about the war in Korea.",
        "Think about the war in Korea.\n\n/// hint | A hint\nLook at the dates.\n///",
    )
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'class="hint"' in (project / "out/questions.html").read_text(encoding="utf-8")


def test_a_page_may_show_footnote_and_block_syntax_as_code(project):
    edit(
        project / "docs/index.md",
        "<!-- handouts -->",
        "Write a note call as `[^name]`, a block as:\n\n```\n/// teachers | Answer\n///\n```\n",
    )
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out/index.html").read_text(encoding="utf-8")
    assert "<code>[^name]</code>" in page and "/// teachers | Answer" in page


def test_a_page_may_show_citation_syntax_and_note_definitions_as_code(project):
    edit(project / "docs/index.md", "<!-- handouts -->", "Cite as `[@somekey, p. 4]`.\n\n```\n[^name]: A note.\n```\n")
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out/index.html").read_text(encoding="utf-8")
    assert "<code>[@somekey, p. 4]</code>" in page and "[^name]: A note." in page


# The student build's safety net: if teacher text reached the site anyway (here: the hook that removes it is
# left out of mkdocs.yml), the build stops naming where the text comes from.


def test_teacher_block_text_in_the_student_site_stops_the_build(project):
    edit(project / "mkdocs.yml", "  - hooks/audience.py", "")
    fails_with(
        build(project, handouts=False),
        "docs/questions.md:7: teacher-only text reached the student site (",
        "'About one quarter of what Mao asked for, delivered in equal shipments through the year.'",
    )


def test_a_short_teacher_answer_in_the_student_site_stops_the_build(project):
    edit(project / "mkdocs.yml", "  - hooks/audience.py", "")
    edit(
        project / "docs/questions.md",
        "About one quarter of what Mao asked for, delivered in equal shipments through the year.",
        "About one quarter.",
    )
    fails_with(
        build(project, handouts=False),
        "docs/questions.md:7: teacher-only text reached the student site (",
        "'About one quarter.'",
    )


def test_a_teacher_page_in_the_student_site_stops_the_build(project):
    edit(project / "mkdocs.yml", "  - hooks/audience.py", "")
    add_teacher_page(project)
    fails_with(
        build(project, handouts=False),
        "docs/guide.md:1: teacher-only text reached the student site (",
        "The guide's secret answer is that Stalin offered about a quarter of the request.",
    )


def test_the_teacher_copy_keeps_what_the_student_site_leaves_out(project):
    add_teacher_page(project)
    assert build(project, handouts=False).returncode == 0
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            "mkdocs.teacher.yml",
            "--site-dir",
            str(project / "teacher"),
        ],
        cwd=project,
        env={**ENV, "HANDOUTS": "0"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "secret answer" in (project / "teacher/guide.html").read_text(encoding="utf-8")
    assert "About one quarter" in (project / "teacher/questions.html").read_text(encoding="utf-8")
    assert "About one quarter" not in (project / "out/questions.html").read_text(encoding="utf-8")


# Page assets from other hosts


def test_an_image_from_another_host_stops_the_build(project):
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="https://example.org/map.png" alt="A map">')
    fails_with(
        build(project, handouts=False),
        "docs/index.md:6: the page would load https://example.org/map.png from another host",
        "Copy the file into docs/assets/ and link to it there, or remove it.",
    )


def test_a_frame_from_another_host_stops_the_build(project):
    edit(project / "docs/index.md", "<!-- handouts -->", '<iframe src="//www.example.org/embed/x" title="x"></iframe>')
    fails_with(build(project, handouts=False), "docs/index.md:6: the page would load //www.example.org/embed/x")


def test_a_mermaid_diagram_as_material_documents_it_stops_the_build(project):
    edit(
        project / "mkdocs.yml",
        "  - pymdownx.superfences\n",
        "  - pymdownx.superfences:\n      custom_fences:\n"
        "        - name: mermaid\n          class: mermaid\n"
        "          format: !!python/name:pymdownx.superfences.fence_code_format\n",
    )
    edit(project / "docs/index.md", "<!-- handouts -->", "```mermaid\ngraph LR\n  Mao --> Stalin\n```")
    fails_with(
        build(project, handouts=False),
        "docs/index.md: this page has a Mermaid diagram, for which Material "
        "loads a script from unpkg.com (another host).",
    )


def test_links_to_other_sites_are_fine(project):
    edit(
        project / "docs/index.md",
        "<!-- handouts -->",
        "See [the archive](https://digitalarchive.wilsoncenter.org/"
        ') and <a href="https://example.org/">another site</a>.',
    )
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr


# Data files: shown as text, checked at their own lines


def small_data(project, name, text):
    keys = [entry["id"] for entry in json.loads((project / "data/bibliography.json").read_text(encoding="utf-8"))]
    (project / "data" / name).write_text(text.format(key1=keys[0], key2=keys[1]), encoding="utf-8")


TIMELINE = """- date: 1952-12-17
  label: 17 December 1952
  event: {event}
  cite: "[@{{key1}}]"
"""
DELIVERIES = """- item: Artillery pieces
  unit: guns
  delivered_1952: {delivered}
  programme_1953: {programme}
  extra_1953: 332
  total_1953: 1652
  printed_total: "1652"
"""


def timeline_page(project, event):
    small_data(project, "timeline.yml", TIMELINE.format(event=event))
    edit(project / "docs/index.md", "<!-- handouts -->", "<!-- timeline -->")


def test_a_bar_in_a_timeline_event_stays_in_its_cell(project):
    timeline_page(project, "Mao asks for arms | the reply comes ten days later.")
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out/index.html").read_text(encoding="utf-8")
    cells = re.findall(r"<td>(.*?)</td>", page, flags=re.DOTALL)
    assert cells[0] == "17 December 1952"
    assert cells[1].startswith("Mao asks for arms | the reply comes ten days later.") and "footnote-ref" in cells[1]


def test_html_in_a_timeline_event_is_shown_as_text(project):
    timeline_page(project, "'Mao <script>alert(1)</script> asks.'")
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "Mao &lt;script&gt;alert(1)&lt;/script&gt; asks." in page


def test_a_citation_key_mistyped_in_the_timeline_is_reported_at_its_line(project):
    timeline_page(project, "Mao asks for arms.")
    key = json.loads((project / "data/bibliography.json").read_text(encoding="utf-8"))[0]["id"]
    edit(project / "data/timeline.yml", f"[@{key}]", f"[@{key}x]")
    fails_with(
        build(project, handouts=False),
        f"data/timeline.yml:4: unknown citation key '{key}x'. Did you mean "
        f"'{key}'? Add the work to data/bibliography.json or correct the key.",
    )


def test_a_citation_key_mistyped_in_the_glossary_is_reported_at_its_line(project):
    key = json.loads((project / "data/bibliography.json").read_text(encoding="utf-8"))[0]["id"]
    edit(project / "data/glossary.yml", "of one body or person.", f"of one body or person [@{key[:-1]}].")
    fails_with(
        build(project, handouts=False), f"data/glossary.yml:3: unknown citation key '{key[:-1]}'. Did you mean '{key}'?"
    )


def test_html_in_a_glossary_definition_is_shown_as_text_in_the_page_and_the_tooltip(project):
    edit(project / "data/glossary.yml", "of one body or person.", "of one body or person. <img src=x onerror=alert(1)>")
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    glossary = (project / "out/glossary.html").read_text(encoding="utf-8")
    assert "<img src=x" not in glossary and "&lt;img src=x onerror=alert(1)&gt;" in glossary
    index = (project / "out/index.html").read_text(encoding="utf-8")
    title = re.search(r'<a href="glossary.html#fond" title="([^"]*)"', index).group(1)
    # Material puts the title into the tooltip as HTML: what it puts there must be text.
    assert "<" not in html.unescape(title) and "&lt;img src=x onerror=alert(1)&gt;" in html.unescape(title)


def test_html_in_a_bibliography_title_is_shown_as_text(project):
    path = project / "data/bibliography.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    entries[0]["title"] = "A <img src=x onerror=alert(1)> title"
    path.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("sources.html", "index.html"):
        text = (project / "out" / page).read_text(encoding="utf-8")
        assert "onerror" not in re.sub(r"&lt;.*?&gt;", "", text, flags=re.IGNORECASE), page


@pytest.mark.parametrize(
    "delivered,programme,expected",
    [
        pytest.param(
            "1056",
            '"800,000"',
            "data/deliveries.yml:4: programme_1953: '800,000' must be a whole number written with digits only",
            id="a-figure-with-commas",
        ),
        pytest.param(
            "1056",
            "1320.0",
            "data/deliveries.yml:4: programme_1953: 1320.0 must be a whole number",
            id="a-figure-with-decimals",
        ),
        pytest.param(
            "0",
            "1320",
            "data/deliveries.yml:3: delivered_1952 is 0, so the change on 1952 cannot be worked out",
            id="nothing-delivered",
        ),
    ],
)
def test_a_delivery_figure_that_is_not_a_whole_number(project, delivered, programme, expected):
    small_data(project, "deliveries.yml", DELIVERIES.format(delivered=delivered, programme=programme))
    edit(project / "docs/index.md", "<!-- handouts -->", "<!-- deliveries-table -->\n\n<!-- deliveries-chart -->")
    fails_with(build(project, handouts=False), expected)


def test_delivery_figures_print_as_whole_numbers(project):
    small_data(project, "deliveries.yml", DELIVERIES.format(delivered="1056", programme="1320"))
    edit(project / "docs/index.md", "<!-- handouts -->", "<!-- deliveries-table -->")
    result = build(project, handouts=False)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out/index.html").read_text(encoding="utf-8")
    assert (
        "1,320" in page
        and "332" in page
        and ".0" not in re.sub(r"\d+\.\d+%", "", " ".join(re.findall(r"<td[^>]*>(.*?)</td>", page)))
    )


# ./scripts/build: one at a time, stopped cleanly, never half-done


def test_a_second_build_at_the_same_time_says_so(project):
    with_venv(project)
    import fcntl

    folder = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running build holds
        result = sites_only_build(project)
    finally:
        os.close(folder)
    fails_with(result, f"Error: another ./scripts/build is running in {project}; wait for it to finish")
    assert not (project / "site").exists()


def processes_in(folder):
    """The processes whose working folder is `folder` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")) == Path(folder):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_sigterm_to_the_build_script_stops_mkdocs_and_its_workers(project):
    with_venv(project)
    process = build_until_the_pdfs_are_written(project)
    process.send_signal(signal.SIGTERM)  # to the script alone, as `kill PID` does
    output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 143, output
    deadline = time.monotonic() + 10
    while processes_in(project) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_in(project) == [], "mkdocs or a render worker is still running"
    assert not list(project.glob(".site-build.*")), "the staging folder was left behind"
    assert "Build stopped; the previous site/ and teacher-only/ are unchanged." in output


def test_the_build_makes_both_sites_and_cleans_up_after_dead_builds(project):
    with_venv(project)
    (project / ".site-build.dead01/site").mkdir(parents=True)  # left by a build that was SIGKILLed
    result = sites_only_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(project.glob(".site-build.*"))
    assert "About one quarter" not in (project / "site/questions.html").read_text(encoding="utf-8")
    assert "About one quarter" in (project / "teacher-only/questions.html").read_text(encoding="utf-8")
    assert f"Student website (this is what you publish):  {project}/site/index.html" in result.stdout
    assert f"Teacher's copy, with the answers:  {project}/teacher-only/index.html" in result.stdout
    assert "Warning: teacher-only/ holds the answer key. Never publish it" in result.stdout


def test_a_previous_site_file_that_cannot_be_deleted(project):
    with_venv(project)
    env = {**ENV, "HANDOUTS": "0"}
    assert subprocess.run(["bash", "scripts/build"], cwd=project, env=env, capture_output=True).returncode == 0
    stuck = project / "site/stuck.txt"
    stuck.write_text("x")
    if subprocess.run(["chattr", "+i", str(stuck)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        first = subprocess.run(["bash", "scripts/build"], cwd=project, env=env, capture_output=True, text=True)
        second = subprocess.run(["bash", "scripts/build"], cwd=project, env=env, capture_output=True, text=True)
    finally:
        for path in project.rglob("stuck.txt"):
            subprocess.run(["chattr", "-i", str(path)])
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Warning: the new site/ is in place, but the previous one" in first.stderr
    assert "cannot be deleted: a file in it cannot be removed" in first.stderr
    assert "Traceback" not in first.stderr + second.stderr and "rm: cannot remove" not in first.stderr
    assert not (project / "site/stuck.txt").exists()


def test_a_venv_that_belongs_to_another_user_is_left_alone(project):
    (project / ".venv").mkdir()
    os.chown(project / ".venv", 12345, 12345)
    result = subprocess.run(
        ["bash", "scripts/build"], cwd=project, env=ENV, capture_output=True, text=True, timeout=300
    )
    fails_with(result, "Error: .venv needs updating but belongs to another user (12345), so it was left as it is.")
    assert list((project / ".venv").iterdir()) == []


def test_a_benchmark_stopped_by_a_timeout_leaves_no_server_running(project):
    with_venv(project)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'scripts'); import benchmark; "
        "benchmark.stop_on_sigterm(); benchmark.edit_to_page(Path('.'), 1000)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def serving():
        for pid in processes_in(project):
            try:
                if pid != process.pid and b"serve" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return True
            except OSError:
                pass
        return False

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not serving():
        time.sleep(0.2)
    assert serving(), "the benchmark did not start ./scripts/serve"
    time.sleep(3)  # serving and editing
    process.send_signal(signal.SIGTERM)  # what `timeout` sends
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while processes_in(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_in(project) == [], "mkdocs serve is still running"


def test_update_cjk_font_without_the_full_font(project):
    result = subprocess.run(
        [sys.executable, "scripts/update-cjk-font", "--source", "/nonexistent/NotoSerifCJK.ttc"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    fails_with(
        result,
        "Error: the full Noto Serif CJK font (/nonexistent/NotoSerifCJK.ttc) is not installed",
        "Debian/Ubuntu: sudo apt-get install fonts-noto-cjk",
    )


# Supply chain


def requirement_lines(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    return [line for line in re.sub(r"\s*\\\n\s*", " ", text).splitlines() if line and not line.startswith("#")]


def test_every_package_is_pinned_with_hashes_and_the_test_packages_are_apart():
    build_lines, test_lines = requirement_lines("requirements.txt"), requirement_lines("requirements-test.txt")
    assert test_lines[0] == "-r requirements.txt"
    for line in build_lines + test_lines[1:]:
        assert re.match(r"^[A-Za-z0-9._-]+==\S+ (--hash=sha256:[0-9a-f]{64} ?)+$", line), line
    names = {line.split("==")[0].lower() for line in build_lines}
    assert not names & {"pytest", "playwright", "pypdf", "axe-playwright-python", "pdfplumber"}
    assert {"mkdocs", "mkdocs-material", "weasyprint", "pikepdf"} <= names
    assert "--require-hashes" in (ROOT / "scripts/bootstrap.sh").read_text(encoding="utf-8")


def test_read_the_docs_installs_the_build_packages_and_puts_src_on_the_path():
    import yaml

    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["python"]["install"] == [{"requirements": "requirements.txt"}]
    assert any("stalin_mao_module.pth" in step and "src" in step for step in config["build"]["jobs"]["post_install"])


def test_the_workflow_container_is_pinned_by_digest():
    text = (ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+container: debian:bookworm@sha256:[0-9a-f]{64}$", text, flags=re.MULTILINE)


def test_a_lost_note_call_is_blamed_on_the_page_not_on_mkdocs_yml(project):
    # Until hooks/citations.py skips code, a citation in a code span becomes a note whose call is lost: the
    # message points at the page, not at the hooks in mkdocs.yml.
    key = json.loads((project / "data/bibliography.json").read_text(encoding="utf-8"))[0]["id"]
    edit(project / "docs/index.md", "It was sent in", f"Cite as `[@{key}]`. It was sent in")
    result = build(project, handouts=False)
    if result.returncode != 0:
        output = fails_with(
            result,
            "docs/index.md: footnotes are numbered [1, 3, 4] in reading order, so a note "
            "call (perhaps of a citation) went missing from the page",
        )
        assert "mkdocs.yml" not in output
