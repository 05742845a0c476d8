"""The handouts fail closed: editions are read strictly, a handout loads only the project's own files, the
cache never hands back a PDF it did not check, and a render leaves nothing behind in the temporary folder.

Each test builds a fresh copy of the small project (tests/smallproject.py) with its own empty cache.
"""

import json
import stat

import pytest
from pypdf import PdfReader

from conftest import run_build
from smallproject import edit, fails_with


def pixel(colour):
    """A real PNG of 4 × 4 pixels in one colour."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, format="PNG")
    return out.getvalue()


PIXEL_RED, PIXEL_BLUE = pixel("red"), pixel("blue")


def build(project, cache, site=None, tmpdir=None, config="mkdocs.yml"):
    env = {"HANDOUTS": "1", "HANDOUT_CACHE_DIR": str(cache), **({"TMPDIR": str(tmpdir)} if tmpdir else {})}
    return run_build(project, site or project / "out", "-f", config, env=env)


def pdf_text(path):
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def test_an_image_replaced_under_the_same_name_is_printed_anew(project, tmp_path):
    image = project / "docs" / "assets" / "images" / "pixel.png"
    image.write_bytes(PIXEL_RED)
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="assets/images/pixel.png" alt="A dot">')
    first = build(project, tmp_path / "cache", tmp_path / "one")
    assert first.returncode == 0, first.stderr
    image.write_bytes(PIXEL_BLUE)
    second = build(project, tmp_path / "cache", tmp_path / "two")
    assert second.returncode == 0, second.stderr
    assert "unchanged, reused" not in second.stderr
    one = (tmp_path / "one/handouts/stalin-mao-1952-student-a4.pdf").read_bytes()
    two = (tmp_path / "two/handouts/stalin-mao-1952-student-a4.pdf").read_bytes()
    assert one != two


def test_the_cache_is_private_and_a_tampered_entry_is_not_used(project, tmp_path):
    cache = tmp_path / "cache"
    assert build(project, cache, tmp_path / "one").returncode == 0
    for folder in (cache, cache / "pdfs", cache / "fonts"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for pdf in (cache / "pdfs").glob("*.pdf"):
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
        pdf.write_bytes(pdf.read_bytes() + b"%planted by someone else\n")
    again = build(project, cache, tmp_path / "two")
    assert again.returncode == 0 and "unchanged, reused" not in again.stderr
    assert b"planted" not in (tmp_path / "two/handouts/stalin-mao-1952-student-a4.pdf").read_bytes()


def test_a_cache_folder_others_can_write_to_is_not_used(project, tmp_path):
    cache = tmp_path / "shared-cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    assert build(project, cache, tmp_path / "one").returncode == 0
    again = build(project, cache, tmp_path / "two")
    assert again.returncode == 0 and "unchanged, reused" not in again.stderr
    assert not (cache / "pdfs").exists() or not list((cache / "pdfs").iterdir())


def test_a_render_leaves_no_temporary_folder_behind(project, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = build(project, tmp_path / "cache", tmpdir=scratch)
    assert result.returncode == 0, result.stderr
    assert [path.name for path in scratch.iterdir()] == []
    assert not list((tmp_path / "cache").glob("tmp/*"))


def test_a_page_cannot_embed_a_file_from_elsewhere_on_the_machine(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the answers")
    edit(project / "docs/index.md", "<!-- handouts -->", f'<link rel="attachment" href="file://{secret}">')
    # Refused by the website's check of what a page loads, or else by the handouts' own fetcher.
    output = fails_with(build(project, tmp_path / "cache"), str(secret))
    assert "another host" in output or "outside the project and the built site" in output
    assert not (project / "out" / "handouts").exists()


def test_a_student_page_cannot_embed_the_teacher_edition(project, tmp_path):
    teacher_pdf = project / "teacher-only" / "handouts" / "stalin-mao-1952-teacher-a4.pdf"
    teacher_pdf.parent.mkdir(parents=True)
    teacher_pdf.write_bytes(b"%PDF-1.7 the answer key")
    edit(project / "docs/index.md", "<!-- handouts -->", f'<link rel="attachment" href="file://{teacher_pdf}">')
    output = fails_with(build(project, tmp_path / "cache"), str(teacher_pdf))
    assert "another host" in output or "outside the project and the built site" in output


def test_the_handouts_fetcher_refuses_files_outside_the_pages_the_site_and_the_fonts(tmp_path):
    from handouts import layout
    from handouts.errors import HandoutError

    fetched = {}
    fetcher = layout.local_only_fetcher([tmp_path / "docs"], fetched)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ok.txt").write_text("fine")
    (tmp_path / "teacher-only").mkdir()
    (tmp_path / "teacher-only" / "key.pdf").write_text("answers")
    fetcher.fetch((tmp_path / "docs" / "ok.txt").as_uri())
    assert list(fetched) == [str(tmp_path / "docs" / "ok.txt")]
    for url in (
        (tmp_path / "teacher-only" / "key.pdf").as_uri(),
        (tmp_path / "docs" / ".." / "teacher-only" / "key.pdf").as_uri(),
        "file://otherhost/etc/passwd",
        "https://example.org/x.png",
    ):
        with pytest.raises(HandoutError):
            fetcher.fetch(url)


def test_a_page_in_a_subfolder_prints_its_images_and_links(project, tmp_path):
    (project / "docs/assets/images/pixel.png").write_bytes(PIXEL_RED)
    (project / "docs/extra").mkdir()
    (project / "docs/extra/page.md").write_text(
        "# Extra\n\n![A dot](../assets/images/pixel.png)\n\nBack to [the telegram](../telegram.md#p5).\n",
        encoding="utf-8",
    )
    edit(project / "mkdocs.yml", "  - Sources: sources.md\n", "  - Sources: sources.md\n  - Extra: extra/page.md\n")
    edit(
        project / "mkdocs.yml",
        "pages: [index.md, telegram.md, questions.md, glossary.md, sources.md]",
        "pages: [index.md, telegram.md, questions.md, glossary.md, sources.md, extra/page.md]",
    )
    result = build(project, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    reader = PdfReader(project / "out/handouts/stalin-mao-1952-student-a4.pdf")
    last = reader.pages[-1]
    assert "Back to the telegram" in " ".join(last.extract_text().split())
    assert last.images, "the picture is printed"
    assert any(annotation.get_object().get("/Subtype") == "/Link" for annotation in last.get("/Annots", [])), (
        "the link to the telegram stays a link"
    )


def test_a_note_holding_a_list_prints_the_list_in_the_note(project, tmp_path):
    edit(
        project / "docs/index.md",
        "[^third]: Note gamma about the fifth paragraph.",
        "[^third]: Note gamma lists:\n\n    - first item of the note\n    - second item of the note\n\n   ",
    )
    from handouts import editions, print_html

    result = build(project, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "out"
    student = editions.Edition(
        name="student", title="Student", audience="student", pages=(editions.PageRef("index.md"),)
    )
    config = {"extra": {"handouts": {}}, "site_name": "Test", "theme": {"language": "en"}}
    document = print_html.edition_html(site, student, {"index.md": "index.html"}, config)
    from lxml import html

    note = html.fromstring(document).get_element_by_id("index--fn-third")
    assert "first item of the note" in note.text_content() and "second item" in note.text_content()
    assert not note.xpath(".//ul|.//li|.//p"), "block elements would break the note out of its paragraph"


def test_a_note_called_in_a_worked_answer_and_again_after_it_is_printed_in_both_parts(project, tmp_path):
    # The worked answer moves to "Check your work" with the note's first call: the question's page prints the
    # note again at its second call, and "Check your work" numbers its own notes from 1.
    edit(
        project / "docs/questions.md",
        "Think about the war in Korea.\n",
        "Think about the war in Korea.\n\n/// solution | Question 2: the reason\nThe talks had stalled.[^stall]\n"
        "///\n\nCompare the talks again.[^stall]\n\n[^stall]: Note about the stalled armistice talks.\n",
    )
    from lxml import html

    from handouts import editions, print_html

    result = build(project, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    student = editions.Edition(
        name="student", title="Student", audience="student", pages=(editions.PageRef("questions.md"),)
    )
    config = {"extra": {"handouts": {}}, "site_name": "Test", "theme": {"language": "en"}}
    document = html.fromstring(
        print_html.edition_html(project / "out", student, {"questions.md": "questions.html"}, config)
    )
    questions, part = document.get_element_by_id("questions"), document.get_element_by_id("check-your-work-student")
    for where in (questions, part):
        assert [note.text_content() for note in where.find_class("footnote")] == [
            "Note about the stalled armistice talks."
        ], where.get("id")
    assert [note.get("data-n") for note in part.find_class("footnote")] == ["1"]
    assert not questions.find_class("footnote-repeat"), "a number alone, its note printed in another part"


# Editions are read strictly: (what is written in mkdocs.yml, the message).
EDITION_MISTAKES = [
    pytest.param(
        "        audience: student\n",
        "        audience: Student\n",
        "mkdocs.yml: extra.handouts.editions, entry 1, 'audience': is 'Student'; write exactly 'student' or 'teacher'.",
        id="a-capital-letter",
    ),
    pytest.param(
        "  audience: student\n",
        "  audience: Student\n",
        "mkdocs.yml: extra.audience is 'Student'; it must be exactly 'student' (the published site) or 'teacher'",
        id="a-capital-letter-in-the-build",
    ),
    pytest.param(
        "        solutions: after\n",
        "        solution: after\n",
        "mkdocs.yml: extra.handouts.editions, entry 1, 'solution': unknown key;",
        id="a-mistyped-key",
    ),
    pytest.param(
        "        solutions: after\n",
        "        solutions: in-place\n",
        "a student edition cannot print solutions in place",
        id="solutions-in-place-for-students",
    ),
    pytest.param(
        "pages: [index.md, telegram.md, questions.md, glossary.md, sources.md]\n      - name: teacher",
        "pages: [index.md, telegram.md, questons.md]\n      - name: teacher",
        "mkdocs.yml: the student edition lists 'questons.md', which is not a page of this student build",
        id="a-typo-in-a-page",
    ),
    pytest.param(
        "      - name: teacher\n", "      - name: student\n", "the name 'student' is used twice", id="a-name-used-twice"
    ),
]


@pytest.mark.parametrize("old,new,expected", EDITION_MISTAKES)
def test_a_mistake_in_an_edition(project, tmp_path, old, new, expected):
    edit(project / "mkdocs.yml", old, new)
    fails_with(build(project, tmp_path / "cache"), expected)
    assert not (project / "out" / "handouts").exists()


def test_a_teacher_only_page_in_a_student_edition_stops_the_build(project, tmp_path):
    (project / "docs/guide.md").write_text(
        "---\naudience: teacher\n---\n\n# Guide\n\nThe answers are here.\n", encoding="utf-8"
    )
    edit(project / "mkdocs.yml", "  - Sources: sources.md\n", "  - Sources: sources.md\n  - Guide: guide.md\n")
    edit(
        project / "mkdocs.yml",
        "pages: [index.md, telegram.md, questions.md, glossary.md, sources.md]",
        "pages: [index.md, guide.md]",
    )
    fails_with(
        build(project, tmp_path / "cache"),
        "the student edition lists 'guide.md', which is not a page of this student build",
    )


def test_a_teacher_adds_an_edition_of_their_own_by_configuration_alone(project, tmp_path):
    edit(
        project / "mkdocs.yml",
        "    editions:\n",
        "    editions:\n"
        "      - name: my-packet\n        title: Question 2 only\n        audience: student\n        cover: false\n"
        "        solutions: omit\n        pages: [telegram.md, questions.md#q2]\n",
    )
    result = build(project, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    made = sorted(path.name for path in (project / "out/handouts").glob("*.pdf"))
    assert made == [
        "stalin-mao-1952-my-packet-a4.pdf",
        "stalin-mao-1952-my-packet-letter.pdf",
        "stalin-mao-1952-student-a4.pdf",
        "stalin-mao-1952-student-letter.pdf",
    ]
    text = pdf_text(project / "out/handouts/stalin-mao-1952-my-packet-letter.pdf")
    assert "2. Why then?" in text and "1. What did Stalin promise?" not in text
    assert "Comrade Mao Zedong" in text


def test_the_teacher_build_makes_the_teacher_edition_beside_the_site(project, tmp_path):
    student = build(project, tmp_path / "cache", project / "site")
    assert student.returncode == 0, student.stderr
    teacher = build(project, tmp_path / "cache", project / "teacher-only", config="mkdocs.teacher.yml")
    assert teacher.returncode == 0, teacher.stdout + teacher.stderr
    assert sorted(path.name for path in (project / "teacher-only/handouts").glob("*.pdf")) == [
        "stalin-mao-1952-teacher-a4.pdf",
        "stalin-mao-1952-teacher-letter.pdf",
    ]
    answer = "About one quarter of what Mao asked for"
    assert answer in pdf_text(project / "teacher-only/handouts/stalin-mao-1952-teacher-a4.pdf")
    assert answer in (project / "teacher-only/questions.html").read_text(encoding="utf-8")
    published = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (project / "site").rglob("*")
        if path.is_file() and path.suffix in (".html", ".json", ".xml")
    )
    assert answer not in published
    assert "About one quarter" not in pdf_text(project / "site/handouts/stalin-mao-1952-student-a4.pdf")


# Teacher text written in ways that are easy to miss: each is left out of the student site, or stops the build.
HIDDEN_TEACHER_TEXT = [
    pytest.param(
        "> /// teacher | Suggested answer\n> The hidden answer is one quarter.\n> ///\n", id="in-a-blockquote"
    ),
    pytest.param(
        "//// teacher | Suggested answer\nThe hidden answer is one quarter.\n/// details | More\nx\n///\n////\n",
        id="four-slashes-with-a-block-inside",
    ),
    pytest.param(
        "/// teacher | Suggested answer\n```\n///\n```\nThe hidden answer is one quarter.\n///\n",
        id="a-code-example-inside",
    ),
]


@pytest.mark.parametrize("block", HIDDEN_TEACHER_TEXT)
def test_teacher_text_written_unusually_never_reaches_the_student_site(project, tmp_path, block):
    edit(project / "docs/questions.md", "### 2. Why then?", block + "\n### 2. Why then?")
    result = build(project, tmp_path / "cache", tmp_path / "site")
    published = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (tmp_path / "site").rglob("*")
        if path.is_file() and path.suffix in (".html", ".json", ".xml")
    )
    assert "hidden answer" not in published, result.stdout + result.stderr


def test_a_teacher_page_with_another_suffix_or_front_matter_below_line_1(project, tmp_path):
    (project / "docs/guide.markdown").write_text(
        "---\naudience: teacher\n---\n\n# Guide\n\nThe hidden answer.\n", encoding="utf-8"
    )
    edit(project / "mkdocs.yml", "  - Sources: sources.md\n", "  - Sources: sources.md\n  - Guide: guide.markdown\n")
    result = build(project, tmp_path / "cache", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert not list((tmp_path / "site").rglob("guide*")), "a teacher page, whatever its suffix, is left out"
    (project / "docs/guide.markdown").write_text("\n---\naudience: teacher\n---\n\n# Guide\n", encoding="utf-8")
    fails_with(build(project, tmp_path / "cache"), "docs/guide.markdown:2: front matter must start on line 1")


def test_a_solution_before_its_question_is_refused():
    from handouts.editions import Edition, PageRef
    from handouts.errors import HandoutError
    from handouts.print_html import check_solutions_after_questions

    edition = Edition(name="mine", title="Mine", audience="student", pages=(PageRef("questions.md"),))
    document = (
        '<html><body><section><div class="solution-box" data-question="2">It was 1,652.</div>'
        '<h3 id="questions--q2" data-answer-lines="3">2. Sums</h3></section></body></html>'
    )
    with pytest.raises(HandoutError, match="a solution to question 2 comes before the question"):
        check_solutions_after_questions(document, edition)
    check_solutions_after_questions(
        document.replace("</section>", "").replace(
            '<div class="solution-box" data-question="2">It was 1,652.</div>', ""
        )
        + '<div class="solution-box" data-question="2">It was 1,652.</div>',
        edition,
    )


def test_a_solution_box_that_does_not_name_its_question_stops_the_build(project, tmp_path):
    edit(
        project / "docs/questions.md",
        "### 2. Why then?",
        "/// solution | The answer\nIt was 1,652.\n///\n\n### 2. Why then?",
    )
    fails_with(build(project, tmp_path / "cache"), "docs/questions.md", "Question 13")


def test_the_record_beside_each_cached_pdf_lists_what_it_was_made_from(project, tmp_path):
    image = project / "docs" / "assets" / "images" / "pixel.png"
    image.write_bytes(PIXEL_RED)
    edit(project / "docs/index.md", "<!-- handouts -->", '<img src="assets/images/pixel.png" alt="A dot">')
    assert build(project, tmp_path / "cache").returncode == 0
    records = [json.loads(path.read_text()) for path in (tmp_path / "cache/pdfs").glob("*.json")]
    assert records and all("site:assets/images/pixel.png" in record["fetched"] for record in records)
    assert all(any("fonts" in path for path in record["fetched"]) for record in records)
