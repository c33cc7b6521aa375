"""The built book in a real browser: headless Chromium opens every page and checks what a reader
would see.

Pages are discovered from the built site: every ``.html`` file under ``_build/html`` except
Sphinx's ``search.html`` and ``genindex.html`` and the theme's asset folders (names starting
with ``_``, e.g. ``_static``). For each page the test fails on:

- a console error (``driver.get_log("browser")`` entries at level SEVERE);
- a broken local link: an ``<a href>`` on this site whose file does not exist;
- a broken image: an ``<img>`` with ``naturalWidth == 0`` once loaded;
- an empty chart: a ``<figure class="jsna-figure">`` whose image has no size or no alt text;
- a page that shows data (a chart, a table or a CSV download) without the notice saying
  whether the data are synthetic (``display.data_notice``: ``.jsna-synthetic``, or
  ``.jsna-data-source`` when the files are not the synthetic default).

A page with a problem, or every page when the environment variable ``JSNA_SCREENSHOTS`` is set,
is saved as ``test-artifacts/screenshots/<page>.png`` (git-ignored; a full-page screenshot takes
0.8 s a page, most of this test's time, so CI takes them only of failing pages). The site is
served from a ThreadingHTTPServer on 127.0.0.1; it answers ``/favicon.ico`` with 204 No Content
(the book has no icon and Chromium asks for one on every page, which is not a fault of the
book). Chromium and chromedriver are the Debian packages; selenium-manager is never used.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from jsnalib.build.pipeline import slugify
from jsnalib.inputs.readers import load_geography
from jsnalib.report import display

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
SKIPPED_PAGES = {"search.html", "genindex.html"}
MAX_SCREENSHOT_HEIGHT = 12_000


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/favicon.ico" and not Path(self.directory, "favicon.ico").exists():
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (:class:`_QuietHandler`) while in the block; its address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(built_book: Path):
    with serve(built_book) as address:
        yield address


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    yield from _chromium(tmp_path_factory)


def _chromium(tmp_path_factory, *flags: str):
    """Headless Chromium driven by chromedriver (skips when either is missing)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"headless browser test needs {' and '.join(missing)} (Debian packages "
                    "chromium and chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 "--window-size=1280,1000", *flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                               options=options)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()


