"""The print HTML of one edition: a cover, then each listed page's article (or section of it) from the built
site, made fit for paper.

Footnotes become elements at their calls (float: footnote in print/handout.css), text for the screen only
(`.web-only`) is left out, solutions go where the edition says, questions get ruled lines, and ids and
links are made unique across the combined document.
"""

import copy
import posixpath
import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from .errors import HandoutError

SOLUTION_TITLE = re.compile(r"^\s*Question\s+(\d+)\b[:.]?\s*(.*)$", re.IGNORECASE)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A float: footnote element must stay inline: the HTML parser would close the paragraph at a block.
NOTE_BLOCKS = (
    "p",
    "ul",
    "ol",
    "li",
    "pre",
    "blockquote",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "dl",
    "dt",
    "dd",
)
QUESTIONS_PAGE = "questions.md"  # solutions name a question of this page ("Question 13")
# A glossary link is a word, not a cross-reference: no page number.
XREF_EXCLUDED = {"glossary"}


def escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def slug(src):
    return re.sub(r"[^a-z0-9]+", "-", src.rsplit(".", 1)[0].lower()).strip("-") or "page"


def edition_html(site_dir, edition, built, config):
    """One HTML document for the edition. `built` maps each page of this build (src_uri) to its built file
    (dest_uri); a listed page that is not in it stops the render."""
    extra = config["extra"].get("handouts", {})
    site_dir = Path(site_dir)
    for ref in edition.pages:
        if ref.src not in built:
            raise HandoutError(
                f"mkdocs.yml: the {edition.name} edition lists '{ref.src}', which is not a page of "
                f"this {config['extra'].get('audience', 'student')} build (a missing file, a typo, "
                "or a teacher-only page in a student edition). Correct the list."
            )
    page_slugs = {built[ref.src]: slug(ref.src) for ref in edition.pages}
    whole = {built[ref.src] for ref in edition.pages if not ref.fragment}
    section_ids, sections, contents = {}, [], []
    for ref in edition.pages:
        dest = built[ref.src]
        section_ids.setdefault(
            dest, page_slugs[dest] if dest in whole else f"{page_slugs[dest]}--section-{ref.fragment}"
        )
    for ref in edition.pages:
        dest = built[ref.src]
        article = _article(site_dir / dest, ref.src)
        if edition.audience == "student" and (article.find_class("teacher")):
            raise HandoutError(
                f"docs/{ref.src}: the built page holds a teacher box, and the {edition.name} edition "
                "is for students. Build the student edition from the student site (mkdocs.yml)."
            )
        if article.find_class("telegram") and not ref.fragment and edition.cover:
            sections.append(_clean_copy(article, page_slugs[dest]))
            contents.append((f"{page_slugs[dest]}-clean", "The telegram, to read through first"))
        section = _print_section(article, ref, dest, page_slugs, section_ids, edition)
        heading = next(iter(section.iter(*HEADINGS)), None)
        contents.append((section.get("id"), heading.text_content().strip() if heading is not None else ref.src))
        sections.append(section)
    sections = _place_solutions(sections, edition)
    for index, section in enumerate(sections):  # one entry of the contents a section, in the same order
        if not isinstance(section, str) and "check-your-work" in section.get("class"):
            contents.insert(index, (section.get("id"), "Check your work"))
    for section in sections:
        if not isinstance(section, str):
            _notes_printed_in(section, sections, renumber="check-your-work" in section.get("class"))
    label = edition.title
    body = [
        lxml_html.tostring(section, encoding="unicode") if not isinstance(section, str) else section
        for section in sections
    ]
    cover = _cover(config, extra, edition, contents) if edition.cover else ""
    title = extra.get("title", config["site_name"])
    head = f"""<meta charset="utf-8"><title>{escape(title)} ({escape(label)})</title>
<meta name="author" content="{escape(extra.get("author", ""))}">
<meta name="description" content="{escape(edition.description or extra.get("subject", ""))}">
<meta name="keywords" content="{escape(extra.get("keywords", ""))}">"""
    document = (
        f'<!DOCTYPE html>\n<html lang="{config["theme"]["language"] or "en"}"><head>{head}</head>'
        f'<body class="{edition.audience} edition-{edition.name}"'
        f' data-title="{escape(config["site_name"])}" data-edition="{escape(label)}">{cover}\n'
        + "\n".join(body)
        + "</body></html>"
    )
    check_solutions_after_questions(document, edition)
    return document


