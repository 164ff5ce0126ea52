"""The book as a reader sees it: every page opened in headless Chromium.

A page fails when it shows untypeset math, asks for anything outside the machine (the
book carries its own MathJax and widget scripts), links into the placeholder repository,
shows an image that did not load or whose alt text does not describe it, a JavaScript
error or a failed request, an exercise solution that is open by default, a link to a page
or anchor that does not exist, a display formula wider than the text column in a
1280-pixel window, code or printed text that scrolls sideways in a 1366-pixel one (a
common laptop width, where the column shows 88 characters of code), or a serious or
critical accessibility violation that axe-core finds in the theme's light or dark mode
(its findings, moderate and minor ones too, go to test-artifacts/axe/).

Screenshots go to test-artifacts/screenshots/: the first screen of every page, and the
whole page of any page that fails. With NNLIB_FULL_SCREENSHOTS=1 every page is taken whole
(measured: a whole long page takes 3-4 s to capture, more than the checks themselves).

The book is the one in $NNLIB_BOOK_HTML when set (`tasks.py test` sets it to _build/html
once that is current); otherwise _build/html, built first unless it is current (tasks.py's
build_book: only notebooks whose results are not cached run). Without Chromium and npm the
test is skipped on a student's machine, and fails in CI (CI=true).
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OVERFLOW_JS,
    PAGE_REPORT_JS,
    PLACEHOLDER,
    ROOT,
    BookServer,
    axe_script,
    book_pages,
    current_book,
    missing_tools,
)
from bs4 import BeautifulSoup

PAGES = book_pages()
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WINDOW = {"width": 1280, "height": 900}
WIDE_WINDOW = {"width": 1366, "height": 900}
FULL_SCREENSHOTS = os.environ.get("NNLIB_FULL_SCREENSHOTS", "") not in ("", "0")
# What the launch buttons (Binder, Colab) would carry while repository.url is the
# placeholder: the placeholder's account and name.
PLACEHOLDER_HOME = urlparse(PLACEHOLDER).path.strip("/")
RAW_MATH = re.compile(r"\$|\\\(|\\\)|\\\[|\\\]|\\frac|\\begin\{|\\sum|\\mathrm")


@pytest.fixture(scope="module")
def book():
    missing = missing_tools()
    if missing:
        message = f"the browser test needs {', '.join(missing)} (see README)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    html = os.environ.get("NNLIB_BOOK_HTML")
    html = Path(html) if html else current_book()
    if html is None:
        pytest.fail("the book did not build without warnings; see the build's messages")
    assert (html / "index.html").exists(), f"no built book in {html}"
    return html


@pytest.fixture(scope="module")
def browser(book):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser_page(book, browser):
    with BookServer(book) as url:
        context = browser.new_context(viewport=WINDOW)
        problems = []

        def refuse_outside(route):
            if urlparse(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                problems.append(f"request to the outside world: {route.request.url}")
                route.abort()

        context.route("**/*", refuse_outside)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))
        page.on(
            "response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}")
        )
        yield url, page, problems
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_well_in_a_browser(browser_page, name):
    """The page loads from the book alone, with no error, its math typeset, its images
    described and nothing wider than the column (_check_page); axe-core finds nothing
    serious in light or dark mode (_check_accessibility); and every control of every demo
    on it redraws the demo's picture (_check_demos)."""
    url, page, problems = browser_page
    problems.clear()
    page.goto(f"{url}/{name}", wait_until="load")
    report = page.evaluate(PAGE_REPORT_JS)
    page.wait_for_timeout(300)  # let late console messages arrive
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / (name.replace("/", "__") + ".png")
    page.screenshot(path=shot, full_page=FULL_SCREENSHOTS)
    try:
        _check_page(page, name, report, problems)
    except AssertionError:
        if not FULL_SCREENSHOTS:
            page.screenshot(path=shot, full_page=True)
        raise
    _check_accessibility(page, name)
    _check_demos(page, name)  # on the page already loaded: a second load costs seconds
    assert not problems, f"{name}: " + "\n".join(problems)


# Images whose alt text is missing, a few characters, or a file name (what myst-nb writes
# when a figure cell has no alt text in its metadata).
IMAGES_WITHOUT_ALT_JS = r"""
() => [...document.querySelectorAll('main img')].filter(img => {
  const alt = (img.getAttribute('alt') || '').trim();
  return alt.length < 12 || /\.(png|jpe?g|svg|gif)$/i.test(alt) || /^[0-9a-f]{16,}/.test(alt);
}).map(img => img.getAttribute('src'))
"""

