"""Handouts: after every `mkdocs build` (and so `gh-deploy` and Read the Docs), render this build's editions
(mkdocs.yml, extra.handouts.editions: the student ones for the student site, the teacher ones for
mkdocs.teacher.yml) into <site>/handouts/, and put their download links where a page has `<!-- handouts -->`
and the teacher's "What to print" table where it has `<!-- what-to-print -->`.

`mkdocs serve` skips the PDFs so that a saved edit shows at once; `./scripts/build` makes them.
`HANDOUTS=0 mkdocs build` (or `HANDOUTS=0 ./scripts/build`) skips them too: a quick check of the website alone.
"""

import logging
import os

from mkdocs.exceptions import PluginError

import handouts.build
from handouts.errors import HandoutError
from handouts.what_to_print import MARKER as WHAT_TO_PRINT

log = logging.getLogger("mkdocs.hooks.handouts")
MARKER = "<!-- handouts -->"
state = {"serving": False, "files": None}


def on_startup(command, dirty):
    # "serving" means: no PDFs this time. HANDOUTS=0 asks for the same in a build (benchmarks, quick checks).
    state["serving"] = command == "serve" or os.environ.get("HANDOUTS", "1").strip() in ("0", "no", "false", "off")


def on_files(files, config):
    state["files"] = files
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        if MARKER in markdown:
            links = handouts.build.handout_links(config)
            if state["serving"]:
                links += ('\n<p class="handout-note">This preview does not make the PDFs; run '
                          "<code>./scripts/build</code> to make them.</p>")
            markdown = markdown.replace(MARKER, links)
        if WHAT_TO_PRINT in markdown:
            markdown = markdown.replace(WHAT_TO_PRINT, "" if state["serving"] else
                                        handouts.build.what_to_print_table(config))
    except HandoutError as error:
        raise PluginError(str(error)) from None
    return markdown


def on_post_build(config):
    if state["serving"]:
        log.info("Handouts are not rendered by `mkdocs serve` or with HANDOUTS=0; run ./scripts/build to make them.")
        return
    try:
        handouts.build.render_all(config, files=state["files"], log=log.info)
    except HandoutError as error:
        raise PluginError(str(error)) from None
