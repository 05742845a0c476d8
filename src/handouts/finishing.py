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
    return without_text_spans(pdf)


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


def without_text_spans(pdf):
    """The same tagged PDF, an eighth smaller: WeasyPrint gives every run of text its own /Span element in the
    structure tree (4,000 of them in a handout), with no attributes, so nothing for a screen reader. Each run's
    content (MCID) goes straight into the paragraph or heading that held the Span, as WeasyPrint already does
    for links, and the ParentTree points to that element. Then qpdf writes the file again, deterministically."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        spans = {}
        for element in document.objects:
            if (
                isinstance(element, pikepdf.Dictionary)
                and element.get("/Type") == "/StructElem"
                and element.get("/S") == "/Span"
                and set(element.keys()) <= {"/Type", "/S", "/K", "/Pg", "/P"}
                and len(element.K) == 1
                and isinstance(element.K[0], int)
                and element.P.get("/Pg") is not None
                and element.P.Pg.objgen == element.Pg.objgen
            ):
                spans[element.objgen] = (element.P, int(element.K[0]))
        for parent in {parent.objgen: parent for parent, _ in spans.values()}.values():
            parent.K = pikepdf.Array(
                [
                    spans[kid.objgen][1]
                    if isinstance(kid, pikepdf.Dictionary) and kid.is_indirect and kid.objgen in spans
                    else kid
                    for kid in parent.K
                ]
            )
        numbers = document.Root.StructTreeRoot.ParentTree.Nums
        for page_elements in (numbers[i] for i in range(1, len(numbers), 2)):
            if isinstance(page_elements, pikepdf.Array):
                for index, element in enumerate(page_elements):
                    if isinstance(element, pikepdf.Dictionary) and element.objgen in spans:
                        page_elements[index] = spans[element.objgen][0]
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
