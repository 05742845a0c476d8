"""One change to WeasyPrint 70.0 so that a footnote already placed on a page stays on its call's page.

What WeasyPrint 70.0 does: in weasyprint/layout/block.py, _linebox_layout, when a line of a paragraph does
not fit on the page, and the page may end after that line but not before it (orphans and widows), WeasyPrint
"tries to report footnotes": it moves the notes already placed at the foot of this page, the last first, to
the next page until the line fits. Their calls stay on this page, so each of those notes is printed a page
after its call, or on no page when the document ends first. In the handouts that was 2-3 notes in 3 of 4 PDFs,
and each cost a second layout of the whole document (the footnote check and its correction in the renderer).

The change: that branch is never taken (`report = False` instead of its condition). The line then goes where
every other line that does not fit goes (_break_line): the page ends where orphans and widows allow, or the
paragraph moves to the next page, with its calls and their notes. Notes are still reported as before when
their own call's line does not fit with them; only notes that were already placed stay put.

apply() makes the change only on the exact version pinned in requirements.txt and only if the function's
source is the one this change was written for (its SHA-256); anywhere else it changes nothing and returns
False, so a newer WeasyPrint runs as it is and the renderer's footnote check and correction still catch
what it does. tests/test_weasyprint_fix.py shows the behaviour with the change and without it.
"""

import hashlib
import inspect

PINNED_VERSION = "70.0"
# SHA-256 of inspect.getsource(weasyprint.layout.block._linebox_layout) in WeasyPrint 70.0
SOURCE_SHA256 = "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d"
BRANCH = "report = not context.in_column and can_break_now and not could_break_before"
FIXED_BRANCH = "report = False  # handouts.weasyprint_fix: notes already placed stay on their call's page"

_original = {}


def apply():
    """Patch WeasyPrint's line layout if it is the pinned version with the expected source. True if patched."""
    import weasyprint
    from weasyprint.layout import block

    if _original:
        return True
    if weasyprint.__version__ != PINNED_VERSION:
        return False
    function = block._linebox_layout
    source = inspect.getsource(function)
    if hashlib.sha256(source.encode()).hexdigest() != SOURCE_SHA256 or source.count(BRANCH) != 1:
        return False
    first_line = function.__code__.co_firstlineno
    # Compiled with block.py's name and line numbers, so that a traceback points into block.py as before.
    code = compile("\n" * (first_line - 1) + source.replace(BRANCH, FIXED_BRANCH), block.__file__, "exec")
    defined = {}
    exec(code, block.__dict__, defined)  # noqa: S102 (WeasyPrint's own source, checked by its hash above)
    _original["_linebox_layout"] = function
    block._linebox_layout = defined["_linebox_layout"]
    return True


def revert():
    """Undo apply() (for the tests, which compare WeasyPrint with and without the change)."""
    from weasyprint.layout import block

    if _original:
        block._linebox_layout = _original.pop("_linebox_layout")


def applied():
    return bool(_original)
