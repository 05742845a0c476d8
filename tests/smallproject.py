"""A small copy of the module for tests that break things on purpose.

It has the real hooks, scripts, print stylesheet, theme overrides, fonts and the archive's text of the
telegram, but only five short pages and two works in its bibliography, so a build takes a second or two and
does not depend on the content pages being written at the same time. Tests break a fresh copy each.
"""

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

# Copied as they are. (Not .venv, site/, .git or caches: a test must never touch the working tree.)
COPIED = [
    "hooks",
    "scripts",
    "src",
    "print",
    "overrides",
    "docs/assets",
    "requirements.txt",
    "requirements-test.txt",
    "mkdocs.teacher.yml",
    "data/archive-page-110021.md",
    "data/timeline.yml",
    "data/deliveries.yml",
]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")

# The small project's editions: one for students and one for teachers, of every page.
EDITIONS = """    editions:
      - name: student
        title: Student edition
        audience: student
        solutions: after
        pages: [index.md, telegram.md, questions.md, glossary.md, sources.md]
      - name: teacher
        title: Teacher edition
        audience: teacher
        answer_lines: false
        pages: [index.md, telegram.md, questions.md, glossary.md, sources.md]
"""

NAV = """nav:
  - Overview: index.md
  - The telegram: telegram.md
  - Questions: questions.md
  - Glossary: glossary.md
  - Sources: sources.md
"""

GLOSSARY = """- id: fond
  term: fond
  definition: The largest unit of an archive, holding the records of one body or person.
- id: telegram
  term: telegram
  definition: A message sent by wire or radio and handed over as written text.
"""

INDEX = """# Overview

The module is about one telegram.[^first] It was sent in December 1952 and kept in a
[fond](glossary.md#fond) of the archive.[^second] Read [¶5](telegram.md#p5) first.[^third]

<!-- handouts -->

[^first]: Note alpha about the telegram. [@{key1}]
[^second]: Note beta about the archive. [@{key2}]
[^third]: Note gamma about the fifth paragraph. [@{key1}, p. 84]
"""

QUESTIONS = """# Questions

### 1. What did Stalin promise? {{ #q1 data-answer-lines="3" }}

Read [¶5](telegram.md#p5) and list the goods.

/// teacher | Suggested answer
About one quarter of what Mao asked for, delivered in equal shipments through the year.
///

### 2. Why then? {{ #q2 data-answer-lines="2" }}

Think about the war in Korea.
"""


def telegram_page(key):
    """The telegram page: the archive's text, verbatim, in the module's markup (¶1–¶7, one footnote)."""
    from telegram import canonical_paragraphs

    blocks = canonical_paragraphs()
    first = next(i for i, block in enumerate(blocks) if block.startswith("We have received"))
    lines = ["# The telegram", "", '<div class="telegram" markdown>', ""]
    for index, block in enumerate(blocks):
        text = block.replace("\n", "  \n")
        if index == first:
            text += "[^received]"
        if first <= index < first + 7:
            text += f"\n{{ #p{index - first + 1} }}"
        lines += [text, ""]
    lines += ["</div>", "", f"[^received]: The telegram of 17 December. [@{key}]", ""]
    return "\n".join(lines)


def make(folder):
    """Write the small project into `folder` (which must not exist yet); returns its path."""
    folder = Path(folder)
    for name in COPIED:
        source, target = ROOT / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=IGNORED)
        else:
            shutil.copy2(source, target)
    entries = json.loads((ROOT / "data" / "bibliography.json").read_text(encoding="utf-8"))[:2]
    key1, key2 = entries[0]["id"], entries[1]["id"]
    (folder / "data" / "bibliography.json").write_text(
        json.dumps(entries, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "data" / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^nav:\n(?:[ \t]+-.*\n)+", NAV, config, flags=re.MULTILINE)
    config = re.sub(r"^    editions:\n(?:(?:      .*)?\n)+", EDITIONS, config, flags=re.MULTILINE)
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    docs = folder / "docs"
    pages = {
        "index.md": INDEX.format(key1=key1, key2=key2),
        "telegram.md": telegram_page(key1),
        "questions.md": QUESTIONS.format(),
        "glossary.md": "# Glossary\n\n<!-- glossary -->\n",
        "sources.md": "# Sources\n\n<!-- bibliography -->\n",
    }
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    return folder


def edit(path, old, new, count=1):
    """Replace `old` by `new` in a file, insisting that `old` is there (so a test cannot pass by accident)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def fails_with(result, *expected):
    """The run failed and its output holds each expected piece of the message, verbatim, and no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"expected a failure, got exit 0:\n{output}"
    for text in expected:
        assert text in output, f"{text!r} not in:\n{output}"
    assert "Traceback" not in output, output
    return output
