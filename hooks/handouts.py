"""Handouts: after every `mkdocs build` (and so `gh-deploy` and Read the Docs), render the student and
teacher PDFs into <site>/handouts/ and put their download links where a page has `<!-- handouts -->`.

`mkdocs serve` skips the PDFs so that a saved edit shows at once; `./scripts/build` makes them.
`HANDOUTS=0 mkdocs build` (or `HANDOUTS=0 ./scripts/build`) skips them too: a quick check of the website alone.
"""

import logging
import os
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import render_handouts  # noqa: E402  (lives in scripts/ so it can also run on its own)

log = logging.getLogger("mkdocs.hooks.handouts")
MARKER = "<!-- handouts -->"
serving = False


def on_startup(command, dirty):
    global serving
    # "serving" means: no PDFs this time. HANDOUTS=0 asks for the same in a build (benchmarks, quick checks).
    serving = command == "serve" or os.environ.get("HANDOUTS", "1").strip() in ("0", "no", "false", "off")


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    links = render_handouts.handout_links()
    if serving:
        links += ('\n<p class="handout-note">This preview does not make the PDFs; run '
                  "<code>./scripts/build</code> to make them.</p>")
    return markdown.replace(MARKER, links)


def on_post_build(config):
    if serving:
        log.info("Handouts are not rendered by `mkdocs serve` or with HANDOUTS=0; run ./scripts/build to make them.")
        return
    try:
        render_handouts.render_all(config, log=log.info)
    except render_handouts.HandoutError as error:
        raise PluginError(str(error)) from None
