"""Two changes to WeasyPrint 70.0: a footnote already placed on a page stays on its call's page, and the notes
of a page are laid out about once each while WeasyPrint measures its footnote area, instead of again for every
note added after them.

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

The second change is for speed only. Each time a call places a note, WeasyPrint measures the page's
footnote area (LayoutContext._update_footnote_area) by laying out a copy of it with every note placed so
far: the tenth note of a page lays out the nine before it again, and that took about half of a handout's
layout time (profiled). While it measures, each note's layout is now kept, keyed by everything it depends on (the note,
the area's width, the note's position and the margins collapsing into it, the floats on the page); a note
met again with the same key is given a copy of that layout. The area laid out at the end of the page, the
one that is drawn, is not affected. The six PDFs are byte-identical with and without this change; a reader
lays out in a quarter less time.

apply() makes both changes only on the exact version pinned in requirements.txt and only if each function's
source is the one they were written for (its SHA-256); anywhere else it changes nothing and returns False,
so a newer WeasyPrint runs as it is and the renderer's footnote check and correction still catch what it
does. tests/test_weasyprint_fix.py shows the behaviour with the changes and without them.
"""

import hashlib
import inspect
from math import inf

PINNED_VERSION = "70.0"
# SHA-256 of inspect.getsource(weasyprint.layout.block._linebox_layout) in WeasyPrint 70.0
SOURCE_SHA256 = "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d"
# ... and of the two functions the second change wraps (their signatures and what they do are relied on)
MEASURE_SHA256 = "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1"  # _update_footnote_area
BLOCK_LAYOUT_SHA256 = "c1301dde9284e24519ee0432b508d6cd79768018d2564d4066f0fdf103982dd6"  # block_level_layout
BRANCH = "report = not context.in_column and can_break_now and not could_break_before"
FIXED_BRANCH = "report = False  # handouts.weasyprint_fix: notes already placed stay on their call's page"

_original = {}


def apply():
    """Make both changes if WeasyPrint is the pinned version with the expected sources. True if made."""
    import weasyprint
    from weasyprint.layout import LayoutContext, block

    if _original:
        return True
    if weasyprint.__version__ != PINNED_VERSION:
        return False
    function = block._linebox_layout
    source = inspect.getsource(function)
    if _sha256(function) != SOURCE_SHA256 or source.count(BRANCH) != 1:
        return False
    if _sha256(LayoutContext._update_footnote_area) != MEASURE_SHA256:
        return False
    if _sha256(block.block_level_layout) != BLOCK_LAYOUT_SHA256:
        return False
    first_line = function.__code__.co_firstlineno
    # Compiled with block.py's name and line numbers, so that a traceback points into block.py as before.
    code = compile("\n" * (first_line - 1) + source.replace(BRANCH, FIXED_BRANCH), block.__file__, "exec")
    defined = {}
    exec(code, block.__dict__, defined)  # noqa: S102 (WeasyPrint's own source, checked by its hash above)
    _original["_linebox_layout"] = function
    block._linebox_layout = defined["_linebox_layout"]
    _original["_update_footnote_area"] = LayoutContext._update_footnote_area
    _original["block_level_layout"] = block.block_level_layout
    LayoutContext._update_footnote_area = _measuring_footnote_area
    block.block_level_layout = _block_level_layout
    return True


def revert():
    """Undo apply() (for the tests, which compare WeasyPrint with and without the changes)."""
    from weasyprint.layout import LayoutContext, block

    if _original:
        block._linebox_layout = _original.pop("_linebox_layout")
        LayoutContext._update_footnote_area = _original.pop("_update_footnote_area")
        block.block_level_layout = _original.pop("block_level_layout")


def applied():
    return bool(_original)


def _sha256(function):
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def _measuring_footnote_area(context):
    """LayoutContext._update_footnote_area, telling _block_level_layout that the area is being measured."""
    context.measuring_footnote_area = True
    try:
        return _original["_update_footnote_area"](context)
    finally:
        context.measuring_footnote_area = False


def _block_level_layout(
    context,
    box,
    bottom_space,
    skip_stack,
    containing_block,
    page_is_empty=True,
    absolute_boxes=None,
    fixed_boxes=None,
    adjoining_margins=None,
    first_letter_style=None,
    first_line_style=None,
    discard=False,
    max_lines=None,
):
    """block_level_layout; a note laid out while its page's footnote area is measured is kept in the layout
    context and copied when it is met again with the same key. `adjoining_margins` is the caller's list, which
    the layout may change: what it held afterwards is kept with the note and restored."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    arguments = (
        context,
        box,
        bottom_space,
        skip_stack,
        containing_block,
        page_is_empty,
        absolute_boxes,
        fixed_boxes,
        adjoining_margins,
        first_letter_style,
        first_line_style,
        discard,
        max_lines,
    )
    measured_note = (
        getattr(context, "measuring_footnote_area", False)
        and isinstance(containing_block, FootnoteAreaBox)
        and bottom_space == -inf
        and skip_stack is None
        and not absolute_boxes
        and not fixed_boxes
        and first_letter_style is None
        and first_line_style is None
    )
    if not measured_note:
        return _original["block_level_layout"](*arguments)
    floats = tuple(
        (shape.position_x, shape.position_y, shape.margin_width(), shape.margin_height())
        for shape in context.excluded_shapes
    )
    key = (
        box.element, box.element_tag, type(box), box.position_x, box.position_y,
        containing_block.position_x, containing_block.width, page_is_empty, tuple(adjoining_margins or ()),
        context.current_page > 1, context.forced_break, context.in_column, discard, max_lines, floats,
    )  # fmt: skip
    kept = context.__dict__.setdefault("measured_notes", {})
    if key in kept:
        new_box, resume_at, next_page, next_margins, collapsing_through, lines, margins_after = kept[key]
        if adjoining_margins is not None:
            adjoining_margins[:] = margins_after
        return new_box.deepcopy(), resume_at, dict(next_page), list(next_margins), collapsing_through, lines
    # The caller's lists if it gave some (empty, as measured_note requires): a note that places a positioned
    # box there is not kept.
    absolute_boxes = [] if absolute_boxes is None else absolute_boxes
    fixed_boxes = [] if fixed_boxes is None else fixed_boxes
    result = _original["block_level_layout"](*arguments[:6], absolute_boxes, fixed_boxes, *arguments[8:])
    new_box, resume_at, next_page, next_margins, collapsing_through, lines = result
    if new_box is not None and resume_at is None and not absolute_boxes and not fixed_boxes:
        kept[key] = (
            new_box.deepcopy(), resume_at, dict(next_page), list(next_margins), collapsing_through, lines,
            list(adjoining_margins or ()),
        )  # fmt: skip
    return result