# axe-core's impacts that fail a page. Moderate and minor findings are recorded in
# test-artifacts/axe/ but do not fail it.
FAILING_IMPACTS = {"serious", "critical"}
# Findings left out: (rule id, part of the element's CSS selector or "" for any, why).
AXE_EXCLUDED = ()
AXE_REPORTS = ROOT / "test-artifacts" / "axe"
# The rules whose verdict can change with the colour mode.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
AXE_RUN_JS = """
async (rules) => {
  const options = {resultTypes: ['violations']};
  if (rules) options.runOnly = rules;
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}
"""


def _check_accessibility(page, name):
    """axe-core on the loaded page: every rule in the theme's light mode, then in its dark
    mode the rules that depend on colours (the others see the same markup in both)."""
    page.add_script_tag(path=str(axe_script()))
    # The theme fades colours from one mode to the other; measured mid-fade, contrast is off.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    found = {}
    for mode, rules in (("light", None), ("dark", COLOUR_RULES)):
        page.evaluate(
            "(mode) => { const html = document.documentElement;"
            " html.dataset.theme = mode; html.dataset.mode = mode; }",
            mode,
        )
        found[mode] = page.evaluate(AXE_RUN_JS, rules)
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / (name.replace("/", "__") + ".json")).write_text(json.dumps(found, indent=1))
    failing = [
        f"{mode}: {v['id']} ({v['impact']}): {v['help']} — {nodes}"
        for mode, violations in found.items()
        for v in violations
        if v["impact"] in FAILING_IMPACTS
        for nodes in [[n for n in v["nodes"] if not _excluded(v["id"], n)][:5]]
        if nodes
    ]
    assert not failing, f"{name}, accessibility (axe-core): " + "\n".join(failing)


def _excluded(rule, node):
    return any(rule == r and (not sel or sel in node) for r, sel, _ in AXE_EXCLUDED)


def _check_page(page, name, report, problems):
    raw = [m.group(0) for m in RAW_MATH.finditer(report["text"])]
    context = [
        report["text"][max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
        for m in RAW_MATH.finditer(report["text"])
    ][:3]
    assert not raw, f"{name}: untypeset math {raw[:5]} in the visible text, e.g. {context}"
    assert not report["brokenImages"], f"{name}: images that did not load: {report['brokenImages']}"
    assert not report["openSolutions"], (
        f"{name}: solutions open by default: {report['openSolutions']}"
    )
    assert not problems, f"{name}: " + "\n".join(problems)
    wide_formulas = page.evaluate(OVERFLOW_JS)["formulas"]
    assert not wide_formulas, (
        f"{name}: display formulas wider than the column at {WINDOW['width']} px "
        f"[formula, its width, the column's]: {wide_formulas}"
    )
    page.set_viewport_size(WIDE_WINDOW)
    try:
        wide_code = page.evaluate(OVERFLOW_JS)["code"]
    finally:
        page.set_viewport_size(WINDOW)
    assert not wide_code, (
        f"{name}: code or output that scrolls sideways at {WIDE_WINDOW['width']} px "
        f"[its longest line, width needed, width shown]: {wide_code}"
    )
    unnamed = page.evaluate(IMAGES_WITHOUT_ALT_JS)
    assert not unnamed, (
        f"{name}: images whose alt text does not say what they show (none, or a file "
        f"name): {unnamed}"
    )
    dead = page.evaluate(
        "(home) => [...document.querySelectorAll('a[href]')].map(a => a.href)"
        ".filter(href => href.includes(home))",
        PLACEHOLDER_HOME,
    )
    assert not dead, f"{name}: links into the placeholder repository (a dead address): {dead}"
    if name.startswith("exercises/"):
        assert report["solutions"] >= 4, f"{name}: expected the exercise solutions"
    if name.startswith("chapters/"):
        assert report["images"] >= 1, f"{name}: a chapter without a single figure"


def _ids(path, cache={}):  # noqa: B006 - a deliberate per-run cache
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag.get("id") for tag in soup.find_all(id=True)}
    return cache[path]


# The most a page may weigh: its HTML (with the pictures of its demos inside) and the
# images it shows. The scripts and styles every page shares are loaded once and left out.
PAGE_LIMIT_MB = 8