def _article(built_file, src):
    if not built_file.is_file():
        raise HandoutError(
            f"{built_file}: this built page is missing, so the handout cannot include docs/{src}. "
            "Run ./scripts/build (or `mkdocs build`) first."
        )
    tree = lxml_html.fromstring(built_file.read_bytes())
    article = tree.find_class("md-content__inner")
    if not article:
        raise HandoutError(f"{built_file}: no article found in this page; is it a page built by MkDocs Material?")
    return article[0]


def _cover(config, extra, edition, contents):
    site_url = config.get("site_url") or ""
    # A local preview address means nobody has said where the site is published (see README: SITE_URL).
    website = (
        "not published yet: ask your teacher for the address"
        if re.match(r"https?://(127\.0\.0\.1|localhost)\b", site_url)
        else escape(site_url)
    )
    toc = "\n".join(f'<li><a href="#{section_id}">{escape(name)}</a></li>' for section_id, name in contents)
    what = (
        escape(edition.description)
        if edition.description
        else (
            "A printable handout of the online module: the telegram with numbered paragraphs (¶1–¶7) and footnotes, "
            "its context, questions"
            + (
                " with suggested answers and the teacher’s guide"
                if edition.audience == "teacher"
                else " with space to answer"
            )
            + ", a glossary and sources."
        )
    )
    return f"""
<section class="cover">
  <h1>{escape(extra.get("title", config["site_name"]))}</h1>
  <p class="subtitle">{escape(extra.get("subject", ""))}</p>
  <p class="edition">{escape(edition.title)}</p>
  <dl>
    <dt>What this is</dt><dd>{what}</dd>
    <dt>Version</dt><dd>{escape(str(extra.get("version", "")))}, {escape(str(extra.get("date", "")))}</dd>
    <dt>Website</dt><dd>{website}</dd>
    <dt>Editors</dt><dd>{escape(extra.get("author", config.get("site_author") or ""))}</dd>
  </dl>
  <div class="contents"><h2>Contents</h2><ol>{toc}</ol></div>
  <p class="licence">Module text: CC BY 4.0. The English translation of the telegram is reproduced from the
    Wilson Center Digital Archive under its reuse statement for research and education. Fonts: SIL Open Font
    License 1.1. Details on the Sources page.</p>
</section>"""


def _clean_copy(article, page_slug):
    """The telegram on a page of its own, without note calls, to read through before the annotated text.

    Same words and ¶ numbers as the annotated version (the build has checked them against the archive)."""
    telegram = copy.deepcopy(article.find_class("telegram")[0])
    for call in telegram.xpath('.//sup[starts-with(@id, "fnref")]'):
        call.drop_tree()  # keeps the text after the call
    for element in telegram.xpath(".//*[@id]"):
        del element.attrib["id"]
    for label in telegram.find_class("para-number"):
        label.tag = "span"
        label.attrib.pop("href", None)
    section = lxml_html.fragment_fromstring(
        f'<section class="page clean-copy" id="{page_slug}-clean"><h1>The telegram, to read through first</h1>'
        '<p class="clean-intro">The English translation exactly as the archive gives it, without notes. The '
        "annotated version that follows has the same ¶ numbers, with notes at the foot of each page.</p></section>"
    )
    section.append(telegram)
    return lxml_html.tostring(section, encoding="unicode")


def _selected(article, ref):
    """The article's children, or those of one section of it (ref.fragment), plus the list of notes."""
    children = list(article)
    notes = [child for child in children if "footnote" in (child.get("class") or "").split()]
    if not ref.fragment:
        return children
    start = next((child for child in children if child.get("id") == ref.fragment), None)
    if start is None or start.tag not in HEADINGS:
        raise HandoutError(
            f"mkdocs.yml: an edition lists '{ref.src}#{ref.fragment}', but docs/{ref.src} has no "
            f"heading with the id '{ref.fragment}'. Correct the id (look for '{{ #… }}' after a heading)."
        )
    level, picked = int(start.tag[1]), [start]
    for sibling in start.itersiblings():
        if sibling.tag in HEADINGS and int(sibling.tag[1]) <= level or sibling in notes:
            break
        picked.append(sibling)
    return picked + notes


