"""The website as students and teachers meet it, checked in a real browser (Debian's Chromium).

What a teacher relies on, one test each:
  - every page has its own title and description, a canonical link, the favicon; the sitemap uses site_url;
  - the site works under a sub-path (as GitHub project pages are), including the 404 page at any depth;
  - it works from the site/ folder opened as files (file://), offline, search included;
  - no page makes a request to any other host: fonts and scripts are the site's own, no analytics, no CDN;
  - axe-core finds no accessibility violation on any page, in the light and the dark palette, with a
    footnote pop-up and a glossary pop-up open, and with the search open;
  - the Nu HTML Checker finds no error on any page;
  - at phone width nothing scrolls sideways and the telegram stays readable;
  - printing a page from the browser gives the text alone, black on white;
  - the theme files copied into overrides/ still match the installed Material apart from our fixes;
  - the preview server (./scripts/serve) starts in seconds: it makes only the class packet, in the background.

Browser tests need /usr/bin/chromium (Debian package chromium); the Nu checker needs Java and vnu.jar
(npm package vnu-jar, pinned in package-lock.json, installed by ./scripts/test). Where one is missing they
are skipped with the reason, except in CI (CI=true), where a missing tool is a failure.
"""

import http.server
import io
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from lxml import html

from conftest import ENV, MKDOCS, ROOT, start_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SUBPATH = "/module/"
HANDOUT = "handouts/stalin-mao-1952-student-a4.pdf"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason):
    """Skip a test for a missing tool on an editor's machine; fail it in CI, where the tool must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must install it: see .ci/run)")
    pytest.skip(reason)


# ---- Fixtures: the site built for a sub-path address and served there; a browser -------------------------


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site at SUBPATH only, and 404.html with status 404 for anything missing, as GitHub
    Pages does."""

    site: Path = None

    def translate_path(self, path):
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        if not path.startswith(SUBPATH):
            return str(self.site / "__nothing_here__")
        target = (self.site / path[len(SUBPATH) :]).resolve()
        if target.is_dir():
            target = target / "index.html"
        return str(target) if target.is_relative_to(self.site.resolve()) else str(self.site / "__nothing_here__")

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (self.site / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served_site(tmp_path_factory):
    """The module built strictly for http://127.0.0.1:PORT/module/ and served there: (site folder, base URL)."""
    site = tmp_path_factory.mktemp("subpath") / "site"
    handler = type("Handler", (SiteHandler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}{SUBPATH}"
    result = subprocess.run(
        [*MKDOCS, "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env={**ENV, "SITE_URL": base},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    yield site, base
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def page_names(site):
    """Every page of the site, the class packet's in packet/ included."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html") if "assets" not in path.parts)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing("Chromium is not installed at /usr/bin/chromium (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # No host but this machine can even be resolved: a request elsewhere fails and is recorded below.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        yield chromium
        chromium.close()


class Visit:
    """A browser context that records every request to a host other than the local test server (pages,
    workers and frames alike), and every failed or 4xx/5xx request for the site's own files. The browser
    cannot resolve any other host, so such a request also fails; recording it names the culprit."""

    def __init__(self, browser, local_prefix, **context_options):
        self.context = browser.new_context(**context_options)
        self.local_prefix = local_prefix
        self.foreign, self.failed = [], []
        self.context.on("request", self._request)
        self.context.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        self.context.on("response", self._response)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)

    def _request(self, request):
        if not request.url.startswith((self.local_prefix, "data:", "blob:", "about:")):
            self.foreign.append(request.url)

    def _response(self, response):
        if response.status >= 400 and not response.url.endswith("/no/such/page.html"):
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, served_site):
    visits = []

    def open_visit(local_prefix=None, **options):
        v = Visit(browser, local_prefix or served_site[1].rsplit("/module/", 1)[0] + "/", **options)
        visits.append(v)
        return v

    yield open_visit
    for v in visits:
        v.close()


def first_visible(page, selector):
    """The first element matching selector that is shown (not inside a closed box), or None."""
    found = page.locator(selector).locator("visible=true")
    return found.first if found.count() else None


def settle(page):
    """Wait for the network, the fonts and every running transition (pop-ups fade in)."""
    page.wait_for_load_state("networkidle")
    page.evaluate("""async () => { await document.fonts.ready;
        await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }""")


def search(page, query):
    """Type a query key by key, as a reader does, once the search index is ready."""
    page.locator("input.md-search__input").click()
    page.wait_for_function("""() => { const meta = document.querySelector('.md-search-result__meta');
        return meta && !/Initializing/i.test(meta.textContent); }""")
    page.locator("input.md-search__input").press_sequentially(query, delay=30)
    page.wait_for_selector(".md-search-result__item")
    settle(page)


def load(page, url):
    page.goto(url, wait_until="load")
    settle(page)


AXE_JS = None
POPUPS = [
    ("footnote", "article a.footnote-ref", "dialog"),  # shown on pointing
    ("glossary pop-up", 'article a[href*="glossary.html#"]', "tooltip"),
]  # shown on keyboard focus


def open_popup(page, link_selector, role):
    """Open the pop-up of the first visible link of a kind, as a reader does; False if the page has none."""
    link = first_visible(page, link_selector)
    if not link:
        return False
    link.hover() if role == "dialog" else link.focus()
    page.wait_for_selector(f'.md-tooltip2--active[role="{role}"]')
    settle(page)
    return True


def close_popups(page):
    """Move the pointer and the focus away, and wait until the pop-ups have faded out (Material keeps one
    for a quarter of a second, and a half-faded pop-up fails axe's contrast check)."""
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_function("!document.querySelector('.md-tooltip2--active')")
    settle(page)


def run_axe(page):
    global AXE_JS
    if AXE_JS is None:
        import axe_playwright_python

        AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    page.evaluate(AXE_JS)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} at {[n['target'] for n in rule['nodes']][:5]}"
        for rule in result["violations"]
    ]


# ---- Static checks of the built pages --------------------------------------------------------------------


def test_every_page_has_its_own_title_description_canonical_link_and_favicon(served_site):
    site, base = served_site
    titles, descriptions = {}, {}
    for name in page_names(site):
        tree = html.fromstring((site / name).read_bytes())
        titles[name] = tree.findtext(".//title").strip()
        description = tree.xpath('//meta[@name="description"]/@content')
        assert description and len(description[0]) >= 40, f"{name}: no useful <meta name=description>"
        descriptions[name] = description[0]
        icon = tree.xpath('//link[@rel="icon"]/@href')
        assert icon, f"{name}: no favicon link"
        if name == "404.html":
            assert titles[name].startswith("Page not found"), titles[name]
            assert tree.xpath('//meta[@name="robots"]/@content') == ["noindex"]
            assert tree.xpath("//base/@href") == [urllib.parse.urlsplit(base).path]
            continue
        assert (site / urllib.parse.urljoin(name, icon[0])).is_file(), f"{name}: favicon {icon[0]} missing"
        assert tree.xpath('//link[@rel="canonical"]/@href') == [base + name], name
    pages = [name for name in titles if name != "404.html"]
    assert len({titles[name] for name in pages}) == len(pages), f"two pages share a title: {titles}"
    assert len({descriptions[name] for name in pages}) == len(pages), "two pages share a description"


def test_sitemap_lists_every_page_at_the_published_address(served_site):
    site, base = served_site
    listed = set(re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8")))
    expected = {base + name for name in page_names(site) if name != "404.html"}
    assert listed == expected


def test_no_page_or_stylesheet_names_another_host_for_anything_it_loads(served_site):
    """Belt and braces for the browser test below: no src=, <link href>, or CSS url() points off the site."""
    site, _ = served_site
    loaded = re.compile(
        r"""(?:<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\ssrc|<link\b[^>]*\shref)\s*=\s*["']?(?://|https?:)""",
        re.I,
    )
    for name in page_names(site):
        text = (site / name).read_text(encoding="utf-8")
        for match in loaded.finditer(text):
            tag = text[match.start() : text.find(">", match.start()) + 1]
            assert 'rel="canonical"' in tag, f"{name} loads from another host: {tag}"
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            assert not re.match(r"(?:https?:)?//", url), f"{css.relative_to(site)} loads {url}"


def test_the_theme_fixes_still_apply_to_materials_html(built_site):
    """hooks/theme_fixes.py edits Material's markup by exact text: an upgrade that changes it shows here."""
    for name in ("index.html", "telegram.html", "404.html"):
        page = (built_site / name).read_text(encoding="utf-8")
        assert 'id="__drawer">' in page and 'id="__search">' in page, name
        assert not re.search(r'type="checkbox"[^>]*autocomplete', page), name
        assert 'role="dialog" aria-label="Search"' in page, name


def test_the_preview_server_starts_in_seconds_without_making_the_pdfs():
    started = time.monotonic()
    server, url = start_serve(ROOT)
    try:
        page = None
        while page is None and time.monotonic() - started < 60 and server.poll() is None:
            try:
                page = urllib.request.urlopen(f"{url}index.html", timeout=5).read().decode()
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        assert page is not None, "mkdocs serve did not answer within 60 s"
        assert time.monotonic() - started < 30, "the preview took more than 30 s to start"
        assert 'class="handout-note"' in page, "the preview should say which PDFs it makes (only the class packet)"
        try:
            urllib.request.urlopen(f"{url}{HANDOUT}", timeout=5)
            raise AssertionError("the preview server made a PDF")
        except urllib.error.HTTPError as error:
            assert error.code == 404
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---- In the browser --------------------------------------------------------------------------------------


@pytest.mark.browser
def test_every_page_under_a_sub_path_loads_everything_from_the_site_itself(served_site, visit):
    """Open every page at /module/, use search, open a footnote and switch palette: no request leaves the
    local server, and none of the site's own files is missing."""
    site, base = served_site
    v = visit()
    for name in page_names(site):
        load(v.page, base + name)
        v.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        open_popup(v.page, "article a.footnote-ref", "dialog")
        v.page.locator('label[for="__palette_1"], label[for="__palette_0"]').locator("visible=true").first.click()
        v.page.wait_for_load_state("networkidle")
    search(v.page, "Semenov")
    assert v.foreign == [], f"requests to other hosts: {v.foreign}"
    assert v.failed == [], f"missing or failed files: {v.failed}"


@pytest.mark.browser
def test_a_missing_address_at_any_depth_shows_the_styled_404_page(served_site, visit):
    site, base = served_site
    v = visit()
    response = v.page.goto(base + "no/such/page.html")
    v.page.wait_for_load_state("networkidle")
    assert response.status == 404
    assert v.page.locator("h1").inner_text() == "Page not found"
    assert v.page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky", (
        "the 404 page lost its stylesheets"
    )
    v.page.locator("article a", has_text="Go to the overview").click()
    v.page.wait_for_load_state("load")
    assert v.page.url in (base, base + "index.html")
    assert v.failed == [] and v.foreign == []


@pytest.mark.browser
def test_the_site_works_from_its_folder_as_files_offline_search_included(built_site, visit):
    """A teacher can copy site/ to a USB stick and open index.html: every page, the fonts, the links between
    pages and search work, and nothing is asked of the network."""
    v = visit(local_prefix="file://")
    for name in page_names(built_site):
        if name != "404.html":  # only a web server shows it (for a missing address), with site_url's links
            load(v.page, (built_site / name).as_uri())
    load(v.page, (built_site / "index.html").as_uri())
    assert v.page.evaluate("[...document.fonts].some(f => f.family.includes('Noto') && f.status === 'loaded')")
    v.page.locator("nav.md-nav--primary a", has_text="The telegram").first.click()
    v.page.wait_for_load_state("load")
    assert v.page.url.endswith("/telegram.html")
    search(v.page, "Semenov")
    v.page.locator(".md-search-result__item a").first.click()
    v.page.wait_for_load_state("load")
    assert v.page.url.startswith("file://") and ".html" in v.page.url
    assert v.foreign == [], f"requests off the machine: {v.foreign}"
    assert v.failed == [], f"missing files: {v.failed}"


@pytest.mark.browser
@pytest.mark.parametrize("palette", ["light", "dark"])
def test_axe_finds_no_accessibility_violation_on_any_page(served_site, visit, palette):
    """On every page: as loaded, with a footnote pop-up open, with a glossary pop-up open; and with the
    search open on the first page."""
    site, base = served_site
    v = visit(color_scheme=palette, viewport=DESKTOP)
    problems = []
    for name in page_names(site):
        load(v.page, base + name)
        expected = "slate" if palette == "dark" else "default"
        assert v.page.evaluate("document.body.dataset.mdColorScheme") == expected
        problems += [f"{name}: {p}" for p in run_axe(v.page)]
        for popup, link, role in POPUPS:
            if open_popup(v.page, link, role):
                problems += [f"{name} ({popup} open): {p}" for p in run_axe(v.page)]
                close_popups(v.page)
    load(v.page, base + "index.html")
    search(v.page, "Stalin")
    problems += [f"index.html (search open): {p}" for p in run_axe(v.page)]
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_at_phone_width_nothing_scrolls_sideways_and_the_telegram_stays_readable(served_site, visit):
    """Also runs axe at phone width: a table or the chart that scrolls inside its frame must be reachable
    from the keyboard there."""
    site, base = served_site
    v = visit(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    too_wide, problems = [], []
    for name in page_names(site):
        load(v.page, base + name)
        width = v.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{name}: {width}px")
        problems += [f"{name} (phone): {p}" for p in run_axe(v.page)]
    assert too_wide == [], f"pages wider than the phone ({PHONE['width']}px): {too_wide}"
    assert problems == [], "\n".join(problems)
    load(v.page, base + "telegram.html")
    box = v.page.locator("div.telegram").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    size = v.page.evaluate("parseFloat(getComputedStyle(document.querySelector('div.telegram p')).fontSize)")
    assert size >= 15, f"telegram text is {size}px on a phone"


@pytest.mark.browser
def test_printing_a_page_gives_the_text_alone_black_on_white(served_site, visit):
    """Print the telegram page (dark palette on screen) and the questions page from the browser: no
    header, menus or footer; black text; the questions print (the student site has no teacher box at all)."""
    site, base = served_site
    v = visit(color_scheme="dark", viewport=DESKTOP)
    load(v.page, base + "telegram.html")
    v.page.emulate_media(media="print")
    settle(v.page)
    hidden = v.page.evaluate("""['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer',
        '.md-search', '.md-top'].filter(s => document.querySelector(s)
        && document.querySelector(s).checkVisibility())""")
    assert hidden == [], f"site furniture still printed: {hidden}"
    colours = v.page.evaluate("""[getComputedStyle(document.querySelector('div.telegram p')).color,
        getComputedStyle(document.querySelector('.footnote li p')).color]""")
    assert colours == ["rgb(0, 0, 0)", "rgb(0, 0, 0)"], f"printed text is not black: {colours}"
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(v.page.pdf(format="A4"))).pages)
    text = " ".join(text.split())
    assert "We have received your telegram of 17 December" in text
    assert "SEMENOV" in text
    for furniture in ("Skip to content", "Table of contents", "Made with", "Previous", "Search"):
        assert furniture not in text, f"the printout shows the site's {furniture!r}"
    v.page.emulate_media(media="screen")
    load(v.page, base + "questions.html")
    assert v.page.locator("details.teacher").count() == 0, "the published site holds no teacher box"
    v.page.emulate_media(media="print")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(v.page.pdf(format="A4"))).pages)
    assert "Suggested answer" not in text
    first_question = " ".join(v.page.locator("article h3").first.text_content().replace("¶", "").split())
    assert first_question in " ".join(text.split()), "the questions themselves must print"


@pytest.mark.browser
def test_nu_html_checker_finds_no_error_on_any_page(served_site):
    site, _ = served_site
    if not shutil.which("java"):
        missing("Java is not installed (Debian: apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        missing("vnu.jar is not installed (./scripts/test runs `npm ci --ignore-scripts` to install it)")
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            *[str(site / name) for name in page_names(site)],
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{Path(urllib.parse.urlsplit(m.get('url', '')).path).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
