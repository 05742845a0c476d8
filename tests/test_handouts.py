"""The handout PDFs of the real module, every edition declared in mkdocs.yml in every paper size: paper,
metadata, bookmarks, tagging, fonts, footnotes, who gets which edition, solutions after their questions,
cover, and identical bytes from identical sources."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from lxml import html
from pypdf import PdfReader

import handouts.build  # noqa: E402
import handouts.editions  # noqa: E402
import handouts.layout  # noqa: E402
import handouts.print_html  # noqa: E402
import handouts.sections  # noqa: E402
import handouts.what_to_print  # noqa: E402
from conftest import ROOT

PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
DECLARED, PAPERS = handouts.editions.load(__import__("mkdocs.config").config.load_config(str(ROOT / "mkdocs.yml")))
BY_NAME = {edition.name: edition for edition in DECLARED}
EDITIONS = [(edition.name, paper) for edition in DECLARED for paper in PAPERS]
STUDENT = [name for name, edition in BY_NAME.items() if edition.audience == "student"]
TEACHER = [name for name, edition in BY_NAME.items() if edition.audience == "teacher"]


def pdf_path(site, edition, paper):
    """Student editions are in the published site, teacher editions in the teacher's copy beside it."""
    folder = site if BY_NAME[edition].audience == "student" else site.parent / "teacher-only"
    return folder / "handouts" / BY_NAME[edition].pdf_name(paper)


@pytest.fixture(scope="session")
def texts(built_site, teacher_site):
    """Each PDF's text, page by page, whitespace collapsed."""
    return {
        (edition, paper): [
            " ".join((page.extract_text() or "").split())
            for page in PdfReader(pdf_path(built_site, edition, paper)).pages
        ]
        for edition, paper in EDITIONS
    }


def squeezed(text):
    """Letters only, lower case: immune to line breaks, hyphenation, spacing and note numbers in extracted text,
    and to the page numbers print adds to cross-references ("Q4 (p. 60)")."""
    return re.sub(r"[\W\d_]+", "", re.sub(r"\(p\.\s?\d+\)", "", text)).lower()


