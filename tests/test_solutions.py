"""A student meets no answer before its question, and no page tells a reader on paper to point or click.

The worked answers to the questions sit in `/// solution | Question N: …` blocks; these tests read the built
student site and make sure that, outside those blocks, no page a student reads before the Questions page
gives away an answer, and that text meant for a screen only is marked web-only.
"""

import re

import pytest
import yaml
from lxml import html

from conftest import ROOT

# Phrases that only a worked answer may hold (lower case; matched in the page's text with spaces squeezed).
ANSWERS = {
    13: [
        "mistranslation",
        "16 million",
        "16,000,000",
        "26,400",
        "по 20 дивизиям",
        '"for the 20 divisions"',
        "totals for all",
    ],
    14: ["1,400,000", "1.4 million", "1,400 thousand", "800 тыс", "2.4 million", "2,400,000", "24%", "56%"],
    12: ["20 a year"],
    11: ['stalin of "an attack"', 'only of "an attack"'],
    4: [
        "between the two governments",
        "still president when stalin wrote",
        "was the president-elect",
        "in power when stalin wrote",
    ],
}
# Words that make sense on a screen only (outside .web-only): a printed page cannot be pointed at or opened.
SCREEN_ONLY = re.compile(
    r"\b(point at|hover|click|tap on|links? back|words? with a link|this website|"
    r"read ¶\d in the original|closed \"for teachers\" box)\b",
    re.IGNORECASE,
)


class _Loader(yaml.SafeLoader):
    """mkdocs.yml uses !ENV; its value does not matter here."""


_Loader.add_constructor("!ENV", lambda loader, node: None)


def student_pages_before_questions():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    editions = config["extra"]["handouts"]["editions"]
    pages = next(edition["pages"] for edition in editions if edition["name"] == "student")
    pages = [page.split("#")[0] for page in pages]
    return pages[: pages.index("questions.md")]


def article_text(path, drop=()):
    """The text of a built page's article, without the elements whose class is in `drop`."""
    article = html.fromstring(path.read_bytes()).xpath("//article")[0]
    for name in drop:
        for element in article.xpath(f'.//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]'):
            element.getparent().remove(element)
    return " ".join(article.text_content().split()).lower()


@pytest.mark.parametrize("page", student_pages_before_questions())
def test_no_answer_outside_a_solution_before_the_questions(built_site, page):
    text = article_text(built_site / page.replace(".md", ".html"), drop=("solution",))
    found = [(number, phrase) for number, phrases in ANSWERS.items() for phrase in phrases if phrase in text]
    assert not found, f"docs/{page} answers question(s) outside a '/// solution | Question N: …' block: {found}"


def test_the_worked_answers_are_still_on_the_site(built_site):
    """Marking an answer as a solution must not lose it: each phrase is in some solution box."""
    solutions = " ".join(
        article_text(built_site / page.replace(".md", ".html")) for page in student_pages_before_questions()
    )
    missing = [phrase for phrases in ANSWERS.values() for phrase in phrases if phrase not in solutions]
    assert not missing


def test_every_solution_names_its_question(built_site):
    for path in built_site.glob("*.html"):
        for summary in html.fromstring(path.read_bytes()).xpath('//details[contains(@class, "solution")]/summary'):
            match = re.match(r"Question (\d+): \S", summary.text_content().strip())
            assert match and 1 <= int(match.group(1)) <= 15, (path.name, summary.text_content())


def test_a_closed_solution_box_gives_nothing_away_by_its_title(built_site):
    """On the website a solution is a closed box, but its title shows: it names the question, not the answer."""
    words = {
        13: ["for the 20 divisions", 'for each of" means'],
        14: ["thousand", "1,400"],
        11: ["a landing", "landings"],
        12: ["20 divisions a year"],
        4: ["between two", "in power"],
    }
    for path in built_site.rglob("*.html"):
        for summary in html.fromstring(path.read_bytes()).xpath('//details[contains(@class, "solution")]/summary'):
            title = " ".join(summary.text_content().split())
            number = int(re.match(r"Question (\d+)", title).group(1))
            giveaways = words.get(number, []) + ANSWERS.get(number, [])
            assert not [word for word in giveaways if word.lower() in title.lower()], (path.name, title)


@pytest.mark.parametrize("site", ["built_site", "teacher_site"])
def test_no_screen_only_words_in_print_text(request, site):
    """What a handout prints (the article without .web-only) never asks the reader to point, click or hover."""
    built = request.getfixturevalue(site)
    found = []
    for path in sorted(built.glob("*.html")):
        if path.name == "404.html":  # never printed
            continue
        text = article_text(path, drop=("web-only",))
        found += [(path.name, match.group(0)) for match in SCREEN_ONLY.finditer(text)]
    assert not found
