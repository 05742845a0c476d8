"""hooks/note_calls.py: a note call stands after the punctuation that follows it, with no space before it,
except in code and in the telegram's translation."""

import importlib
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hooks"))
place_calls = importlib.import_module("note_calls").place_calls


@pytest.mark.parametrize(
    "written, placed",
    [
        ("their United Nations allies [^cite-1].", "their United Nations allies.[^cite-1]"),
        ("the talks had stalled [^cite-2]. This", "the talks had stalled.[^cite-2] This"),
        ("in the spring of 1953[^attack], Mao", "in the spring of 1953,[^attack] Mao"),
        ("two notes [^a][^b]; then", "two notes;[^a][^b] then"),
        ("no punctuation [^a] here", "no punctuation[^a] here"),
        ("already right.[^a] Next", "already right.[^a] Next"),
        ("| 1953 | Korean War begins. [^cite-1] |", "| 1953 | Korean War begins.[^cite-1] |"),
        ("a ciphered telegram\n[^cite-5]. Its address", "a ciphered telegram.[^cite-5]\n Its address"),
    ],
)
def test_calls_in_running_text(written, placed):
    assert place_calls(written) == placed


@pytest.mark.parametrize(
    "markdown",
    [
        "Code: `allies [^a].` stays.",
        "```\nallies [^a].\n```\n",
        "Text.\n\n    allies [^a].\n",
        '<div class="telegram" markdown>\n\n'
        "We have received your telegram of 17 December[^dec17].\n{ #p1 }\n\n</div>\n",
        "[^a]: A footnote definition starts its line.",
        "The last line of a paragraph\n[^a]: and a definition right under it.",
        "### A heading\n[^a] starting the next line.",
    ],
)
def test_code_the_telegram_and_definitions_are_left_alone(markdown):
    assert place_calls(markdown) == markdown


def test_the_telegram_page_keeps_its_text_and_moves_only_calls_outside_the_translation():
    page = (Path(__file__).resolve().parent.parent / "docs" / "telegram.md").read_text(encoding="utf-8")
    placed = place_calls(page)
    inside = re.compile(r'<div class="telegram"[^>]*>.*?</div>', re.DOTALL)
    assert inside.findall(placed) == inside.findall(page)
    without_calls = re.compile(r"\s*\[\^[^\]\s]+\]")
    assert without_calls.sub("", placed) == without_calls.sub("", page)  # only calls move, never words


def test_a_footnote_definition_continued_on_an_indented_line_is_not_code():
    markdown = "Text.\n\n[^a]: First line\n    second line with a call [^b].\n"
    assert place_calls(markdown).endswith("second line with a call.[^b]\n")


def test_every_page_keeps_its_line_count():
    """Later hooks report errors by line number: moving calls must not join lines."""
    for page in sorted((Path(__file__).resolve().parent.parent / "docs").rglob("*.md")):
        markdown = page.read_text(encoding="utf-8")
        assert place_calls(markdown).count("\n") == markdown.count("\n"), page