def open_page(browser, url: str) -> None:
    """Load `url` and wait until the document has loaded (chromedriver's get() can return while
    a page is still loading when the machine is busy)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 60, poll_frequency=0.05).until(
        lambda b: b.execute_script("return document.readyState") == "complete")


def pages(html_dir: Path) -> list[str]:
    """Every page of the built site, as paths relative to its root (see module docstring)."""
    found = []
    for path in sorted(html_dir.rglob("*.html")):
        relative = path.relative_to(html_dir)
        if relative.name in SKIPPED_PAGES or any(p.startswith("_") for p in relative.parts[:-1]):
            continue
        found.append(relative.as_posix())
    return found


def _default_data_is_synthetic() -> bool:
    manifest = REPO / "data" / display.SYNTHETIC_MANIFEST
    if not manifest.is_file():
        return False
    return display.is_synthetic(REPO / "data", json.loads(manifest.read_text()).keys())


def _shows_synthetic(page: str) -> bool:
    """Whether a page shows figures from synthetic default files: the infant mortality pages
    show only real ONS data while the local deprivation file is the synthetic default (the
    chapter's own list of the files it shows); every other page shows synthetic records."""
    from jsnalib.chapters.infant_mortality import figures as infant_figures

    if page.startswith("book/generated/infant_mortality_"):
        return display.is_synthetic(REPO / "data", infant_figures._shown_files(REPO / "data"))
    return _default_data_is_synthetic()


_WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
window.scrollTo(0, document.body.scrollHeight);
const pending = Array.from(document.images).filter(img => !img.complete);
Promise.all(pending.map(img => new Promise(ok => { img.onload = img.onerror = ok; })))
  .then(() => { window.scrollTo(0, 0); done(true); });
"""

_INSPECT = """
const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
return {
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  images: Array.from(document.images).map(img => ({src: img.currentSrc.slice(0, 80),
                                                  natural: img.naturalWidth})),
  figures: Array.from(document.querySelectorAll('figure.jsna-figure')).map(f => {
    const img = f.querySelector('img');
    return {id: f.id, hasImg: !!img, alt: img ? (img.getAttribute('alt') || '').trim() : '',
            shown: img ? visible(img) : false, natural: img ? img.naturalWidth : 0};
  }),
  showsData: document.querySelectorAll(
    'figure.jsna-figure, .jsna-table-wrap, a.jsna-download').length > 0,
  synthetic: document.querySelectorAll('.jsna-synthetic').length > 0,
  dataSource: document.querySelectorAll('.jsna-data-source').length > 0,
  height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
};
"""


def _local_target(href: str, base: str, html_dir: Path) -> Path | None:
    """The file a same-site link points to, or None for other sites and data: URLs."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    path = unquote(parts.path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return html_dir / path


def _check_page(browser, base: str, html_dir: Path, page: str, synthetic: bool) -> list[str]:
    open_page(browser, f"{base}/{page}")
    browser.set_script_timeout(30)
    browser.execute_async_script(_WAIT_FOR_IMAGES)
    found = browser.execute_script(_INSPECT)
    problems = [f"console error: {entry['message']}" for entry in browser.get_log("browser")
                if entry["level"] == "SEVERE"]
    for href in sorted(set(found["links"])):
        target = _local_target(href, base, html_dir)
        if target is not None and not target.is_file():
            problems.append(f"broken link: {href}")
    problems += [f"broken image: {img['src']}" for img in found["images"] if img["natural"] == 0]
    for figure in found["figures"]:
        if not figure["hasImg"] or figure["natural"] == 0 or not figure["shown"]:
            problems.append(f"empty chart: figure {figure['id']!r} has no visible image")
        if not figure["alt"]:
            problems.append(f"chart without alt text: figure {figure['id']!r}")
    if found["showsData"]:
        if not (found["synthetic"] or found["dataSource"]):
            problems.append("shows data without saying whether it is synthetic")
        elif synthetic and not found["synthetic"]:
            problems.append("the data are the synthetic default but the page does not say so")
    if problems or os.environ.get("JSNA_SCREENSHOTS"):  # 0.8 s a page: only when asked
        browser.set_window_size(1280, min(int(found["height"]) + 100, MAX_SCREENSHOT_HEIGHT))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / (page.replace("/", "__")[:-5] + ".png")))
        browser.set_window_size(1280, 1000)
    return problems


def test_the_site_has_the_landing_page_every_profile_and_the_summary(built_book: Path):
    found = set(pages(built_book))
    geography = load_geography(REPO / "data")
    expected = {"index.html", "book/generated/outcomes_summary.html"} | {
        f"book/generated/profile_{slugify(geography.name(code))}.html"
        for code in geography.jsna_areas()}
    assert expected <= found, f"missing pages: {sorted(expected - found)}"


def test_every_page_renders_cleanly(built_book: Path, site: str, driver):
    failures = {}
    for page in pages(built_book):
        problems = _check_page(driver, site, built_book, page, _shows_synthetic(page))
        if problems:
            failures[page] = problems
    report = "\n".join(f"{page}:\n  " + "\n  ".join(problems)
                       for page, problems in failures.items())
    assert not failures, f"{len(failures)} page(s) with problems:\n{report}"


_PHONE = (390, 844)
_SIDEBAR_SHOWN = """
const dialog = document.getElementById(arguments[0]);
if (!dialog) { return {open: false, links: 0}; }
const shown = Array.from(dialog.querySelectorAll('a')).filter(a => {
  const r = a.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.left < window.innerWidth && r.right > 0;
});
return {open: dialog.open, links: shown.length};
"""


