"""Layout checks (src/handouts/layout_checks.py): every handout the build makes passes them, and each check
fails on a small layout broken on purpose, so that a check that cannot fail is caught."""

from concurrent.futures import ProcessPoolExecutor

import pytest

from handouts import layout_checks

# A small page, so that a few lines of text fill it and the broken layouts stay short to render.
PAGE = """
@page { size: 100mm 100mm; margin: 10mm; }
html { font: 10pt/1.4 serif; orphans: 1; widows: 1; }
h1, h2, h3 { font: bold 12pt/1.25 sans-serif; margin: 0 0 2mm; }
p { margin: 0 0 2mm; }
.note { float: footnote; font-size: 8pt; }
.note::footnote-call { content: counter(footnote); font-size: 7pt; vertical-align: super; line-height: 0; }
.answer-line { height: 9mm; border-bottom: 0.75pt solid #000; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.5pt solid #000; height: 8mm; padding: 0 1mm; }
tr { break-inside: avoid; }
"""
TEXT = "The quantity of arms which you requested oversteps the limits of our possibilities in 1953. " * 3


def lines(count):
    return '<div class="answer-line"></div>' * count


def rows(count):
    return "".join(f"<tr><td>Row {n}</td><td>{n * 100}</td></tr>" for n in range(1, count + 1))


GOOD = f"""
<h1>A section</h1>
<p>Allies.<span class="note">A note.</span> {TEXT}</p>
<div style="break-inside: avoid"><h3>1. A question</h3><p>Answer it.</p>{lines(5)}</div>
<h2 style="break-before: page">A table</h2>
<table><thead><tr><th>What</th><th>How many</th></tr></thead><tbody>{rows(12)}</tbody></table>
"""

BROKEN = {
    # The tail of a section alone on a page.
    "short-page": f"<h1>A section</h1><p>{TEXT * 3}</p><p style='break-before: page'>27 December 1952</p>",
    # A heading low on the page, its text overleaf.
    "stranded-heading": f"<div style='height: 60mm'></div><h2>Bibliography</h2>"
    f"<p style='break-before: page'>{TEXT}</p>",
    # The question's prompt on one page, all its lines on the next.
    "answer-lines-moved": f"<h3>15. A question</h3><p>Write a paragraph.</p>"
    f"<div style='break-before: page'>{lines(4)}</div>",
    # More lines than fit on the page after the prompt.
    "answer-lines-split": f"<h3>5. A question</h3><p>Answer it.</p>{lines(12)}",
    # Room for the header and one row only, the rest overleaf.
    "table-single-row": f"<div style='height: 57mm'></div><table><thead><tr><th>What</th><th>How many</th></tr>"
    f"</thead><tbody>{rows(6)}</tbody></table>",
    "small-note-call": "<style>.note::footnote-call { font-size: 5pt; }</style>"
    "<p>In the spring of 1953<span class='note'>A note.</span> the talks stalled.</p>",
    "space-before-call": "<p>The United Nations allies <span class='note'>A note.</span>.</p>",
    # The call parted from its word by a line break.
    "call-starts-line": "<p>He was elected on 4 November 1952.<br><span class='note'>A note.</span> He kept it.</p>",
}


def render(tmp_path, name, body):
    import weasyprint

    path = tmp_path / f"{name}.pdf"
    html = (
        f'<!DOCTYPE html><html lang="en"><head><title>{name}</title><style>{PAGE}</style></head>'
        f"<body>{body}</body></html>"
    )
    weasyprint.HTML(string=html).write_pdf(path, pdf_variant="pdf/ua-1")
    return path


def test_a_good_layout_passes_every_check(tmp_path):
    assert layout_checks.check_pdf(render(tmp_path, "good", GOOD)) == []


@pytest.mark.parametrize("check", sorted(layout_checks.CHECKS))
def test_each_check_fails_on_a_layout_broken_on_purpose(tmp_path, check):
    defects = layout_checks.check_pdf(render(tmp_path, check, BROKEN[check]))
    assert check in {defect.check for defect in defects}, f"{check} found nothing in: {defects}"


def test_every_handout_passes_the_layout_checks(built_site, teacher_site):
    """Every edition in every paper size, whichever editions mkdocs.yml declares."""
    pdfs = sorted({*built_site.rglob("*.pdf"), *teacher_site.rglob("*.pdf")})
    assert pdfs, f"the builds made no PDF under {built_site} or {teacher_site}"
    with ProcessPoolExecutor(max_workers=2) as pool:  # pdfminer is pure Python: about 10 s a handout
        results = dict(zip(pdfs, pool.map(layout_checks.check_pdf, pdfs)))
    report = [
        f"{pdf.relative_to(built_site.parent)} {defect}" for pdf, defects in results.items() for defect in defects
    ]
    assert not report, f"{len(report)} layout defect(s):\n" + "\n".join(report)
