"""`mkdocs serve` remakes the preview editions (`preview: true` in mkdocs.yml, the class packet) in the
background after each saved edit, so that a teacher sees the PDF they will photocopy without a full build.

hooks/pdf_handouts.py starts this module once, as a process of its own that lives as long as the server, and
after each rebuild sends it a snapshot of the freshly built site (the server may clean its own folder for the
next edit while the PDF is being laid out), a line "SNAPSHOT<tab>SERVED_SITE" on its standard input:
    python -m handouts.preview CONFIG
It renders into the snapshot, keeps the PDFs as the last made ones, and copies them into the served site. It
keeps the sections it laid out, so the next edit lays out only the sections that changed (sections.py).
"""

import hashlib
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .cache import private_folder
from .errors import HandoutError


def folder(config_file, name):
    """A private folder of this project's and audience's previews (two serves, or two checkouts, do not mix)."""
    key = hashlib.sha256(str(Path(config_file).resolve()).encode("utf-8")).hexdigest()[:12]
    return private_folder(f"preview-{key}-{name}")


def last_made(config_file):
    """The folder holding the PDFs most recently made by a preview, or None."""
    return folder(config_file, "last")


def made_at(config_file):
    """When the newest preview PDF was made (HH:MM:SS), or None. Read from the PDFs themselves, which are kept
    before they are served: a page built after a PDF is served always says so (a mark written once the
    whole preview was done could come after the next rebuild, which then said nothing)."""
    last = last_made(config_file)
    made = [pdf.stat().st_mtime for pdf in last.glob("*.pdf")] if last else []
    return time.strftime("%H:%M:%S", time.localtime(max(made))) if made else None


def copy_last_made(config_file, site_dir):
    """Put the PDFs of the last preview into a freshly built site at once (the new ones follow)."""
    last = last_made(config_file)
    if last is None:
        return
    for pdf in last.glob("*.pdf"):
        target = Path(site_dir) / "handouts" / pdf.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, target)


class Worker:
    """The preview process, started once per `mkdocs serve` and kept: it keeps its laid-out sections between
    edits, so a saved edit re-lays out only the sections it changed. Each rebuild sends it a snapshot."""

    def __init__(self):
        self.process, self.code = None, None

    def running(self):
        return self.process is not None and self.process.poll() is None

    def request(self, config_file, snapshot, served):
        if self.running() and self.code != renderer_code():
            self.stop()  # the renderer was edited while serving: a new process runs the new code
        if not self.running():
            self.code = renderer_code()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "handouts.preview", config_file], stdin=subprocess.PIPE, text=True
            )
        try:
            self.process.stdin.write(f"{snapshot}\t{served}\n")
            self.process.stdin.flush()
        except OSError:  # it has just stopped (an error it reported): the next edit starts another
            self.process = None

    def stop(self):
        if self.running():
            self.process.stdin.close()  # it ends after the render it is doing
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


worker = Worker()


def renderer_code():
    """When each of the renderer's modules was last saved."""
    return sorted((path.name, path.stat().st_mtime_ns) for path in Path(__file__).parent.glob("*.py"))


def requests(stream):
    """Each request's (snapshot, served site), skipping to the newest when several came in during a render;
    the snapshots of skipped ones are removed."""
    for line in stream:
        while select.select([stream], [], [], 0)[0]:
            newer = stream.readline()
            if not newer:
                break
            shutil.rmtree(line.split("\t")[0], ignore_errors=True)
            line = newer
        snapshot, served = line.rstrip("\n").split("\t")
        yield Path(snapshot), Path(served)


def main(argv):
    (config_file,) = argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then closes our input
    from mkdocs.config import load_config

    from . import editions, sections
    from .build import render_all

    for snapshot, served in requests(sys.stdin):
        started = time.perf_counter()
        last = last_made(config_file)

        def publish(path, last=last, served=served):
            if last:
                shutil.copyfile(path, last / Path(path).name)
            try:  # the server may be cleaning its folder for the next edit: then that build copies them
                target = served / "handouts" / Path(path).name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            except OSError:
                pass

        try:
            config = load_config(config_file)
            config = config.plugins.on_config(config)
            names = {edition.name for edition in editions.load(config)[0] if edition.preview}
            results = render_all(
                config, snapshot, only=names, log=lambda message: None, in_process=True, on_made=publish
            )
        except HandoutError as error:
            print(f"Preview handout not made: {error}", file=sys.stderr)
            continue
        finally:
            sections.forget_unused()
            shutil.rmtree(snapshot, ignore_errors=True)
        print(
            f"Preview handouts remade in {time.perf_counter() - started:.1f} s: "
            + ", ".join(Path(path).name for path, _, _ in results),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
