"""The benchmark behind scripts/benchmark (run that: it sets up .venv first). Numbers, not pass/fail tests.

Each measurement runs several times and the table shows the median. Comparisons use ratios measured in
this same run, because a shared machine's speed changes from minute to minute.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NOT_COPIED = (".git", ".venv", "site", ".site-*", "node_modules", "__pycache__", ".pytest_cache")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
MAX_PDF_KB = 400
MAX_EDIT_SECONDS = 1.5
MAX_COLD_RATIO = 6  # every edition in every paper, against the two sites alone
MAX_WARM_RATIO = 1.3  # sources unchanged
MAX_REWRITE_SECONDS = 4  # one saved edit to a shared page: every handout rewritten
MAX_PREVIEW_SECONDS = 3  # one saved edit: the class packet's PDF remade under ./scripts/serve
MAX_PEAK_MB = 250
# Runs a command and reports the peak memory (resident set) of the largest process it started.
PEAK = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print('peak-kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def copy_project(folder):
    """The project without .git, site/, builds and caches, with the working tree's .venv (a symlink)."""
    shutil.copytree(ROOT, folder, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED))
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def timed(command, cwd, env):
    """(seconds, peak KB) of one command; stops the benchmark if it fails."""
    start = time.perf_counter()
    # In a session of its own, so that a stopped benchmark stops the build and its render workers too.
    process = subprocess.Popen(
        [sys.executable, "-c", PEAK, *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        stop_group(process)
        raise
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed:\n{stdout}\n{stderr}")
    return seconds, int(re.findall(r"peak-kb (\d+)", stderr)[-1])


def stop_group(process):
    """Stop a process started with start_new_session=True, and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def mkdocs_build(project, site, handouts, caches):
    """Both builds, as ./scripts/build makes them: the student site, then the teacher's copy (which counts the
    student PDFs); the renderer keeps its font and PDF caches in `caches`. (seconds, peak KB)"""
    caches.mkdir(mode=0o700, exist_ok=True)
    env = {
        **ENV,
        "HANDOUTS": "1" if handouts else "0",
        "TMPDIR": str(caches),
        "HANDOUT_CACHE_DIR": str(caches),
        "STUDENT_SITE_DIR": str(site / "site"),
    }
    mkdocs = str(ROOT / ".venv" / "bin" / "mkdocs")
    student = timed([mkdocs, "build", "--site-dir", str(site / "site")], project, env)
    teacher = timed(
        [mkdocs, "build", "-f", "mkdocs.teacher.yml", "--site-dir", str(site / "teacher-only")], project, env
    )
    return student[0] + teacher[0], max(student[1], teacher[1])


def each_render(project, site):
    """Seconds to render each student handout alone, in this process (fonts and stylesheets already loaded,
    as in a worker after its first PDF)."""
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    from mkdocs.config import load_config

    from handouts import build, editions
    from handouts import project as handouts_project
    from handouts.print_html import edition_html

    config = load_config(str(project / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    handouts_project.use(config)
    chosen, papers = editions.for_audience(config, "student")
    built = build.built_pages(site)
    times = {}
    for edition in chosen:
        document = edition_html(site, edition, built, config)
        for paper in papers:
            output = Path(tempfile.mkdtemp()) / "handout.pdf"
            start = time.perf_counter()
            build.render_pdf(document, str(site), edition, paper, output)
            times[edition.pdf_name(paper)] = time.perf_counter() - start
            shutil.rmtree(output.parent, ignore_errors=True)
    return times


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def edit_to_page(project, runs, extra_args=(), caches=None):
    """Seconds from saving docs/index.md to the served page showing the change, under ./scripts/serve, and to
    the class packet's PDF being remade there."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**ENV, "HANDOUT_CACHE_DIR": str(caches)} if caches else ENV
    server = subprocess.Popen(
        ["bash", "scripts/serve", "--dev-addr", f"127.0.0.1:{port}", *extra_args],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while fetch(url) is None:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("benchmark: ./scripts/serve did not start")
            time.sleep(0.1)
        page = project / "docs" / "packet" / "index.md"
        original = page.read_text(encoding="utf-8")
        pdf_url = url + "handouts/stalin-mao-1952-packet-a4.pdf"
        times, previews = [], []
        time.sleep(8)  # the first preview of the packet, after the server starts
        for run in range(runs):
            marker = f"Benchmark edit {run} {time.time_ns()}"
            time.sleep(1.0)  # let the previous rebuild and reload settle
            before = fetch_bytes(pdf_url)
            page.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            saved = time.perf_counter()
            while marker not in (fetch(url + "packet/index.html") or ""):
                if time.perf_counter() - saved > 30:
                    sys.exit("benchmark: the edit did not show within 30 s")
                time.sleep(0.02)
            times.append(time.perf_counter() - saved)
            while fetch_bytes(pdf_url) in (before, None):
                if time.perf_counter() - saved > 60:
                    sys.exit("benchmark: the packet's PDF was not remade within 60 s")
                time.sleep(0.05)
            previews.append(time.perf_counter() - saved)
        page.write_text(original, encoding="utf-8")
        return times, previews
    finally:
        stop_group(server)


def fetch_bytes(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read()
    except OSError:
        return None


def pdf_facts(site):
    import pikepdf

    facts = {}
    for path in sorted(site.glob("*/handouts/*.pdf")):
        with pikepdf.open(path) as pdf:
            descriptors = [
                obj
                for obj in pdf.objects
                if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
            ]
            embedded = all(
                any(d.get(key) is not None for key in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors
            )
            facts[path.name] = (path.stat().st_size / 1024, len(pdf.pages), embedded, len(descriptors))
    return facts


def median(values):
    return statistics.median(values)


def stop_on_sigterm():
    """A timeout (SIGTERM) ends the benchmark as Ctrl-C does: through the `finally`s that stop `mkdocs serve`
    and any build still running, and remove the temporary copies."""
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))


def main():
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description="Benchmark the build, the handouts and the preview server.")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (default 3)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="benchmark-"))
    try:
        project = copy_project(work / "project")
        rows = measure(project, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(rows, args.runs)


def measure(project, work, runs):
    cold, site_only, warm, rewrite, peaks = [], [], [], [], []
    telegram = project / "docs" / "telegram.md"
    original = telegram.read_text(encoding="utf-8")
    for run in range(runs):
        print(f"run {run + 1}/{runs}: cold full build, sites alone, again unchanged, after one edit", file=sys.stderr)
        caches = work / f"caches{run}"  # new and empty: no decompressed fonts, no PDFs from before
        seconds, peak = mkdocs_build(project, work / f"full{run}", True, caches)
        cold.append(seconds)
        peaks.append(peak)
        site_only.append(mkdocs_build(project, work / f"site{run}", False, caches)[0])
        # The same sources again: unchanged handouts come from the cache, as in everyday ./scripts/build.
        warm.append(mkdocs_build(project, work / f"warm{run}", True, caches)[0])
        # One saved edit to a page every edition holds: every handout is made again.
        telegram.write_text(original.replace("## Commentary", f"Edited {run}.\n\n## Commentary", 1), encoding="utf-8")
        rewrite.append(mkdocs_build(project, work / f"edit{run}", True, caches)[0])
        telegram.write_text(original, encoding="utf-8")
    print("each handout's render", file=sys.stderr)
    renders = [each_render(project, work / "full0" / "site") for _ in range(runs)]
    print("saved edit to served page and to the packet's PDF", file=sys.stderr)
    edits, previews = edit_to_page(project, max(runs, 3), caches=work / "caches-serve")
    return {
        "cold": cold,
        "site": site_only,
        "warm": warm,
        "rewrite": rewrite,
        "peaks": peaks,
        "renders": renders,
        "edits": edits,
        "previews": previews,
        "pdfs": pdf_facts(work / "full0"),
    }


def print_table(rows, runs):
    cold, site, warm = median(rows["cold"]), median(rows["site"]), median(rows["warm"])
    ratios = [c / s for c, s in zip(rows["cold"], rows["site"])]
    warm_ratios = [w / s for w, s in zip(rows["warm"], rows["site"])]
    edit, preview, rewrite = median(rows["edits"]), median(rows["previews"]), median(rows["rewrite"])
    lines = [
        ("Measurement", f"median of {runs}", "target", "met"),
        ("Full build, cold (both sites + every edition, no caches)", f"{cold:.2f} s", "", ""),
        ("Both sites alone (HANDOUTS=0)", f"{site:.2f} s", "", ""),
        (
            "  cold full build / sites alone",
            f"{median(ratios):.2f} ×",
            f"≤ {MAX_COLD_RATIO} ×",
            yes(median(ratios) <= MAX_COLD_RATIO),
        ),
        ("Full build again, sources unchanged (PDF cache)", f"{warm:.2f} s", "", ""),
        (
            "  repeat full build / sites alone",
            f"{median(warm_ratios):.2f} ×",
            f"≤ {MAX_WARM_RATIO} ×",
            yes(median(warm_ratios) <= MAX_WARM_RATIO),
        ),
        ("Full build after one edit to the telegram page (every edition)", f"{rewrite:.2f} s", "", ""),
        (
            "  of which: handouts rewritten (minus the sites alone)",
            f"{rewrite - site:.2f} s",
            f"≤ {MAX_REWRITE_SECONDS} s",
            yes(rewrite - site <= MAX_REWRITE_SECONDS),
        ),
    ]
    for name in rows["renders"][0]:
        lines.append((f"Render {name}", f"{median([r[name] for r in rows['renders']]):.2f} s", "", ""))
    lines.append(
        (
            "Saved edit → served page (./scripts/serve)",
            f"{edit:.2f} s",
            f"≤ {MAX_EDIT_SECONDS} s",
            yes(edit <= MAX_EDIT_SECONDS),
        )
    )
    lines.append(
        (
            "Saved edit → class packet's PDF remade (./scripts/serve)",
            f"{preview:.2f} s",
            f"≤ {MAX_PREVIEW_SECONDS} s",
            yes(preview <= MAX_PREVIEW_SECONDS),
        )
    )
    peak = median(rows["peaks"]) / 1024
    lines.append(
        (
            "Peak memory, largest process (cold full build)",
            f"{peak:.0f} MB",
            f"≤ {MAX_PEAK_MB} MB",
            yes(peak <= MAX_PEAK_MB),
        )
    )
    for name, (kb, pages, embedded, fonts) in rows["pdfs"].items():
        lines.append(
            (
                f"{name}: size, pages",
                f"{kb:.0f} KB, {pages} pages",
                f"< {MAX_PDF_KB} KB, fonts embedded",
                yes(kb < MAX_PDF_KB and embedded),
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(4)]
    for number, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths)) + " |")
        if number == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    print(f"\n{os.cpu_count()} cores; each row is the median of {runs} runs (edits: {len(rows['edits'])}).")


def yes(condition):
    return "yes" if condition else "NO"


if __name__ == "__main__":
    main()