def _print_section(article, ref, dest, page_slugs, section_ids, edition):
    """The article of one built page (or one section of it), made fit for paper."""
    page_slug = page_slugs[dest]
    section = lxml_html.Element(
        "section",
        {"class": "page", "id": section_ids[dest] if not ref.fragment else f"{page_slug}--section-{ref.fragment}"},
    )
    for child in _selected(article, ref):
        section.append(copy.deepcopy(child))
    for selector in ("headerlink", "md-content__button", "md-source-file", "handout-links", "web-only"):
        for element in section.find_class(selector):
            element.drop_tree()
    _resolve_urls(section, dest)
    # Boxes this edition leaves out go first: a note then prints at its first call that is printed.
    _teacher_boxes(section, edition)
    _solutions_marked(section, edition, ref)
    _notes_at_their_calls(section, page_slug)
    if edition.answer_lines is True or (
        isinstance(edition.answer_lines, (list, tuple)) and ref.src in edition.answer_lines
    ):
        _answer_lines(section)

    # Ids and links: unique across the combined document; links to other pages become links inside it.
    for element in section.xpath(".//*[@id]"):
        if element is not section and not element.get("id").startswith(f"{page_slug}--"):
            element.set("id", f"{page_slug}--{element.get('id')}".replace(":", "-"))
    for link in section.xpath(".//a[@href]"):
        href = link.get("href")
        if href.startswith(("http://", "https://", "mailto:")):
            if link.text_content().strip() != href and "bibliography-entry" not in (
                link.getparent().get("class") or ""
            ):
                url = lxml_html.Element("span", {"class": "external-url"})
                url.text = f" ({href})"
                url.tail = link.tail
                link.tail = None
                link.addnext(url)
            continue
        page, _, fragment = href.partition("#")
        page = page or dest
        if page not in page_slugs:
            link.drop_tag()  # a page this edition does not contain (or a download link)
            continue
        target = f"#{page_slugs[page]}--{fragment}".replace(":", "-") if fragment else f"#{section_ids[page]}"
        link.set("href", target)
        link.attrib.pop("title", None)
        if fragment and page_slugs[page] not in XREF_EXCLUDED and not re.fullmatch(r"p\d+", fragment):
            # A cross-reference that matters on paper: print/handout.css adds "(p. N)".
            link.set("class", f"{link.get('class') or ''} xref".strip())
    return section


def _resolve_urls(section, dest):
    """A page in a subfolder (docs/extra/page.md) links and loads relative to its own folder: make every
    relative address relative to the site's root, where the print HTML lives."""
    folder = posixpath.dirname(dest)
    if not folder:
        return
    for element, attribute in [(e, "href") for e in section.xpath(".//*[@href]")] + [
        (e, "src") for e in section.xpath(".//*[@src]")
    ]:
        value = element.get(attribute)
        if not value or value.startswith(("#", "data:", "mailto:")) or "://" in value or value.startswith("/"):
            continue
        path, hash_mark, fragment = value.partition("#")
        element.set(attribute, posixpath.normpath(posixpath.join(folder, path)) + hash_mark + fragment)


