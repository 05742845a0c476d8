"""Handouts: after every `mkdocs build` (and so `gh-deploy` and Read the Docs), render this build's editions
(mkdocs.yml, extra.handouts.editions: the student ones for the student site, the teacher ones for
mkdocs.teacher.yml) into <site>/handouts/, and put their download links where a page has `<!-- handouts -->`
and the teacher's "What to print" table where it has `<!-- what-to-print -->`.

`mkdocs serve` does not hold up a saved edit for the PDFs: it remakes the preview editions (`preview: true`,
the class packet) in a background process after each rebuild; `./scripts/build` makes them all.
`HANDOUTS=0 mkdocs build` (or `HANDOUTS=0 ./scripts/build`) skips them: a quick check of the website alone.
"""

import logging
import os
import shutil
import time
from pathlib import Path

from mkdocs.exceptions import PluginError

import handouts.build
import handouts.preview
from handouts.errors import HandoutError
from handouts.what_to_print import MARKER as WHAT_TO_PRINT

log = logging.getLogger("mkdocs.hooks.handouts")
MARKER = "<!-- handouts -->"
state = {"serving": False, "previewing": False, "files": None}


def on_startup(command, dirty):
    # "serving" means: no PDFs in the build itself. HANDOUTS=0 asks for the same in a build (benchmarks, checks).
    off = os.environ.get("HANDOUTS", "1").strip() in ("0", "no", "false", "off")
    state["serving"] = command == "serve" or off
    state["previewing"] = command == "serve" and not off


def on_shutdown():
    _stop_preview()


def on_files(files, config):
    state["files"] = files
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        if MARKER in markdown:
            links = handouts.build.handout_links(config)
            if state["serving"]:
                made = handouts.preview.made_at(config["config_file_path"]) if state["previewing"] else None
                links += (
                    '\n<p class="handout-note">This preview remakes only the class packet, in the background a '
                    "few seconds after each saved edit (reload to fetch it"
                    + (f"; last made at {made}" if made else "")
                    + "); run <code>./scripts/build</code> for "
                    "every handout.</p>"
                )
            markdown = markdown.replace(MARKER, links)
        if WHAT_TO_PRINT in markdown:
            markdown = markdown.replace(
                WHAT_TO_PRINT, "" if state["serving"] else handouts.build.what_to_print_table(config)
            )
    except HandoutError as error:
        raise PluginError(str(error)) from None
    return markdown


def on_post_build(config):
    if state["previewing"]:
        _start_preview(config)
        return
    if state["serving"]:
        log.info("Handouts are not rendered by `mkdocs serve` or with HANDOUTS=0; run ./scripts/build to make them.")
        return
    try:
        handouts.build.render_all(config, files=state["files"], log=log.info)
    except HandoutError as error:
        raise PluginError(str(error)) from None


def _start_preview(config):
    """Send this build's snapshot to the preview process (started with the first one, kept while serving)."""
    folder = handouts.preview.folder(config["config_file_path"], config["extra"].get("audience", "student"))
    if folder is None:
        return
    if not handouts.preview.worker.running():  # snapshots a stopped server left behind
        for stale in folder.glob("site*"):
            shutil.rmtree(stale, ignore_errors=True)
    snapshot = folder / f"site-{time.time_ns()}"
    site = Path(config["site_dir"])
    try:
        shutil.copytree(site, snapshot, ignore=shutil.ignore_patterns("handouts"))
    except OSError:
        shutil.rmtree(snapshot, ignore_errors=True)
        return
    handouts.preview.copy_last_made(config["config_file_path"], site)
    handouts.preview.worker.request(config["config_file_path"], str(snapshot), str(site))


def _stop_preview():
    handouts.preview.worker.stop()