def test_the_published_site_holds_the_student_editions_and_the_teacher_folder_the_teacher_ones(
    built_site, teacher_site
):
    assert STUDENT and TEACHER
    assert sorted(path.name for path in (built_site / "handouts").glob("*.pdf")) == sorted(
        BY_NAME[name].pdf_name(paper) for name in STUDENT for paper in PAPERS
    )
    assert sorted(path.name for path in (teacher_site / "handouts").glob("*.pdf")) == sorted(
        BY_NAME[name].pdf_name(paper) for name in TEACHER for paper in PAPERS
    )
    assert not list(built_site.rglob("*teacher*")), "nothing named for teachers in the published site"


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_page_has_the_paper_size(built_site, teacher_site, edition, paper):
    width, height = PAPER_POINTS[paper]
    for number, page in enumerate(PdfReader(pdf_path(built_site, edition, paper)).pages, 1):
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(width, 1), round(height, 1)), number


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_metadata_title_author_subject_keywords_language(built_site, teacher_site, config, edition, paper):
    extra = config["extra"]["handouts"]
    with pikepdf.open(pdf_path(built_site, edition, paper)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == f"{extra['title']} ({BY_NAME[edition].title})"
        assert str(info["/Author"]) == extra["author"]
        subject = BY_NAME[edition].description or extra["subject"]
        assert " ".join(str(info["/Subject"]).split()) == " ".join(subject.split())
        assert str(info["/Keywords"]) == extra["keywords"]
        assert str(pdf.Root.Lang) == "en"


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_bookmarks_follow_the_headings(built_site, teacher_site, edition, paper):
    reader = PdfReader(pdf_path(built_site, edition, paper))
    site = built_site if BY_NAME[edition].audience == "student" else teacher_site

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield " ".join(item.title.split())

    bookmarks = list(titles(reader.outline))
    headings = []
    for ref in BY_NAME[edition].pages:
        if not ref.fragment:
            built = site / ref.src.replace(".md", ".html")
            heading = html.fromstring(built.read_bytes()).xpath("//article//h1")[0]
            headings.append(" ".join(heading.text_content().replace("¶", "").split()))
    found = [heading for heading in headings if heading in bookmarks]
    assert found == headings, f"missing bookmarks: {sorted(set(headings) - set(found))}"
    assert len(bookmarks) > len(headings), "the h2 headings should be bookmarks too"


def test_student_editions_put_every_solution_after_the_questions(texts):
    # The reader moves solutions into "Check your work" after the last question, one box a question in order,
    # and lists the part in its contents; the packet leaves them out.
    for name in STUDENT:
        for paper in PAPERS:
            pages = texts[(name, paper)]
            part = [number for number, page in enumerate(pages) if page.startswith("Check your work Read these only")]
            if BY_NAME[name].solutions == "omit":
                assert not part, (name, paper)
                continue
            last_question = max(number for number, page in enumerate(pages) if "15. Your answer" in page)
            assert part and part[0] > last_question, (name, paper)
            assert "Check your work" in pages[0], f"{name} {paper}: the cover's contents do not list the part"
            labels = [int(n) for n in re.findall(r"(?:^| )Question (\d+)(?= )", " ".join(pages[part[0] :]))]
            assert labels == sorted(set(labels)) and labels, (name, paper, labels)


@pytest.mark.parametrize("edition", list(BY_NAME))
def test_every_note_called_in_a_part_is_printed_in_it_in_order(print_documents, edition):
    # Solutions move into "Check your work" from several pages, and out of the pages they came from: a page's
    # notes keep their web numbers, in order; "Check your work" numbers its own 1, 2, 3; a number repeated in
    # the text is that of a note printed in the same part.
    for section in print_documents[edition].xpath('//section[contains(concat(" ", @class, " "), " page ")]'):
        numbers = [int(note.get("data-n")) for note in section.find_class("footnote")]
        assert numbers == sorted(set(numbers)), (section.get("id"), numbers)
        if "check-your-work" in section.get("class"):
            assert numbers == list(range(1, len(numbers) + 1)), numbers
        for repeat in section.find_class("footnote-repeat"):
            assert int(repeat.text) in numbers, (section.get("id"), repeat.text)


def test_the_class_packet_gives_away_no_translation_finding(texts):
    for paper in PAPERS:
        packet = " ".join(texts[("packet", paper)])
        for finding in (
            "1,652",
            "1,320 + 332",
            "1320 + 332",
            "for the 20 divisions",
            "1,400,000",
            "1.4 million",
            "по 20",
        ):
            assert finding not in packet, (paper, finding)


def test_the_map_credits_its_data_in_its_caption_where_no_line_crosses_it(built_site, texts):
    figure = html.parse(built_site / "packet" / "background.html").find('.//figure[@class="map"]')
    assert "Map data" not in "".join(figure.find("svg").itertext())
    assert figure.find("figcaption").text_content().endswith("Map data: Natural Earth; towns: GeoNames.")
    for paper in PAPERS:
        assert "Map data: Natural Earth; towns: GeoNames." in " ".join(texts[("packet", paper)]), paper


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_tagged_pdf_ua(built_site, teacher_site, edition, paper):
    with pikepdf.open(pdf_path(built_site, edition, paper)) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked) is True
        metadata = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert re.search(r'pdfuaid:part(="1"|>1<)', metadata), metadata
        with pdf.open_metadata() as xmp:
            assert str(xmp.get("pdfuaid:part")) == "1"


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_the_structure_tree_holds_every_piece_of_marked_content(built_site, teacher_site, edition, paper):
    # Every MCID in a page's content is in the ParentTree, and the element found there really holds it
    # (the renderer moves text runs out of WeasyPrint's Span elements into their paragraphs).
    with pikepdf.open(pdf_path(built_site, edition, paper)) as pdf:
        numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
        for page in pdf.pages:
            mcids = [int(n) for n in re.findall(rb"/MCID (\d+)", page.Contents.read_bytes())]
            assert mcids == list(range(len(mcids)))
            elements = parents[int(page.StructParents)]
            assert len(elements) == len(mcids)
            for mcid, element in zip(mcids, elements):
                assert element.Type == "/StructElem" and element.Pg.objgen == page.objgen
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                assert mcid in [int(kid) for kid in kids if isinstance(kid, int)], (mcid, element.S)
                ancestor, depth = element, 0
                while ancestor.get("/Type") != "/StructTreeRoot" and depth < 50:
                    ancestor, depth = ancestor.P, depth + 1
                assert ancestor.get("/Type") == "/StructTreeRoot"


