"""Load the module's data files (data/) once, with errors that name the file and say what to do.

Imported by the hooks; not a hook itself.
"""

import json
from pathlib import Path

import jinja2
import yaml
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Results kept for the life of the process. `mkdocs serve` loads the hooks afresh for every rebuild, but
# not this module, so a hook can skip work whose inputs have not changed since the last rebuild.
MEMO = {}


class TemplateMemo(jinja2.BytecodeCache):
    """Compiled theme templates in MEMO, checked against each template's source (see hooks/theme_fixes.py)."""

    def load_bytecode(self, bucket):
        code = MEMO.get(("template", bucket.key, bucket.checksum))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        MEMO[("template", bucket.key, bucket.checksum)] = bucket.bytecode_to_string()


BUILD_AUDIENCES = ("student", "teacher")     # extra.audience: who a build is for
PAGE_AUDIENCES = ("all", "teacher")          # a page's `audience:`; "all" when the key is absent
FRONT_MATTER_KEYS = ("description", "audience", "handout", "title")


def front_matter(path):
    """A page's front matter, read strictly: this decides who sees the page, so anything it cannot read
    stops the build, naming the file and line. (MkDocs itself drops front matter it cannot parse.)"""
    where = relative(path)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        fail(f"{where}:{line}", "is not saved as UTF-8 (perhaps Windows-1252). Open it in your editor and save "
             "it again with the encoding 'UTF-8'.")
    text = text.removeprefix("\ufeff")          # Notepad's byte-order mark: MkDocs reads utf-8-sig too
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}
    end = next((number for number, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None)
    if end is None:
        fail(f"{where}:1", "the front matter that starts with '---' on line 1 is never closed; add a line with "
             "only '---' after it.")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        fail(f"{where}:{mark.line + 2 if mark else 1}", f"the front matter is not valid YAML "
             f"({getattr(error, 'problem', None) or error}); put a value that holds ': ' in quotes, for example "
             "title: \"Teacher's guide: answers\".")
    if not isinstance(meta, dict):
        fail(f"{where}:2", "the front matter must be lines of 'key: value'.")
    for key, value in meta.items():
        line = next((number + 1 for number, text in enumerate(lines[1:end], 1)
                     if text.split(":", 1)[0].strip() == str(key)), 2)
        if key not in FRONT_MATTER_KEYS:
            fail(f"{where}:{line}", f"unknown front-matter key {key!r}; the keys are {', '.join(FRONT_MATTER_KEYS)} "
                 "(all lowercase).")
        if key == "audience" and value not in PAGE_AUDIENCES:
            fail(f"{where}:{line}", f"'audience: {value}' is not one of {', '.join(PAGE_AUDIENCES)} (lowercase).")
        if key == "handout" and value not in (True, False):
            fail(f"{where}:{line}", "'handout' must be true or false.")
    return meta


def fail(where, message):
    """Stop the build with `where: message` (where is 'file' or 'file:line')."""
    raise PluginError(f"{where}: {message}")


def relative(path):
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def source_line(page, markdown, offset):
    """'docs/x.md:N' for a character offset in the page's Markdown (front matter counted)."""
    raw = Path(page.file.abs_src_path).read_text(encoding="utf-8")
    front_matter_lines = len(raw.splitlines()) - len(markdown.splitlines())
    line = markdown.count("\n", 0, offset) + 1 + max(front_matter_lines, 0)
    return f"docs/{page.file.src_uri}:{line}"


def load_yaml(name, required_keys):
    path = DATA / name
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(relative(path), "file is missing; restore it from git (`git checkout -- data/`).")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{relative(path)}:{mark.line + 1}" if mark else relative(path)
        fail(where, f"is not valid YAML ({getattr(error, 'problem', error)}); check the indentation and quotes.")
    if not isinstance(entries, list):
        fail(relative(path), "must be a YAML list of entries, each starting with '- '.")
    for number, entry in enumerate(entries, 1):
        missing = [key for key in required_keys if not isinstance(entry, dict) or entry.get(key) in (None, "")]
        if missing:
            fail(relative(path), f"entry {number} has no {', '.join(missing)}; every entry needs {', '.join(required_keys)}.")
    return entries


def load_bibliography():
    path = DATA / "bibliography.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(relative(path), "file is missing; restore it from git (`git checkout -- data/`).")
    except json.JSONDecodeError as error:
        fail(f"{relative(path)}:{error.lineno}", f"is not valid JSON ({error.msg} at column {error.colno}); "
             "look for a missing comma or quote.")
    if not isinstance(entries, list):
        fail(relative(path), "must be a JSON array of CSL-JSON entries.")
    seen = set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("type") or not entry.get("title"):
            fail(relative(path), f"entry {number} needs at least an 'id', a 'type' and a 'title'.")
        if entry["id"] in seen:
            fail(relative(path), f"the key '{entry['id']}' is used twice; keys must be unique.")
        seen.add(entry["id"])
    return entries


def load_glossary():
    entries = load_yaml("glossary.yml", ("id", "term", "definition"))
    glossary = {}
    for entry in entries:
        if entry["id"] in glossary:
            fail("data/glossary.yml", f"the id '{entry['id']}' is used twice; ids must be unique.")
        glossary[str(entry["id"])] = entry
    return glossary