@pytest.mark.parametrize("name", PAGES)
def test_a_page_with_its_images_weighs_less_than_the_limit(book, name):
    page = book / name
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    images = {
        (page.parent / unquote(urlparse(img["src"]).path)).resolve()
        for img in soup.find_all("img", src=True)
        if not img["src"].startswith("data:") and not urlparse(img["src"]).scheme
    }
    weight = page.stat().st_size + sum(image.stat().st_size for image in images)
    assert weight < PAGE_LIMIT_MB * 1e6, (
        f"{name} weighs {weight / 1e6:.1f} MB with its {len(images)} images; the limit is "
        f"{PAGE_LIMIT_MB} MB"
    )


@pytest.mark.parametrize("name", PAGES)
def test_internal_links_lead_somewhere(book, name):
    page = book / name
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    broken = []
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"]
        if urlparse(href).scheme in ("http", "https", "mailto", "javascript"):
            continue
        target, fragment = urldefrag(urljoin(f"/{name}", href))
        target_path = book / unquote(target.lstrip("/")) if target != f"/{name}" else page
        if target_path.is_dir():
            target_path = target_path / "index.html"
        if not target_path.exists():
            broken.append(f"{href} (no page {target})")
        elif fragment and target_path.suffix == ".html" and fragment not in _ids(target_path):
            broken.append(f"{href} (no anchor #{fragment})")
    assert not broken, f"{name}: broken internal links: {broken}"


# A chapter with formulas and a demo, opened the way a reader who downloaded the book
# opens it: from disk, with no server and no network.
FROM_DISK = "chapters/03_mlp.html"


def test_a_chapter_opened_from_disk_without_a_network_typesets_and_draws(book, browser):
    outside, errors = [], []

    def refuse_outside(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport=WINDOW)
    try:
        page = context.new_page()
        page.route("**/*", refuse_outside)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((book / FROM_DISK).resolve().as_uri(), wait_until="load")
        report = page.evaluate(PAGE_REPORT_JS)
        # The playground's demo answers its menu from the files alone.
        demo = page.locator(".nnlib-demo").first
        picture = demo.locator("img.nnlib-demo-picture")
        before = picture.get_attribute("alt")
        demo.locator("select").first.select_option(index=0)  # the first dataset, blobs
        after = picture.get_attribute("alt")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        demo.scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOTS / "offline-from-disk.png")
    finally:
        context.close()
    assert not outside, f"{FROM_DISK} from disk asked the network for: {outside}"
    assert not errors, f"{FROM_DISK} from disk: JavaScript errors {errors}"
    assert report["formulas"] > 10, f"{FROM_DISK} from disk: {report['formulas']} formulas"
    assert not RAW_MATH.search(report["text"]), f"{FROM_DISK} from disk: untypeset math"
    assert after != before and "blobs" in after, f"{FROM_DISK} from disk: the demo is dead"


# The pages whose widget has a book version (nnlib.widgets.book_demo), and a demo there.
DEMO_PAGES = [
    "chapters/02_perceptron.html",
    "chapters/03_mlp.html",
    "chapters/04_activations.html",
    "chapters/06_gradient_descent.html",
    "chapters/08_init_optim.html",
    "chapters/09_regularization.html",
]


def _check_demos(page, name):
    """Each control of each demo (nnlib.widgets.book_demo), moved to another value, changes
    the picture and its alt text, with no kernel and no network."""
    demos = page.locator(".nnlib-demo")
    if name in DEMO_PAGES:
        assert demos.count() >= 1, f"{name}: no demo"
    for d in range(demos.count()):
        demo = demos.nth(d)
        controls = demo.locator("select, input[type=range]")
        assert controls.count() >= 1, f"{name}: demo {d + 1} has no control"
        for c in range(controls.count()):
            picture = demo.locator("img.nnlib-demo-picture")
            before = (picture.get_attribute("src"), picture.get_attribute("alt"))
            control = controls.nth(c)
            last = int(control.evaluate("e => (e.options ? e.options.length : +e.max + 1) - 1"))
            now = int(control.evaluate("e => +e.value"))
            control.evaluate(
                "(e, v) => { e.value = String(v);"
                " e.dispatchEvent(new Event('input', {bubbles: true})); }",
                0 if now == last else last,
            )
            after = (picture.get_attribute("src"), picture.get_attribute("alt"))
            label = control.evaluate("e => e.labels[0].textContent")
            assert after != before, f"{name}: demo {d + 1}'s {label} did not change the picture"