def _notes_at_their_calls(section, page_slug):
    """Each footnote definition moves to its first call as a float: footnote element; later calls of the same
    note print its number only."""
    notes = {}
    for item in section.xpath('.//div[contains(@class, "footnote")]/ol/li'):
        for backref in item.find_class("footnote-backref"):
            backref.drop_tree()
        for block in item.iter(*NOTE_BLOCKS):
            if block is not item:
                block.set("class", f"note-{block.tag} {block.get('class') or ''}".strip())
                block.tag = "span"
        for number, paragraph in enumerate(item.xpath('./span[@class="note-p"]')):
            if number:  # paragraphs of a note run on, as in the notes on the web page's foot
                paragraph.text = " " + (paragraph.text or "")
            paragraph.drop_tag()
        notes[item.get("id")] = item
    for footnote_list in section.xpath('.//div[contains(@class, "footnote")]'):
        footnote_list.drop_tree()
    placed = set()
    for sup in section.xpath('.//sup[starts-with(@id, "fnref")]'):
        link = sup.find("a")
        target, number = link.get("href", "").lstrip("#"), link.text_content().strip()
        if target in placed or target not in notes:
            repeat = lxml_html.Element("span", {"class": "footnote-repeat"})
            if target in placed:
                repeat.set("data-note", f"{page_slug}--{target}".replace(":", "-"))
            repeat.text = number
            repeat.tail = sup.tail
            sup.getparent().replace(sup, repeat)
            continue
        placed.add(target)
        item = notes[target]
        body = (item.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in item)
        # One run of text: a line break or a no-break space at its edges would give WeasyPrint a note whose
        # number stands on a line of its own.
        body = re.sub(r"\s*\n\s*", " ", body.replace("\xa0", " ")).strip()
        note = lxml_html.fragment_fromstring(f"<span>{body}</span>")
        note.set("class", "footnote")
        note.set("id", f"{page_slug}--{target}".replace(":", "-"))
        note.set("data-n", number)
        note.tail = sup.tail
        sup.getparent().replace(sup, note)


def _teacher_boxes(section, edition):
    for details in section.xpath('.//details[contains(concat(" ", @class, " "), " teacher ")]'):
        if edition.audience != "teacher":
            details.drop_tree()
            continue
        _as_box(details, "teacher-box", "For teachers")


def _as_box(details, box_class, default_title):
    summary = details.find("summary")
    title = summary.text_content().strip() if summary is not None else default_title
    if summary is not None:
        summary.drop_tree()
    box = lxml_html.Element("div", {"class": box_class})
    for key in ("data-question",):
        if details.get(key):
            box.set(key, details.get(key))
    label = etree.SubElement(box, "p", {"class": f"{box_class.split('-')[0]}-label"})
    label.text = title if title.startswith(default_title) else f"{default_title}: {title}"
    box.text, label.tail = None, details.text
    for child in list(details):
        box.append(child)
    box.tail = details.tail
    details.getparent().replace(details, box)
    return box


def _solutions_marked(section, edition, ref):
    """Every `/// solution` box names its question ("Question 13: …"); in place, it becomes a box."""
    for details in section.xpath('.//details[contains(concat(" ", @class, " "), " solution ")]'):
        summary = details.find("summary")
        title = summary.text_content().strip() if summary is not None else ""
        match = SOLUTION_TITLE.match(title)
        if not match:
            raise HandoutError(
                f"docs/{ref.src}: the solution box titled '{title or 'Check your work'}' does not say "
                "which question it answers; write its first line as '/// solution | Question 13: …'."
            )
        details.set("data-question", match.group(1))
        if summary is not None:
            summary.text, summary[:] = f"Question {match.group(1)}: {match.group(2)}".rstrip(": "), []
        if edition.solutions == "omit":
            details.drop_tree()
        elif edition.solutions == "in-place":
            _as_box(details, "solution-box", "Check your work")
        # "after": moved by _place_solutions once every section is made


def _place_solutions(sections, edition):
    """solutions: after — every solution moves, in order, into a "Check your work" part that follows the
    section holding the edition's last question (or the last section)."""
    if edition.solutions != "after":
        return sections
    moved = []
    for section in sections:
        if isinstance(section, str):
            continue
        for details in section.xpath(".//details[@data-question]"):
            moved.append(details)
    if not moved:
        return sections
    part = lxml_html.fragment_fromstring(
        f'<section class="page check-your-work" id="check-your-work-{edition.name}"><h1>Check your work</h1>'
        '<p class="check-intro">Read these only after you have answered the questions: one box for each question, '
        "in the order of the questions.</p></section>"
    )
    # One box a question, in question order: several pages may answer the same question.
    by_question = {}
    for details in moved:
        by_question.setdefault(int(details.get("data-question")), []).append(details)
    for number in sorted(by_question):
        box = etree.SubElement(part, "div", {"class": "solution-box", "data-question": str(number)})
        etree.SubElement(box, "p", {"class": "solution-label"}).text = f"Question {number}"
        titles = [SOLUTION_TITLE.match(details.findtext("summary") or "").group(2) for details in by_question[number]]
        for details, title in zip(by_question[number], titles):
            summary = details.find("summary")
            if summary is not None:
                summary.drop_tree()
            if title and len(set(titles)) > 1:  # parts of one answer, each with its own title
                etree.SubElement(box, "p", {"class": "solution-part"}).text = title[0].upper() + title[1:]
            if details.text and details.text.strip():
                etree.SubElement(box, "p").text = details.text
            for child in list(details):
                box.append(child)
            details.drop_tree()
    last = max(
        (
            index
            for index, section in enumerate(sections)
            if not isinstance(section, str) and section.xpath(".//h3[@data-answer-lines]")
        ),
        default=len(sections) - 1,
    )
    return sections[: last + 1] + [part] + sections[last + 1 :]


