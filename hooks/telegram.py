"""The telegram stays verbatim: its text on the page is compared with the archive's page, character by
character, and its numbered paragraphs get ¶ labels (the same on the web and in print).

The canonical text is data/archive-page-110021.md, the archive's page exactly as given; the translation is
everything after its line "Translation - English".
"""

import re
from html import escape, unescape

from moduledata import DATA, fail, read_page, relative, source_line

ARCHIVE_PAGE = DATA / "archive-page-110021.md"
TELEGRAM_DIV = re.compile(r'<div class="telegram"[^>]*>(.*?)</div>', re.DOTALL)
PARAGRAPH = re.compile(r"<p(?: id=\"(p\d+)\")?>(.*?)</p>", re.DOTALL)
PARAGRAPH_ID = re.compile(r"\{:?\s*#p(\d+)\s*\}")
NUMBERED = 7  # the telegram's numbered paragraphs, ¶1–¶7: the pages and questions refer to them by number
FOOTNOTE_REF = re.compile(r'<sup id="fnref\d*:[^"]+">.*?</sup>', re.DOTALL)


def canonical_paragraphs():
    """The translation's paragraphs, with hard line breaks as newlines."""
    text = ARCHIVE_PAGE.read_text(encoding="utf-8")
    marker = "Translation - English"
    if marker not in text:
        fail(relative(ARCHIVE_PAGE), f"has no line '{marker}'; restore the archive's page from git.")
    body = text.split(marker, 1)[1]
    return [re.sub(r" {2,}\n", "\n", block.strip()) for block in re.split(r"\n\s*\n", body) if block.strip()]


CLEAN_MARKER = "<!-- clean-telegram -->"
ADDRESS_BLOCKS, CLOSING_BLOCKS = 3, 2  # before ¶1: place, addressee, salutation; after ¶7: signature, date


def clean_telegram():
    """The translation as HTML straight from the archive text, with ¶ labels and no notes (the class packet).
    Raw HTML, so that Markdown cannot change a character of it."""
    blocks = canonical_paragraphs()
    if len(blocks) != ADDRESS_BLOCKS + NUMBERED + CLOSING_BLOCKS:
        fail(
            relative(ARCHIVE_PAGE),
            f"the translation has {len(blocks)} paragraphs; expected {ADDRESS_BLOCKS} "
            f"of address, {NUMBERED} numbered and {CLOSING_BLOCKS} of signature and date. Restore it from git.",
        )
    parts = []
    for index, block in enumerate(blocks):
        text = escape(block).replace("\n", "<br>\n")
        number = index - ADDRESS_BLOCKS + 1
        if 1 <= number <= NUMBERED:
            text = f'<span class="para-number">¶{number}</span> {text}'  # not a link: print adds page numbers to links
            parts.append(f'<p id="clean-p{number}">{text}</p>')
        else:
            parts.append(f"<p>{text}</p>")
    # Not class "telegram": that marks the annotated telegram (checked verbatim, printed again as a clean copy).
    return '<div class="telegram-clean">\n' + "\n".join(parts) + "\n</div>"


def on_page_markdown(markdown, page, config, files):
    if CLEAN_MARKER in markdown:
        markdown = markdown.replace(CLEAN_MARKER, clean_telegram())
    if '<div class="telegram"' not in markdown:
        return markdown
    seen = []
    for match in PARAGRAPH_ID.finditer(markdown):
        number = int(match.group(1))
        where = source_line(page, markdown, match.start())
        if number in seen:
            fail(
                where,
                f"paragraph number ¶{number} is used twice; number the telegram's paragraphs "
                "{ #p1 }, { #p2 } … once each, in order.",
            )
        if number != len(seen) + 1:
            fail(
                where,
                f"paragraph number ¶{number} is out of sequence; expected {{ #p{len(seen) + 1} }}. "
                "Number the telegram's paragraphs 1, 2, 3 … with no gaps.",
            )
        seen.append(number)
    if len(seen) != NUMBERED:
        start = markdown.index('<div class="telegram"')
        fail(
            source_line(page, markdown, start),
            f"the telegram's paragraphs are numbered ¶1–¶{len(seen)}, but it "
            f"has {NUMBERED}: end the last line of each of its {NUMBERED} paragraphs with {{ #pN }}, "
            f"from {{ #p1 }} to {{ #p{NUMBERED} }}.",
        )
    return markdown


def on_page_content(html, page, config, files):
    match = TELEGRAM_DIV.search(html)
    if not match:
        return html
    markdown_path = f"docs/{page.file.src_uri}"
    found = [(pid, page_text(inner)) for pid, inner in PARAGRAPH.findall(match.group(1))]
    expected = canonical_paragraphs()
    for index, want in enumerate(expected):
        if index >= len(found):
            fail(
                markdown_path,
                f"the telegram ends early: the archive text continues with '{want[:60]}'. "
                "Restore the missing paragraph verbatim.",
            )
        pid, have = found[index]
        if have != want:
            at = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
            label = f"¶{pid[1:]}" if pid else f"paragraph '{want[:30]}…'"
            fail(
                _line_of(page, want, markdown_path),
                f"{label} of the telegram differs from the archive text "
                f"({relative(ARCHIVE_PAGE)}) at character {at + 1}: "
                f"the archive has '{want[max(0, at - 15) : at + 15]}', "
                f"the page has '{have[max(0, at - 15) : at + 15]}'. The translation must stay verbatim, errors "
                "included; put any correction in a footnote.",
            )
    if len(found) > len(expected):
        fail(
            markdown_path,
            f"the telegram has text the archive does not: '{found[len(expected)][1][:60]}'. "
            'Put commentary outside <div class="telegram"> or in a footnote.',
        )

    def label(paragraph):
        number = paragraph.group(1)[1:]
        return (
            f'<p id="p{number}"><a class="para-number" href="#p{number}" aria-label="Paragraph {number}">¶{number}</a> '
        )

    inner = re.sub(r'<p id="(p\d+)">', label, match.group(1))
    return html[: match.start(1)] + inner + html[match.end(1) :]


def page_text(inner_html):
    """A paragraph's text as a reader sees it, without footnote calls or ¶ labels."""
    text = FOOTNOTE_REF.sub("", inner_html)
    text = re.sub(r'<a class="para-number"[^>]*>.*?</a>\s*', "", text)
    text = re.sub(r"<br\s*/?>\s*", "\n", text)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _line_of(page, paragraph, fallback):
    """The Markdown line where a paragraph starts (found by its first words), for the error message."""
    source = read_page(page.file.abs_src_path)
    start = source.find(paragraph.split()[0] + " " + paragraph.split()[1]) if len(paragraph.split()) > 1 else -1
    return f"{fallback}:{source.count(chr(10), 0, start) + 1}" if start >= 0 else fallback
