"""Material's templates: kept compiled across `mkdocs serve` rebuilds, and two fixes to its page HTML
where its templates offer no block to override (rather than copying whole templates into overrides/):

- the drawer and search toggles are checkboxes marked autocomplete="off", which HTML does not allow on
  checkboxes (Nu HTML Checker); overrides/assets/javascripts/module.js resets them on "back" instead;
- the search dialog has no accessible name (axe's aria-dialog-name rule).

If a Material upgrade changes this markup, tests/test_site.py says which fix no longer applies.
"""

from moduledata import TemplateMemo

FIXES = (
    (' id="__drawer" autocomplete="off">', ' id="__drawer">'),
    (' id="__search" autocomplete="off">', ' id="__search">'),
    (
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">',
    ),
)


def fix(html):
    for old, new in FIXES:
        html = html.replace(old, new)
    return html


def on_post_page(output, page, config):
    return fix(output)


def on_post_template(output_content, template_name, config):
    return fix(output_content)  # 404.html is a template of its own, not a page


def on_env(env, config, files):
    # `mkdocs serve` makes a new template environment for every rebuild: keep the compiled templates.
    env.bytecode_cache = TemplateMemo()
    return env
