#!/usr/bin/env python3
"""Render the handout PDFs again from an existing build, without building the site:
    .venv/bin/python scripts/render_handouts.py [--site site] [--config mkdocs.yml]
(`mkdocs build` does this itself through hooks/pdf_handouts.py; the renderer is the package in src/handouts.)"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", default=None, help="the built site folder (default: site_dir of the configuration)")
    parser.add_argument(
        "--config",
        default=str(ROOT / "mkdocs.yml"),
        help="mkdocs.yml (student editions) or mkdocs.teacher.yml (teacher editions)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    from handouts.build import render_all
    from handouts.errors import HandoutError

    try:
        config = load_config(args.config)
        config = config.plugins.on_config(config)  # as in a build: the offline plugin sets the page URLs
        render_all(config, args.site)
    except HandoutError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