@pytest.mark.parametrize(("button", "dialog"), [
    (".primary-toggle", "pst-primary-sidebar-modal"),
    (".secondary-toggle", "pst-secondary-sidebar-modal"),
])
def test_on_a_phone_the_menu_and_contents_buttons_open_their_sidebars(built_book: Path, site: str,
                                                                     driver, button, dialog):
    """A reader at 390x844 taps the menu (or contents) button they can see: the sidebar opens
    with its links on screen (pydata-sphinx-theme 0.17.1 binds it to a hidden button)."""
    from selenium.webdriver.common.by import By

    driver.set_window_size(*_PHONE)
    try:
        open_page(driver, f"{site}/book/generated/outcomes_summary.html")
        visible = [b for b in driver.find_elements(By.CSS_SELECTOR, button) if b.is_displayed()]
        assert visible, f"no visible {button} button at {_PHONE[0]} px"
        visible[0].click()
        driver.implicitly_wait(0)
        state = driver.execute_script(_SIDEBAR_SHOWN, dialog)
        assert state["open"] and state["links"] > 0, f"tapping {button} showed no sidebar: {state}"
    finally:
        driver.set_window_size(1280, 1000)


_CODE_ON_PAGE = """
return {inputs: document.querySelectorAll('.cell_input, div.highlight-ipython3').length,
        toggles: Array.from(document.querySelectorAll('details, summary, button'))
                   .filter(e => /code cell source/i.test(e.textContent)).length,
        made: Array.from(document.querySelectorAll('.jsna-made a.jsna-notebook'))
                .map(a => a.getAttribute('href')),
        footer: document.querySelectorAll('.extra_footer').length,
        state: document.readyState, length: document.documentElement.outerHTML.length};
"""


def test_reader_pages_show_no_code_but_say_how_they_were_made(built_book: Path, site: str, driver):
    """No code cell (and no "Show code cell source" toggle) on any page; every page made from a
    notebook links to that notebook; the configured footer is on every page."""
    failures = {}
    for page in pages(built_book):
        if "bd-article" not in (built_book / page).read_text(encoding="utf-8"):
            continue  # a redirect (index.html)
        open_page(driver, f"{site}/{page}")
        found = driver.execute_script(_CODE_ON_PAGE)
        problems = []
        if found["inputs"] or found["toggles"]:
            problems.append(f"{found['inputs']} code cells, {found['toggles']} code toggles")
        if not found["footer"]:
            problems.append("no footer disclaimer")
        if page.startswith("book/generated/"):
            if len(found["made"]) != 1:
                problems.append("no 'How this page was made' link to the notebook")
            elif not (built_book / page).parent.joinpath(found["made"][0]).resolve().is_file():
                problems.append(f"notebook link {found['made'][0]} is broken")
        if problems:
            size = (built_book / page).stat().st_size
            failures[page] = [*problems, f"(document {found['state']}, {found['length']:,} "
                                         f"characters; the file has {size:,} bytes)"]
    assert not failures, "\n".join(f"{p}: {'; '.join(v)}" for p, v in failures.items())