def _notes_printed_in(section, sections, renumber):
    """Every note a section calls is printed in it. A page's section keeps its web page's note numbers, so that
    the paper and the screen agree ("note 30"), with gaps where a solution has moved out. "Check your work"
    (renumber) holds boxes from several pages, each with its own numbers (it read 27, 2, 28): its notes number
    1, 2, 3. A later call of a note printed in another section, the box holding it having moved, prints the
    note here again."""
    numbers = {}  # a note's id: its number in the section
    for element in section.xpath('.//span[@class="footnote" or @class="footnote-repeat"]'):
        note_id = element.get("id") if element.get("class") == "footnote" else element.get("data-note")
        if element.get("class") == "footnote-repeat":
            if note_id in numbers:
                element.text = numbers[note_id]
                continue
            if not note_id:
                continue  # a call whose note the page does not have: it stays as it is
            element = _note_printed_again(element, note_id, section, sections)
        numbers[note_id] = str(len(numbers) + 1) if renumber else element.get("data-n")
        element.set("data-n", numbers[note_id])


def _note_printed_again(repeat, note_id, section, sections):
    """The note a repeated call stands for, printed in full in its place (the note's first call is in another
    section)."""
    original = next(
        (
            found
            for other in sections
            if not isinstance(other, str)
            for found in other.xpath(".//span[@id=$id]", id=note_id)
        ),
        None,
    )
    if original is None:
        raise HandoutError(
            f"note {note_id.partition('--')[2]} of {note_id.partition('--')[0]} is called again in "
            f"'{section.get('id')}', but the edition no longer prints the note itself: a bug in "
            "src/handouts/print_html.py (notes are placed after the boxes an edition leaves out are gone)."
        )
    note = copy.deepcopy(original)
    note.set("id", f"{note_id}--again")
    note.set("data-n", repeat.text)  # the number its page gave it ("Check your work" numbers its notes anew)
    note.tail = repeat.tail
    repeat.getparent().replace(repeat, note)
    return note


def check_solutions_after_questions(document, edition):
    """The build refuses a student edition in which a solution comes before its question."""
    if edition.audience != "student":
        return
    tree = lxml_html.document_fromstring(document)
    questions, solutions = {}, []
    for position, element in enumerate(tree.iter()):  # in reading order
        match = re.fullmatch(rf"{slug(QUESTIONS_PAGE)}--q(\d+)", element.get("id") or "")
        if match and element.tag == "h3":
            questions[match.group(1)] = position
        if element.get("data-question"):
            solutions.append((position, element.get("data-question")))
    for position, number in solutions:
        if number in questions and position < questions[number]:
            raise HandoutError(
                f"mkdocs.yml: in the {edition.name} edition a solution to question {number} comes before "
                "the question. List the question's page first, or write 'solutions: after'."
            )
    if edition.solutions == "omit" and tree.xpath('//*[contains(concat(" ", @class, " "), " solution")]'):
        raise HandoutError(f"the {edition.name} edition should leave out every solution, and one is still there.")


def _answer_lines(section):
    """Ruled space to answer under each question heading."""
    for heading in section.xpath(".//h3[@data-answer-lines]"):
        last = heading
        for sibling in heading.itersiblings():
            if sibling.tag in ("h1", "h2", "h3"):
                break
            last = sibling
        lines = lxml_html.Element("div", {"class": "answer-lines"})
        for _ in range(int(heading.get("data-answer-lines"))):
            etree.SubElement(lines, "div", {"class": "answer-line"})  # one ruled line each
        lines.tail = last.tail
        last.tail = None
        last.addnext(lines)
