"""From a layout to the PDF's bytes: tagged (PDF/UA-1), compacted, written deterministically, and checked to
use only the fonts the project ships."""

import io
import unicodedata

from .errors import HandoutError
from .fonts import shipped_characters, shipped_families


def pdf_bytes(layout):
    import weasyprint

    try:  # attachments are loaded only now, through the same local-only fetcher
        pdf = layout.write_pdf(pdf_variant="pdf/ua-1", finisher=compact_text)
    except weasyprint.urls.FatalURLFetchingError as error:
        raise (error.__cause__ if isinstance(error.__cause__, HandoutError) else HandoutError(str(error))) from None
    return without_wrapper_elements(pdf)


def compact_text(document, pdf):
    """Drop the zero adjustments WeasyPrint writes between glyphs ([<0013>0<0014>0] TJ, from kerning that
    rounds to 0): the same text and positions, a fifth fewer bytes in every PDF."""
    import pydyf

    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream):
            pdf_object.stream = [
                item.replace(b">0<", b"") if isinstance(item, bytes) and item.endswith(b"] TJ") else item
                for item in pdf_object.stream
            ]


def without_wrapper_elements(pdf):
    """The same tagged PDF, smaller (reader 374 -> 340 KB): WeasyPrint gives every run of text its own /Span
    element in the structure tree (4,000 of them in a handout), with no attributes, so nothing for a screen
    reader, and wraps the boxes of <em>, <strong>, anonymous boxes and the like in /NonStruct, which by
    definition means nothing (its content counts as its parent's). Each such wrapper is dissolved into the
    paragraph, heading or cell that held it: its runs' content (MCIDs) and its elements (links, say) take its
    place, in order, as WeasyPrint already does for a link's runs, and the ParentTree points to that element.
    Then qpdf writes the file again, deterministically."""
    import pikepdf

    def is_wrapper(element):
        return (
            isinstance(element, pikepdf.Dictionary)
            and element.is_indirect
            and element.get("/Type") == "/StructElem"
            and element.get("/S") in ("/Span", "/NonStruct")
            and set(element.keys()) <= {"/Type", "/S", "/K", "/Pg", "/P"}
            and isinstance(element.get("/K"), pikepdf.Array)
            and all(isinstance(kid, int) or kid.get("/Type") == "/StructElem" for kid in element.K)
            and element.P.get("/Pg") is not None
            and element.P.Pg.objgen == element.Pg.objgen  # an MCID means "on the page of the element holding it"
        )

    with pikepdf.open(io.BytesIO(pdf)) as document:
        wrappers = {element.objgen: element for element in document.objects if is_wrapper(element)}

        def contents(element):  # what takes a wrapper's place: its kids, with any wrapper among them dissolved
            return [
                part
                for kid in element.K
                for part in (contents(kid) if not isinstance(kid, int) and kid.objgen in wrappers else [kid])
            ]

        def holder(element):  # the nearest element above a wrapper that stays
            while element.objgen in wrappers:
                element = element.P
            return element

        holders = {parent.objgen: parent for parent in map(holder, wrappers.values())}
        for parent in holders.values():
            if any(not isinstance(kid, int) and kid.objgen in wrappers for kid in parent.K):
                parent.K = pikepdf.Array(contents(parent))
                for kid in parent.K:
                    if not isinstance(kid, int):
                        kid.P = parent
        numbers = document.Root.StructTreeRoot.ParentTree.Nums
        for page_elements in (numbers[i] for i in range(1, len(numbers), 2)):
            if isinstance(page_elements, pikepdf.Array):
                for index, element in enumerate(page_elements):
                    if isinstance(element, pikepdf.Dictionary) and element.objgen in wrappers:
                        page_elements[index] = holder(element)
        output = io.BytesIO()
        document.save(
            output, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True, compress_streams=True
        )
    return output.getvalue()


def _is_cjk(character):
    return "CJK" in unicodedata.name(character, "") or 0x3000 <= ord(character) <= 0x30FF


def check_layout_fonts(layout, pdf_name):
    """Every glyph from a font in docs/assets/fonts: a system font would make the PDF differ from machine to
    machine (or show empty boxes where the machine has none). All the characters at fault, at once."""
    shipped = shipped_families()
    missing, fallback = set(), {}
    for font in layout.fonts.values():
        missing |= {chr(code) for code in font.missing}
        if font.family not in shipped:
            fallback.setdefault(font.family, set()).update(font.to_unicode.values())
    covered = shipped_characters()
    for family, characters in fallback.items():
        if all(ord(c) in covered for c in characters):
            raise HandoutError(
                f"{pdf_name}: print/handout.css lets some text fall back to the system font "
                f"'{family}' (characters {_listed(characters)}). Give that element a shipped font "
                'family ("Noto Serif", "Noto Sans", "Noto Serif SC"); the PDF was not written.'
            )
        missing |= {c for c in characters if ord(c) not in covered}
    missing = {c for c in missing if not c.isspace()}
    if not missing:
        return
    cjk = {c for c in missing if _is_cjk(c)}
    advice = []
    if cjk:
        advice.append(
            f"for the Chinese or Japanese characters {_listed(cjk)}, run scripts/update-cjk-font to add "
            "them to the shipped subset"
        )
    if missing - cjk:
        advice.append(
            f"no shipped font has {_listed(missing - cjk)}: write the text without them, or add an "
            "open-licence font that has them to docs/assets/fonts/ and print/handout.css"
        )
    raise HandoutError(
        f"{pdf_name}: the shipped fonts (docs/assets/fonts/) lack some characters; "
        + "; ".join(advice)
        + ". The PDF was not written."
    )


def _listed(characters):
    return ", ".join(f"'{c}' (U+{ord(c):04X})" for c in sorted(characters))


def check_pdf_fonts(data, pdf_name):
    """The same promise checked on a finished PDF (a reused one too): every embedded font is a shipped one."""
    import pikepdf

    shipped = tuple(family.replace(" ", "-") for family in shipped_families())
    with pikepdf.open(io.BytesIO(data)) as document:
        for page in document.pages:
            fonts = page.get("/Resources", {}).get("/Font", {})
            for font in fonts.values():
                name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
                if not name.startswith(shipped):  # WeasyPrint names a font "Noto-Serif-Bold-Italic"
                    raise HandoutError(
                        f"{pdf_name}: the PDF uses the font '{name}', which the project does not ship; "
                        "it was not written. Build again with HANDOUT_CACHE=0 and check "
                        "print/handout.css."
                    )