def shipped_families():
    css = (ROOT / "print" / "handout.css").read_text(encoding="utf-8")
    return {family.replace(" ", "-") for family in re.findall(r'@font-face\s*\{[^}]*font-family:\s*"([^"]+)"', css)}


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_font_is_a_shipped_one_embedded_as_a_subset(built_site, teacher_site, edition, paper):
    families = shipped_families()
    assert {"Noto-Serif", "Noto-Sans", "Noto-Serif-SC"} <= families
    with pikepdf.open(pdf_path(built_site, edition, paper)) as pdf:
        names = set()
        for font in (
            obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        ):
            name = str(font.FontName)
            tag, _, base = name.lstrip("/").partition("+")
            assert re.fullmatch(r"[A-Z]{6}", tag), f"{name}: not marked as a subset"
            assert any(font.get(key) is not None for key in ("/FontFile", "/FontFile2", "/FontFile3")), (
                f"{name}: not embedded"
            )
            # The longest family that the name starts with: "Noto-Serif-SC-Italic" is Noto Serif SC.
            family = max((f for f in families if base == f or base.startswith(f + "-")), key=len, default=None)
            assert family, f"{name} is not one of the shipped fonts {sorted(families)}"
            assert not re.search(r"DejaVu|CJK-(JP|KR|TC)|Liberation|Free", base), name
            names.add(base)
        assert any(name.startswith("Noto-Serif") for name in names)


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_footnote_is_on_the_page_of_its_call(built_site, teacher_site, config, teacher_config, edition, paper):
    # Lay the edition out again exactly as the renderer does (corrections included) and look at the boxes:
    # every note in the footnote area of its call's page, none lost; and the same number of pages as the PDF.
    student = BY_NAME[edition].audience == "student"
    site, configuration = (built_site, config) if student else (teacher_site, teacher_config)
    document = handouts.print_html.edition_html(site, BY_NAME[edition], handouts.build.built_pages(site), configuration)
    if not student:  # as printed: its "What to print" table counts the teacher editions too
        counts = {
            (name, size): len(PdfReader(pdf_path(built_site, name, size)).pages) for name in TEACHER for size in PAPERS
        }
        os.environ["STUDENT_SITE_DIR"] = str(built_site)
        document = handouts.what_to_print.with_counts(document, configuration, counts)
    layout, *_ = handouts.sections.layout_edition(document, site, paper, handouts.editions.PAPERS[paper], edition)
    handouts.sections.forget()
    assert handouts.layout.check_footnotes(layout) == ([], [])
    assert document.count('class="footnote"') > (50 if edition != "packet" else 0)
    assert len(layout.pages) == len(PdfReader(pdf_path(built_site, edition, paper)).pages)


