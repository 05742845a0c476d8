"""Every mistake a teacher can make in the Markdown stops the build with a message that names the file (and
line), says what to do, exits non-zero and leaves no half-written output.

Each test breaks a fresh copy of a small project (tests/smallproject.py) on purpose; the working tree is
never touched. Website-only mistakes are built with HANDOUTS=0 (faster); the rest make the PDFs too.
"""

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
from smallproject import edit

ROOT = smallproject.ROOT
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ENV.pop("HANDOUTS", None)
RENDER = ["scripts/render_handouts.py"]


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return smallproject.make(tmp_path_factory.mktemp("small") / "project")


@pytest.fixture
def project(template, tmp_path):
    return Path(shutil.copytree(template, tmp_path / "project", symlinks=True))


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
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)


def fails_with(result, *expected):
    """The run failed and its output holds each expected piece of the message, verbatim."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"expected a failure, got exit 0:\n{output}"
    for text in expected:
        assert text in output, f"{text!r} not in:\n{output}"
    assert "Traceback" not in output, output
    return output


def render(project, *args, env=None):
    return subprocess.run([sys.executable, *RENDER, *args], cwd=project, env=env or ENV,
                          capture_output=True, text=True, timeout=300)


def test_the_small_project_builds_cleanly_with_its_handouts(project):
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((project / "out" / "handouts").glob("*.pdf"))) == 2     # the student edition, A4 and Letter


# Mistakes that only need the website built: (file, text in it, replaced by, pieces of the message).
MISTAKES = [
    pytest.param("docs/index.md", "[^third]: Note gamma about the fifth paragraph.", "",
                ["docs/index.md:4: footnote call [^third] has no definition; add a line '[^third]: text of the "
                 "note' (by habit at the end of the page) or remove the call."], id="a-footnote-call-without-definition"),
    pytest.param("docs/index.md", "first.[^third]", "first.",
                ["docs/index.md:10: footnote [^third] is defined but never called; put [^third] in the text "
                 "where the note belongs, or delete the definition."], id="a-footnote-definition-without-call"),
    pytest.param("docs/index.md", "[^third]: Note gamma", "[^second]: Note gamma",
                ["docs/index.md:10: footnote [^second] is defined twice; give "
                 "one of them another name."], id="a-footnote-defined-twice"),
    pytest.param("docs/index.md", ", p. 84]", ", page 84]",
                ["docs/index.md:10: cannot read the locator 'page 84' in [@",
                 "write it as 'p. 84', 'pp. 84–85'"], id="an-unreadable-citation-locator"),
    pytest.param("docs/index.md", "glossary.md#fond", "glossary.md#fonds",
                ["docs/index.md:4: unknown glossary term 'fonds'. Did you mean 'fond'? Add it to "
                 "data/glossary.yml or correct the link."], id="an-unknown-glossary-term"),
    pytest.param("docs/index.md", "Read [¶5](telegram.md#p5)", "Read [¶5](telegrams.md#p5)",
                ["Doc file 'index.md' contains a link 'telegrams.md#p5', but the target 'telegrams.md' is not "
                 "found among documentation files.",
                 "Aborted with 1 warnings in strict mode!"], id="a-broken-internal-link"),
    pytest.param("docs/index.md", "Read [¶5](telegram.md#p5)", "Read [¶5](telegram.md#p55)",
                ["Doc file 'index.md' contains a link 'telegram.md#p55', but the doc 'telegram.md' does not "
                 "contain an anchor '#p55'."], id="a-broken-anchor"),
    pytest.param("docs/index.md", "<!-- handouts -->", "![Map of Korea](assets/images/korea.png)",
                ["Doc file 'index.md' contains a link 'assets/images/korea.png', but the target is not found "
                 "among documentation files."], id="a-missing-image"),
    pytest.param("docs/index.md", "<!-- handouts -->", '--8<-- "docs/snippets/credits.md"',
                ["docs/index.md:6: the snippet 'docs/snippets/credits.md' does "
                 "not exist; create it or correct the path (snippet paths start at the project folder, for "
                 "example \"docs/snippets/credits.md\")."], id="a-missing-snippet"),
    pytest.param("docs/telegram.md", "\n{ #p3 }", "",
                ["docs/telegram.md:21: paragraph number ¶4 is out of sequence; "
                 "expected { #p3 }. Number the telegram's paragraphs 1, 2, 3 … with no gaps."], id="a-telegram-paragraph-number-missing"),
    pytest.param("docs/telegram.md", "\n{ #p7 }", "",
                ["docs/telegram.md:3: the telegram's paragraphs are numbered "
                 "¶1–¶6, but it has 7: end the last line of each of its 7 paragraphs with { #pN }, from { #p1 } "
                 "to { #p7 }."], id="the-last-telegram-paragraph-number-missing"),
    pytest.param("docs/telegram.md", "{ #p3 }", "{ #p2 }",
                ["docs/telegram.md:19: paragraph number ¶2 is used twice; "
                 "number the telegram's paragraphs { #p1 }, { #p2 } … once each, in order."], id="a-telegram-paragraph-number-duplicated"),
    pytest.param("docs/telegram.md", "27 December 1952\n", "",
                ["docs/telegram.md: the telegram ends early: the archive text "
                 "continues with '27 December 1952'. Restore the missing paragraph verbatim."], id="the-telegram-cut-short"),
    pytest.param("docs/telegram.md", "</div>", "My own comment on the telegram.\n\n</div>",
                ["docs/telegram.md: the telegram has text the archive does not: 'My "
                 "own comment on the telegram.'. Put commentary outside <div class=\"telegram\"> or in a footnote."], id="commentary-inside-the-telegram"),
    pytest.param("docs/telegram.md", "The telegram of 17 December. [@", "The telegram of 17 December. @",
                ["footnote [^received] cites no source; every note on the "
                 "telegram page must cite at least one work"], id="a-telegram-note-without-a-citation"),
    pytest.param("docs/questions.md", "through the year.\n///\n", "through the year.\n",
                ["docs/questions.md:7: the '/// teacher' block opened here is "
                 "never closed; add a line with only '///' where it ends. (An unclosed teacher block would hide "
                 "the rest of the page.)"], id="a-teacher-block-left-unclosed"),
    pytest.param("docs/questions.md", "Think about the war in Korea.", "Think about the war in Korea.\n\n///",
                ["docs/questions.md:15: this '///' closes no block; delete it or "
                 "add the opening line (for example '/// teacher | Suggested answer') above it."], id="a-stray-block-closing-mark"),
    pytest.param("docs/questions.md", "### 2. Why then? { #q2", "### 3. Why then? { #q3",
                ["docs/questions.md:11: question id #q3 is out of sequence; "
                 "expected #q2. Questions are numbered 1, 2, 3 … down the page, each number once."], id="a-question-out-of-sequence"),
    pytest.param("docs/questions.md", '{ #q2 data-answer-lines="2" }', "{ #q2 }",
                ['docs/questions.md:11: question #q2 needs data-answer-lines="N" '
                 "(the ruled lines in the student handout)."], id="a-question-without-answer-lines"),
    pytest.param("data/bibliography.json", '"id":', '"id"',
                ["data/bibliography.json:3: is not valid JSON (Expecting ':' "
                 "delimiter at column",
                 "look for a missing comma or quote."], id="a-bibliography-with-a-json-mistake"),
    pytest.param("docs/index.md", "Note beta about the archive. [@", "Note beta about the archive. @",
                ["data/bibliography.json: no page cites ",
                 "cite each work where it is used, or remove the entry.",
                 "Aborted with 1 warnings in strict mode!"], id="an-uncited-bibliography-entry"),
    pytest.param("data/glossary.yml", "  term: fond", "  term: fond: the",
                ["data/glossary.yml:2: is not valid YAML (mapping values are not "
                 "allowed here); check the indentation and quotes."], id="a-glossary-with-a-yaml-mistake"),
    pytest.param("data/glossary.yml", "- id: telegram", "- id: fond",
                ["data/glossary.yml: the id 'fond' is used twice; ids must be unique."], id="a-glossary-id-used-twice"),
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
    body = text[:text.index(notes[0])]
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
    index.write_text(text[:text.index(notes[0])] + "\n".join([notes[2], notes[0], notes[1]]) + "\n", encoding="utf-8")
    fails_with(build(project, handouts=False), "docs/index.md: footnotes are numbered [2, 3, 1] in reading order; "
               "they must run 1, 2, 3 … Check that hooks/citations.py is listed under hooks: in mkdocs.yml.")


def test_an_unknown_citation_key(project):
    key = (project / "docs/index.md").read_text(encoding="utf-8").split("Note beta about the archive. [@")[1]
    key = key.split("]")[0]
    edit(project / "docs/index.md", f"[@{key}]", f"[@{key[:-1]}]")
    fails_with(build(project, handouts=False),
               f"docs/index.md:9: unknown citation key '{key[:-1]}'. Did you mean '{key}'? Add the work to "
               "data/bibliography.json or correct the key.")


def test_the_telegram_text_changed_by_one_character(project):
    edit(project / "docs/telegram.md", "1320 artillery pieces", "1321 artillery pieces")
    output = fails_with(build(project, handouts=False), "docs/telegram.md:21: ¶4 of the telegram differs from "
                        "the archive text (data/archive-page-110021.md) at character",
                        "The translation must stay verbatim, errors included; put any correction in a footnote.")
    assert "the archive has '" in output and "1320 artillery" in output and "1321 artillery" in output


def test_teacher_only_text_that_would_reach_the_student_edition(project):
    # The suggested answer pasted into a page students get as well: the renderer refuses to print it.
    edit(project / "docs/index.md", "<!-- handouts -->",
         "About one quarter of what Mao asked for, delivered in equal shipments through the year.")
    output = fails_with(build(project), "stalin-mao-1952-student-", ".pdf: teacher-only text reached the student "
                        "edition: 'About one quarter of what Mao asked for, delivered in equal shipments "
                        "through th'. Keep it only inside a '/// teacher' block.")
    assert "Aborted with a BuildError!" in output


def test_an_unknown_audience_in_front_matter(project):
    index = project / "docs/index.md"
    index.write_text("---\naudience: teachers\n---\n" + index.read_text(encoding="utf-8"), encoding="utf-8")
    fails_with(build(project, handouts=False), "docs/index.md:2: front matter 'audience: teachers' is not one of "
               "all, teacher.")


# ---------------------------------------------------------------------------------------------------------
# The handout script (scripts/render_handouts.py) on its own


def test_handouts_without_a_built_site(project, tmp_path):
    result = render(project, "--site", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert result.stderr == (f"Error: {tmp_path / 'nothing'}/index.html is missing: there is no built site to "
                             "print. Run ./scripts/build first.\n")


def test_handouts_with_a_page_missing_from_the_built_site(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    (site / "questions.html").unlink()
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr == ("Error: mkdocs.yml: the student edition lists 'questions.md', which is not a page of "
                             "this student build (a missing file, a typo, or a teacher-only page in a student "
                             "edition). Correct the list.\n")
    assert not (site / "handouts").exists()


def test_an_edition_that_lists_a_section_the_page_does_not_have(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    edit(project / "mkdocs.yml", "pages: [index.md, telegram.md, questions.md,", "pages: [index.md, questions.md#q9,")
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr == ("Error: mkdocs.yml: an edition lists 'questions.md#q9', but docs/questions.md has no "
                             "heading with the id 'q9'. Correct the id (look for '{ #… }' after a heading).\n")


def test_handouts_into_a_folder_that_cannot_be_written(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    (site / "handouts").write_text("a file where the folder should be")   # even root cannot write into it
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cannot write {site}/handouts/stalin-mao-1952-")
    assert result.stderr.endswith("Choose a folder you can write to, or fix its permissions (or free some disk "
                                  "space).\n")
    assert (site / "handouts").read_text() == "a file where the folder should be"


def test_handouts_with_a_font_file_missing(project, good_site, tmp_path):
    site = Path(shutil.copytree(good_site, tmp_path / "site"))
    (project / "docs/assets/fonts/NotoSans-Bold.woff2").unlink()
    result = render(project, "--site", str(site))
    assert result.returncode == 1
    assert result.stderr == ("Error: docs/assets/fonts/NotoSans-Bold.woff2 is missing (print/handout.css uses "
                             "it). Restore it with `git checkout -- docs/assets/fonts/NotoSans-Bold.woff2`.\n")
    assert not (site / "handouts").exists()


def test_handouts_with_a_character_no_shipped_font_has(project):
    edit(project / "docs/index.md", "<!-- handouts -->", "The arrows ⇶ and ⇷ are not in any shipped font.")
    # Every character at fault at once, and advice that can help: update-cjk-font only for Chinese.
    output = fails_with(build(project), ".pdf: the shipped fonts (docs/assets/fonts/) lack some characters; no "
                        "shipped font has '⇶' (U+21F6), '⇷' (U+21F7): write the text without them, or add an "
                        "open-licence font that has them to docs/assets/fonts/ and print/handout.css. The PDF was "
                        "not written.")
    assert "update-cjk-font" not in output


def test_a_handout_that_would_load_something_from_the_internet(project):
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="https://example.org/map.png" alt="A map">')
    fails_with(build(project), "the handout tried to load https://example.org/map.png; handouts may only use "
               "files in the project. Remove the reference or copy the file into docs/.")


def test_a_handout_image_that_is_missing(project):
    # Raw HTML escapes MkDocs' link check; the renderer still refuses to print without the picture.
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="assets/images/map.png" alt="A map">')
    output = fails_with(build(project), "cannot read ", "assets/images/map.png for the handout (",
                        "Restore the file, or remove the reference to it, and build again.")
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
        "object file: No such file or directory\")\n"
        "sys.meta_path.insert(0, NoPango())\n")
    return {**ENV, "PYTHONPATH": str(folder)}


def test_handouts_without_the_system_libraries_weasyprint_needs(project, good_site, tmp_path):
    env = no_pango_shim(tmp_path / "shim")
    result = render(project, "--site", str(good_site), env=env)
    assert not (good_site / "handouts").exists()
    assert result.returncode == 1
    assert result.stderr == ("Error: WeasyPrint cannot start (cannot load library 'libpango-1.0-0': "
                             "libpango-1.0-0: cannot open shared object file: No such file or directory). "
                             "WeasyPrint needs the Pango libraries. Debian/Ubuntu: sudo apt-get install "
                             "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; macOS: brew install pango. "
                             "Then run the command again.\n")
    # The same in a build (the hook), and from ./scripts/build's own check before it starts.
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "s")],
                            cwd=project, env=env, capture_output=True, text=True, timeout=300)
    fails_with(result, "WeasyPrint cannot start (cannot load library 'libpango-1.0-0'", "brew install pango")
    with_venv(project)
    result = subprocess.run(["bash", "scripts/build"], cwd=project, env=env, capture_output=True, text=True,
                            timeout=300)
    fails_with(result, "Error: WeasyPrint cannot load the Pango libraries it needs (cannot load library "
               "'libpango-1.0-0'", "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
               "libharfbuzz-subset0\nmacOS: brew install pango\nThen run the command again.")
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
    box = (f'<div style="break-inside: avoid-page">{FILLER}<p>The call comes here{note_html} and the paragraph '
           "goes on.</p></div>")
    body = [FILLER] * 5 + [box, "<h3>Next</h3>", FILLER, f'<div style="break-inside: avoid-page">{FILLER * 3}</div>']
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test</title><style>{style}</style>'
            '</head><body class="student"><section class="page" id="index"><h1>Test</h1>' + "".join(body) +
            FILLER * 10 + "</section></body></html>")


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
    font_config, stylesheets = layout.stylesheets("a4", "A4", set())
    plain = HTML(string=document).render(stylesheets=stylesheets, font_config=font_config)
    assert layout.check_footnotes(plain) != ([], []), "WeasyPrint no longer misplaces this note: " \
        "find another layout that provokes it, or this test proves nothing"

    output = tmp_path / "out" / "handout.pdf"
    pages, data, corrections, _ = renderer.render_pdf(document, str(project), edition("student"), "a4", output)
    assert corrections == 1 and output.stat().st_size == len(data)

    from pypdf import PdfReader
    for page in PdfReader(output).pages:     # the call and its note on the same page
        text = " ".join(page.extract_text().split())
        assert ("The call comes here1" in text) == ("1. A note of a few lines." in text), text


def test_a_note_that_cannot_be_placed_stops_the_handout_naming_the_note_and_edition(renderer, project, tmp_path):
    document = note_document("An impossibly long note. " * 900, style="")
    output = tmp_path / "out" / "handout.pdf"
    from handouts.errors import HandoutError
    with pytest.raises(HandoutError) as error:
        renderer.render_pdf(document, str(project), edition("teacher"), "letter", output)
    assert str(error.value) == ("stalin-mao-1952-teacher-letter.pdf: footnote 'long' on the index page is printed "
                                "on a different page from its call, even after correction. Shorten the note or "
                                "the paragraph around its call; the PDF was not written.")
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
    result = subprocess.run(["bash", "scripts/build"], cwd=project, env=ENV, capture_output=True, text=True,
                            timeout=600)
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
        edit(project / "docs/index.md", "<!-- handouts -->",
             "About one quarter of what Mao asked for, delivered in equal shipments through the year.")
    result = subprocess.run(["bash", "scripts/build"], cwd=project, env=ENV, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode != 0
    assert snapshot(project / "site") == before
    assert not list(project.glob(".site-*")), "the staging folder was left behind"


def test_an_interrupted_build_leaves_the_previous_site_in_place(built_project):
    project = built_project
    before = snapshot(project / "site")
    edit(project / "docs/index.md", "Note alpha", "Note alpha, edited")
    process = subprocess.Popen(["bash", "scripts/build"], cwd=project, env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(project.glob(".site-build.*/site/handouts")) and time.monotonic() < deadline:
        time.sleep(0.05)    # wait until the PDFs are being written: the most delicate moment
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert snapshot(project / "site") == before


def test_unchanged_handouts_are_reused_and_changed_ones_rendered_again(project, tmp_path):
    env = {**ENV, "HANDOUT_CACHE_DIR": str(tmp_path / "cache")}     # a cache of its own
    run = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir"]
    first = subprocess.run([*run, str(tmp_path / "one")], cwd=project, env=env, capture_output=True, text=True)
    second = subprocess.run([*run, str(tmp_path / "two")], cwd=project, env=env, capture_output=True, text=True)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "unchanged, reused" not in first.stderr and second.stderr.count("(unchanged, reused)") == 2
    assert snapshot(tmp_path / "one" / "handouts") == snapshot(tmp_path / "two" / "handouts")
    edit(project / "docs/index.md", "Note alpha", "Note alpha, edited")
    third = subprocess.run([*run, str(tmp_path / "three")], cwd=project, env=env, capture_output=True, text=True)
    assert third.returncode == 0 and "unchanged, reused" not in third.stderr
