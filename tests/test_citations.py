"""Citations a historian accepts: the Chicago notes the module prints for the cases a reviewer found wrong.

Formatted by hooks/citations.py (pandoc's citeproc, Chicago 18th edition notes and bibliography) from
data/bibliography.json, without building the site.
"""

import re
import sys
import unicodedata
from html import unescape

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "hooks"))
import citations  # noqa: E402


@pytest.fixture(scope="module")
def notes():
    """Format citations as the successive notes of one page; returns the notes as plain text."""
    citations.on_config(None)

    def formatted(*cites):
        return [text_of(html) for html in citations.format_citations([list(cite) for cite in cites])]

    return formatted


def text_of(html):
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\xa0", " ")


def test_an_edited_book_names_its_editor_once(notes):
    [note] = notes([("westad1998brothers", None)])
    assert note.startswith("Odd Arne Westad, ed., Brothers in Arms:")
    assert note.count("Westad") == 1


def test_the_first_note_of_an_archival_item_has_the_comma_inside_the_quotation_marks(notes):
    [note] = notes([("wc110021", None)])
    assert note.startswith("“Telegram from Stalin to Mao Zedong,” December 27, 1952, APRF, f. 45")
    assert not re.search(r"[^,]” ", note)


def test_short_forms_carry_no_year_and_a_short_title(notes):
    first, again, chapter, chapter_again = notes(
        [("weathersby1996bulletin", ("p", "84"))],
        [("weathersby1996bulletin", ("p", "84"))],
        [("weathersby1998endofwar", ("n", "54"))],
        [("weathersby1998endofwar", ("n", "49"))],
    )
    assert "(Winter 1995/1996): 84" in first
    assert again == "Weathersby, “New Russian Documents,” 84."
    assert chapter_again == "Weathersby, “Stalin, Mao, and the End,” n. 49."
    assert not re.search(r"19\d\d", again + chapter_again)


def test_the_same_work_twice_in_a_row_is_a_short_form_not_ibid(notes):
    first, again = notes([("torkunov2000zagadochnaya", None)], [("torkunov2000zagadochnaya", None)])
    assert again == "Torkunov, Zagadochnaia voina."
    assert "bid" not in first + again


def test_frus_is_cited_by_volume_part_and_document_without_n_d(notes):
    first, again = notes([("frus1952v15", ("doc", "258"))], [("frus1952v15", ("doc", "297, n. 2"))])
    assert "n.d." not in first + again
    assert "Foreign Relations of the United States, 1952–1954, vol. 15, Korea, pt. 1" in first
    assert first.endswith("doc. 258, https://history.state.gov/historicaldocuments/frus1952-54v15p1.")
    assert (
        again == "U.S. Department of State, Foreign Relations of the United States, 1952–1954, vol. 15, pt. 1, "
        "doc. 297, n. 2."
    )


def test_a_title_ending_in_a_question_mark_takes_no_second_stop(notes):
    [note] = notes([("grimsted1998archives", None)])
    bibliography = text_of(citations.bibliography_html())
    assert "Past”?, Cold War International History Project Working Paper 20" in note
    assert "Past”? Cold War International History Project Working Paper 20." in bibliography
    assert not re.search(r"[?!][”’]?\.", note + bibliography)


def test_archival_titles_keep_the_archives_capitals(notes):
    [note] = notes([("wc-conversation-1952-09-04", None)])
    assert note.startswith("“Record of a Conversation between Stalin, Kim Il Sung, Pak Heon-yeong,")


def test_the_bibliography_is_in_alphabetical_order_of_what_it_shows(notes):
    html = citations.bibliography_html()
    entries = [text_of(entry) for entry in re.findall(r'<p class="bibliography-entry"[^>]*>(.*?)</p>', html)]
    assert len(entries) == len(citations.entries)

    def first_element(entry):
        # What a reader looks an entry up by, word by word: its author (without "ed.") or its quoted title.
        if entry.startswith("“"):
            first = entry[1:].split("”", 1)[0]
        else:
            first = re.sub(r", eds?\.$", "", entry.split(". ", 1)[0])
        return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFKD", first).casefold()).split()

    shown = [first_element(entry) for entry in entries]
    assert shown == sorted(shown)
    assert not any("n.d." in entry and "history.state.gov" in entry for entry in entries)
