"""Unchanged handouts are not laid out again: a PDF is kept with a record of everything it was made from,
in a private folder of the user's own (never the shared temporary folder, where another account could read
a teacher edition or plant a student one).

The key covers the edition's HTML, the print stylesheet, the paper, the renderer's code and the versions of
every library that draws or writes a PDF. Every file the render loaded (images, fonts) is listed with its
SHA-256 beside the PDF and checked again before reuse, and so is the PDF's own checksum: a cache entry that
does not match exactly is not used. HANDOUT_CACHE=0 turns the cache off; HANDOUT_CACHE_DIR moves it (the
test suite gives itself an empty one).
"""

import hashlib
import importlib.metadata
import json
import os
import re
import stat
import sys
from pathlib import Path

from .files import write_atomically

PACKAGE = Path(__file__).resolve().parent
KEPT = 24


def private_folder(name):
    """<cache>/stalin-mao-handouts/<name>, created 0700 and owned by this user, or None if that cannot be
    made safe (then nothing is cached)."""
    base = os.environ.get("HANDOUT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "stalin-mao-handouts"
    )
    folder = Path(base) / name
    try:
        for path in (Path(base), folder):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = path.stat()
            if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
                return None  # someone else's, or readable by others: not ours to trust
    except OSError:
        return None
    return folder


def enabled():
    return os.environ.get("HANDOUT_CACHE", "1").strip() not in ("0", "no", "false", "off")


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def library_versions():
    """The versions of everything between the HTML and the PDF's bytes, and whether HarfBuzz subsets fonts."""
    import fontTools
    import pikepdf
    import pydyf
    import weasyprint
    from weasyprint.text import ffi

    libraries = []
    try:  # the shared libraries really loaded (Pango, HarfBuzz and its subsetter, FreeType, fontconfig)
        maps = Path("/proc/self/maps").read_text()
        for path in sorted(set(re.findall(r"(/\S*(?:pango|harfbuzz|freetype|fontconfig|qpdf)\S*\.so[.\d]*)", maps))):
            info = os.stat(path)
            libraries.append(f"{path}:{info.st_size}:{int(info.st_mtime)}")
    except OSError:
        libraries.append(f"pango {ffi.pango.pango_version()}")
    # Every Python package of the environment (WeasyPrint, pydyf, pikepdf, fontTools, Pillow, tinycss2, lxml …).
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    return {
        "python": sys.version.split()[0],
        "weasyprint": weasyprint.__version__,
        "pydyf": pydyf.__version__,
        "pikepdf": pikepdf.__version__,
        "qpdf": pikepdf.__libqpdf_version__,
        "fonttools": fontTools.version,
        "harfbuzz-subset": ffi.harfbuzz_subset is not None,
        "pango": ffi.pango.pango_version(),
        "libraries": libraries,
        "packages": packages,
    }


def key(parts):
    digest = hashlib.sha256()
    code = "".join(path.read_text(encoding="utf-8") for path in sorted(PACKAGE.glob("*.py")))
    for part in [*parts, code, json.dumps(library_versions(), sort_keys=True)]:
        digest.update(str(part).encode("utf-8") + b"\0")
    return digest.hexdigest()[:40]


def _in_site(path, site_dir):
    """A file of the built site is recorded relative to it ("site:assets/map.png"): the next build checks the
    file of its own site, which may be another folder."""
    site = str(Path(site_dir).resolve()) + "/"
    return f"site:{path[len(site) :]}" if path.startswith(site) else path


def _from_record(name, site_dir):
    return str(Path(site_dir).resolve() / name.removeprefix("site:")) if name.startswith("site:") else name


def lookup(cache_key, site_dir):
    """(pdf bytes, record) made from exactly these sources, or None."""
    folder = private_folder("pdfs") if enabled() else None
    if folder is None:
        return None
    record_path, pdf_path = folder / f"{cache_key}.json", folder / f"{cache_key}.pdf"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        data = pdf_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != record["sha256"]:
            return None
        for name, digest in record["fetched"].items():
            if sha256_file(_from_record(name, site_dir)) != digest:
                return None  # an image or font changed under the same name
    except (OSError, ValueError, KeyError, TypeError):
        return None
    os.utime(record_path)  # recently used: kept by the pruning below
    return data, record


def store(cache_key, data, fetched, pages, site_dir):
    folder = private_folder("pdfs") if enabled() else None
    if folder is None:
        return
    try:
        record = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "pages": pages,
            "fetched": {_in_site(path, site_dir): digest for path, digest in sorted(fetched.items())},
        }
        write_atomically(folder / f"{cache_key}.pdf", data, mode=0o600)
        write_atomically(folder / f"{cache_key}.json", json.dumps(record).encode("utf-8"), mode=0o600)
        for old in sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime)[:-KEPT]:
            old.unlink(missing_ok=True)
            old.with_suffix(".pdf").unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower
