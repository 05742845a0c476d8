"""The handout editions, as declared in mkdocs.yml (`extra.handouts.editions`), read strictly.

Each edition is a PDF in each paper size, made from the pages (or sections of pages) it lists, in order.
Anything unclear stops the build with a message naming mkdocs.yml and what to write instead: an edition
decides what students are given, so it is never guessed.
"""

import re
from dataclasses import dataclass

from .errors import HandoutError

FILE_STEM = "stalin-mao-1952"
PAPERS = {"a4": "A4", "letter": "letter"}  # name in mkdocs.yml and file names -> CSS page size
PAPER_LABELS = {"a4": "A4", "letter": "US Letter"}
AUDIENCES = ("student", "teacher")
SOLUTIONS = ("after", "omit", "in-place")
KEYS = {"name", "title", "audience", "pages", "cover", "answer_lines", "solutions", "description", "preview"}
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class PageRef:
    src: str  # "questions.md"
    fragment: str = ""  # "q2": that heading and what follows it, up to the next heading of its level


@dataclass(frozen=True)
class Edition:
    name: str
    title: str
    audience: str
    pages: tuple
    cover: bool = True
    answer_lines: bool = True
    solutions: str = "after"
    description: str = ""
    preview: bool = False  # remade in the background by `mkdocs serve` after each saved edit

    def pdf_name(self, paper):
        return f"{FILE_STEM}-{self.name}-{paper}.pdf"


def _where(number, key=None):
    return f"mkdocs.yml: extra.handouts.editions, entry {number}" + (f", '{key}'" if key else "")


def load(config):
    """[Edition] from the configuration, every field checked."""
    handouts = config["extra"].get("handouts") or {}
    if not isinstance(handouts, dict):
        raise HandoutError(
            "mkdocs.yml: extra.handouts must be a set of 'key: value' lines (title, papers, editions …), not a list."
        )
    papers = handouts.get("papers", list(PAPERS))
    if (
        not isinstance(papers, list)
        or not papers
        or len(set(map(str, papers))) != len(papers)
        or any(not isinstance(paper, str) or paper not in PAPERS for paper in papers)
    ):
        raise HandoutError(
            f"mkdocs.yml: extra.handouts.papers is {papers!r}; write a list of {', '.join(PAPERS)}, each once."
        )
    declared = handouts.get("editions")
    if not isinstance(declared, list) or not declared:
        raise HandoutError(
            "mkdocs.yml: extra.handouts.editions is missing or empty; list at least one edition "
            "(see CONTRIBUTING.md, 'Handout editions')."
        )
    editions, names = [], set()
    for number, entry in enumerate(declared, 1):
        if not isinstance(entry, dict):
            raise HandoutError(f"{_where(number)}: each edition is a set of 'key: value' lines under '- name: …'.")
        unknown = sorted(set(entry) - KEYS, key=str)
        if unknown:
            raise HandoutError(
                f"{_where(number, unknown[0])}: unknown key; the keys are {', '.join(sorted(KEYS))} (all lowercase)."
            )
        name = entry.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise HandoutError(
                f"{_where(number, 'name')}: write a short name in lowercase letters, digits and '-' "
                "(it becomes the file name), for example 'my-packet'."
            )
        if name in names:
            raise HandoutError(f"{_where(number, 'name')}: the name '{name}' is used twice; names must be unique.")
        names.add(name)
        audience = entry.get("audience")
        if audience not in AUDIENCES:
            raise HandoutError(f"{_where(number, 'audience')}: is {audience!r}; write exactly 'student' or 'teacher'.")
        solutions = entry.get("solutions", "after" if audience == "student" else "in-place")
        if solutions not in SOLUTIONS:
            raise HandoutError(f"{_where(number, 'solutions')}: is {solutions!r}; write one of {', '.join(SOLUTIONS)}.")
        if solutions == "in-place" and audience == "student":
            raise HandoutError(
                f"{_where(number, 'solutions')}: a student edition cannot print solutions in place "
                "(students would read an answer before its question); write 'after' or 'omit'."
            )
        for key in ("cover", "preview"):
            if key in entry and not isinstance(entry[key], bool):
                raise HandoutError(f"{_where(number, key)}: must be true or false.")
        answer_lines = entry.get("answer_lines", audience == "student")
        if isinstance(answer_lines, list) and all(isinstance(page, str) for page in answer_lines):
            unlisted = [
                page
                for page in answer_lines
                if page not in [p.split("#")[0] for p in entry.get("pages") or [] if isinstance(p, str)]
            ]
            if unlisted:
                raise HandoutError(
                    f"{_where(number, 'answer_lines')}: '{unlisted[0]}' is not one of this edition's "
                    "pages; list pages of 'pages:' only."
                )
            answer_lines = tuple(answer_lines)  # ruled lines on these pages only
        elif not isinstance(answer_lines, bool):
            raise HandoutError(f"{_where(number, 'answer_lines')}: write true, false, or a list of pages.")
        for key in ("title", "description"):
            if key in entry and not isinstance(entry[key], str):
                raise HandoutError(f"{_where(number, key)}: write it as text (in quotes if it holds ': ').")
        pages = entry.get("pages")
        if not isinstance(pages, list) or not pages or not all(isinstance(page, str) for page in pages):
            raise HandoutError(
                f"{_where(number, 'pages')}: list the pages, one per line, for example "
                "'- telegram.md' or '- questions.md#q2'."
            )
        refs = []
        for page in pages:
            src, _, fragment = page.strip().partition("#")
            if not src.endswith(".md"):
                raise HandoutError(f"{_where(number, 'pages')}: '{page}' is not a page of docs/ ending in .md.")
            refs.append(PageRef(src, fragment))
        editions.append(
            Edition(
                name=name,
                title=str(entry.get("title") or name),
                audience=audience,
                pages=tuple(refs),
                cover=entry.get("cover", True),
                answer_lines=answer_lines,
                solutions=solutions,
                description=str(entry.get("description") or ""),
                preview=entry.get("preview", False),
            )
        )
    return editions, papers


def for_audience(config, audience):
    editions, papers = load(config)
    return [edition for edition in editions if edition.audience == audience], papers
