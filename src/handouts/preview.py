"""`mkdocs serve` remakes the preview editions (`preview: true` in mkdocs.yml, the class packet) in the
background after each saved edit, so that a teacher sees the PDF they will photocopy without a full build.

hooks/pdf_handouts.py starts this module as a separate process on a snapshot of the freshly built site (the
server may clean its own folder for the next edit while the PDF is being laid out):
    python -m handouts.preview CONFIG SNAPSHOT SERVED_SITE
It renders into the snapshot, keeps the PDFs as the last made ones, and copies them into the served site.
"""

import hashlib
import shutil
import sys
import time
from pathlib import Path

from .cache import private_folder
from .errors import HandoutError

DONE = "made.txt"


def folder(config_file, name):
    """A private folder of this project's and audience's previews (two serves, or two checkouts, do not mix)."""
    key = hashlib.sha256(str(Path(config_file).resolve()).encode("utf-8")).hexdigest()[:12]
    return private_folder(f"preview-{key}-{name}")


def last_made(config_file):
    """The folder holding the PDFs most recently made by a preview, or None."""
    return folder(config_file, "last")


def made_at(config_file):
    last = last_made(config_file)
    done = last / DONE if last else None
    return time.strftime("%H:%M:%S", time.localtime(done.stat().st_mtime)) if done and done.is_file() else None


def copy_last_made(config_file, site_dir):
    """Put the PDFs of the last preview into a freshly built site at once (the new ones follow)."""
    last = last_made(config_file)
    if last is None:
        return
    for pdf in last.glob("*.pdf"):
        target = Path(site_dir) / "handouts" / pdf.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, target)


def main(argv):
    config_file, snapshot, served = argv
    from mkdocs.config import load_config

    from . import editions
    from .build import render_all

    started = time.perf_counter()
    config = load_config(config_file)
    config = config.plugins.on_config(config)
    names = {edition.name for edition in editions.load(config)[0] if edition.preview}
    try:
        results = render_all(config, snapshot, only=names, log=lambda message: None)
    except HandoutError as error:
        print(f"Preview handout not made: {error}", file=sys.stderr)
        return 1
    last = last_made(config_file)
    for path, _, _ in results:
        if last:
            shutil.copyfile(path, last / Path(path).name)
        try:  # the server may be cleaning its folder for the next edit: then that build copies them
            target = Path(served) / "handouts" / Path(path).name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        except OSError:
            pass
    if last:
        (last / DONE).write_text(f"{time.perf_counter() - started:.1f} s\n")
    print(
        f"Preview handouts remade in {time.perf_counter() - started:.1f} s: "
        + ", ".join(Path(path).name for path, _, _ in results),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
