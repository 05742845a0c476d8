"""The print fonts: print/handout.css with its WOFF2 fonts swapped for decompressed copies, kept in the
user's private cache (WeasyPrint decodes WOFF2 in Python: 2–3 s in every process, every build; the same
glyphs and the same PDF either way)."""

import hashlib
import io
import re

from . import project
from .cache import private_folder
from .errors import HandoutError
from .files import write_atomically

FONT_URL = re.compile(r'url\("\.\./docs/assets/fonts/([^"]+)"\)')
FONT_FAMILY = re.compile(r'@font-face\s*\{[^}]*font-family:\s*"([^"]+)"')


def read_stylesheet():
    try:
        return project.stylesheet().read_text(encoding="utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as error:
        raise HandoutError(
            f"print/handout.css cannot be read ({error}); restore it with `git checkout -- print/handout.css`."
        ) from None


def print_stylesheet():
    """(the stylesheet WeasyPrint is given, the stylesheet as written)."""
    source = read_stylesheet()
    css = source
    for name in FONT_URL.findall(source):
        if not (project.fonts() / name).is_file():
            raise HandoutError(
                f"docs/assets/fonts/{name} is missing (print/handout.css uses it). Restore it with "
                f"`git checkout -- docs/assets/fonts/{name}`."
            )
        decompressed = _decompressed(project.fonts() / name)
        if decompressed:
            css = css.replace(f'url("../docs/assets/fonts/{name}")', f'url("{decompressed.as_uri()}")')
    return css, source


def cache_folder():
    return private_folder("fonts")


def _decompressed(path):
    folder = cache_folder()
    if folder is None:
        return None  # no private cache: WeasyPrint reads the WOFF2 file, only slower
    data = path.read_bytes()
    if not data.startswith(b"wOF2"):
        return None
    target = folder / f"{path.stem}-{hashlib.sha256(data).hexdigest()[:16]}.{'otf' if b'OTTO' in data[4:8] else 'ttf'}"
    if not target.is_file():
        from fontTools.ttLib import woff2

        out = io.BytesIO()
        woff2.decompress(io.BytesIO(data), out)
        write_atomically(target, out.getvalue(), mode=0o600)  # two builds at once: each renames a whole file
    return target


def shipped_families():
    return set(FONT_FAMILY.findall(read_stylesheet()))


def shipped_characters():
    from fontTools.ttLib import TTFont

    return set().union(*(TTFont(path).getBestCmap() for path in project.fonts().glob("*.woff2")))