#: Where CI installs axe-core (.ci/run: npm install --prefix .ci-node); a local checkout may
#: have it in node_modules/, or name the file in JSNA_AXE.
AXE_PATHS = (REPO / ".ci-node" / "node_modules" / "axe-core" / "axe.min.js",
             REPO / "node_modules" / "axe-core" / "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_IMPACTS = {"serious", "critical"}
#: Desktop and phone, each in the light and the dark theme (the page is loaded once per size).
AXE_SIZES = [("desktop", (1400, 900)), ("phone", _PHONE)]
AXE_THEMES = ("light", "dark")
#: The pages are checked in this many shards (each a test, so xdist runs them side by side).
AXE_SHARDS = 2

# The theme's colour transitions are switched off first, so that the colours axe reads are the
# theme's final ones as soon as it is set (no waiting for a transition to end).
_AXE_RUN = """
const done = arguments[arguments.length - 1];
if (!document.getElementById('jsna-no-transitions')) {
  const style = document.createElement('style');
  style.id = 'jsna-no-transitions';
  style.textContent = '*, *::before, *::after {transition: none !important; ' +
                      'animation: none !important}';
  document.head.appendChild(style);
}
document.documentElement.dataset.theme = arguments[0];
document.documentElement.dataset.mode = arguments[0];
getComputedStyle(document.body).color;  // apply the theme before axe reads any colour
axe.run(document, {runOnly: {type: 'tag', values: arguments[1]}, resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3), count: v.nodes.length}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)], count: 1}]));
"""


def axe_source() -> str | None:
    """axe-core's browser script, or None when it is not installed (see :data:`AXE_PATHS`)."""
    named = os.environ.get("JSNA_AXE")
    for path in ([Path(named)] if named else []) + list(AXE_PATHS):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


@pytest.fixture(scope="module")
def axe_driver(tmp_path_factory):
    """Chromium for axe-core: axe is put into every page as it loads (one Chrome DevTools
    command, instead of sending its 0.5 MB with each page), and images are not fetched or
    drawn. axe reads the document, not pixels: an ``<img>`` keeps its element, its alt text and
    its box (the charts have a width and height), so each rule sees what it sees with images;
    that the images themselves load is checked by test_every_page_renders_cleanly."""
    source = axe_source()
    if source is None:
        pytest.skip("axe-core is not installed (npm install --prefix .ci-node axe-core@4.14)")
    for browser in _chromium(tmp_path_factory, "--blink-settings=imagesEnabled=false"):
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        yield browser


def axe_violations(browser, base: str, page: str, size: tuple[int, int]) -> dict[str, list[dict]]:
    """axe-core's WCAG 2.1 A/AA violations on one page at one window size, in each colour
    theme of :data:`AXE_THEMES` (theme -> violations); `browser` is :func:`axe_driver`."""
    browser.set_window_size(*size)
    open_page(browser, f"{base}/{page}")
    browser.set_script_timeout(60)
    return {theme: browser.execute_async_script(_AXE_RUN, theme, AXE_TAGS)
            for theme in AXE_THEMES}


def test_axe_as_run_here_finds_a_planted_violation(axe_driver, tmp_path):
    """The accessibility check cannot pass because axe did not run: on a page with pale text
    and an image without alt text, it reports both, in each theme."""
    (tmp_path / "planted.html").write_text(
        '<!doctype html><html lang="en"><head><title>Planted</title></head><body><main>'
        '<p style="color:#bbb;background:#fff">Pale text</p>'
        '<img src="chart.svg" width="10" height="10"></main></body></html>', encoding="utf-8")
    with serve(tmp_path) as address:
        found = axe_violations(axe_driver, address, "planted.html", AXE_SIZES[0][1])
    for theme in AXE_THEMES:
        assert {v["id"] for v in found[theme]} >= {"color-contrast", "image-alt"}, found


@pytest.mark.parametrize("shard", range(AXE_SHARDS))
def test_every_page_has_no_serious_accessibility_violation(built_book: Path, site: str,
                                                           axe_driver, shard: int):
    """axe-core finds no serious or critical WCAG 2.1 AA violation on any page, on a desktop or a
    phone, in the light or the dark theme (skipped when axe-core is not installed). The pages
    are split into AXE_SHARDS shards, one a test, so that two workers check them at once."""
    failures = []
    try:
        for page in pages(built_book)[shard::AXE_SHARDS]:
            for view, size in AXE_SIZES:
                for theme, violations in axe_violations(axe_driver, site, page, size).items():
                    for found in violations:
                        if found["impact"] in AXE_IMPACTS:
                            failures.append(f"{page} ({view} {theme}): {found['id']} "
                                            f"x{found['count']} at {'; '.join(found['nodes'])}")
    finally:
        axe_driver.set_window_size(1280, 1000)
    assert not failures, f"{len(failures)} serious or critical violation(s):\n" + "\n".join(failures)