def teacher_sentences(teacher_site):
    """Every sentence of 8+ words of the teacher-only text: the teacher boxes, and what only the teacher pages
    say (a teacher page may restate the module: the central question, a citation)."""
    sentences = []
    student_site = teacher_site.parent / "site"
    student_pages = {path.relative_to(student_site) for path in student_site.rglob("*.html")}
    shared = squeezed(
        " ".join(html.fromstring((teacher_site / page).read_bytes()).text_content() for page in student_pages)
    )
    for page in sorted(teacher_site.rglob("*.html")):
        tree = html.fromstring(page.read_bytes())
        boxes = tree.xpath('//details[contains(@class, "teacher")]')
        teacher_page = page.relative_to(teacher_site) not in student_pages and "assets" not in page.parts
        if teacher_page:
            for notes in tree.xpath('//div[contains(@class, "footnote")]'):
                notes.drop_tree()  # citations: the Sources page lists them for everyone
            boxes = tree.find_class("md-content__inner")
        for box in boxes:
            text = " ".join(" ".join(part.text_content() for part in box if part.tag != "summary").split())
            # Sentences of at least 8 words (counting only words with letters: "1320 + 332 =" is not 3 words).
            sentences += [
                s
                for s in re.split(r"(?<=[.?!])\s+", text)
                if len([word for word in s.split() if re.search(r"[^\W\d_]", word)]) >= 8
                and not (teacher_page and squeezed(s) in shared)
            ]
    return sentences


def test_no_teacher_only_text_in_the_student_editions(teacher_site, texts):
    sentences = teacher_sentences(teacher_site)
    assert len(sentences) > 100
    for name in STUDENT:
        for paper in PAPERS:
            student = squeezed(" ".join(texts[(name, paper)]))
            leaked = [sentence for sentence in sentences if squeezed(sentence) in student]
            assert leaked == [], f"{name} {paper}: {leaked[:3]}"


def test_no_teacher_only_text_anywhere_in_the_published_site(built_site, teacher_site):
    sentences = teacher_sentences(teacher_site)
    published = squeezed(
        " ".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in built_site.rglob("*")
            if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt", ".js")
        )
    )
    leaked = [sentence for sentence in sentences if squeezed(sentence) in published]
    assert leaked == [], leaked[:3]


def test_the_teacher_editions_print_the_teacher_only_text(teacher_site, texts):
    sentences = teacher_sentences(teacher_site)
    for paper in PAPERS:
        teacher = squeezed(" ".join(texts[("teacher", paper)]))
        # A sentence may run over a page break, with the footer and notes printed in between: then one of
        # its halves is whole.
        missing = [
            sentence
            for sentence in sentences
            if squeezed(sentence) not in teacher and not any(squeezed(half) in teacher for half in halves(sentence))
        ]
        assert missing == [], f"teacher {paper}: {missing[:3]}"


def halves(sentence):
    words = sentence.split()
    return " ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_the_first_page_says_which_edition_version_date_and_website(texts, config, edition, paper):
    if not BY_NAME[edition].cover:
        return
    cover = texts[(edition, paper)][0].lower()
    extra = config["extra"]["handouts"]
    assert BY_NAME[edition].title.lower() in cover
    assert f"{extra['version']}, {extra['date']}".lower() in cover
    assert "website" in cover
    if re.match(r"https?://(127\.0\.0\.1|localhost)\b", config["site_url"]):  # SITE_URL not set
        assert "not published yet" in cover
    else:
        assert config["site_url"].lower().rstrip("/") in cover


def test_the_same_sources_give_byte_identical_pdfs(built_site, tmp_path):
    # The build (hooks/pdf_handouts.py) made one set; the script on its own makes another from the same pages.
    site = Path(shutil.copytree(built_site, tmp_path / "site", ignore=shutil.ignore_patterns("handouts")))
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render_handouts.py"), "--site", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDOUT_CACHE": "0"},
    )
    assert result.returncode == 0, result.stderr
    assert "unchanged, reused" not in result.stdout
    again = {path.name: path.read_bytes() for path in (site / "handouts").glob("*.pdf")}
    built = {path.name: path.read_bytes() for path in (built_site / "handouts").glob("*.pdf")}
    assert len(again) == len(STUDENT) * len(PAPERS)
    assert {name for name in built if built[name] != again.get(name)} == set()


def test_pdfs_are_readable_by_everyone_who_can_read_the_site(built_site, teacher_site):
    for edition, paper in EDITIONS:
        assert pdf_path(built_site, edition, paper).stat().st_mode & 0o044 == 0o044
