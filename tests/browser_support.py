"""What the browser test needs: the built book, a local HTTP server, and headless Chromium.

The book carries its own copies of MathJax and the widget scripts (_ext/offline_assets.py
puts them into _build/html at build time), so the server serves the built files exactly
as they are, and the test refuses every request that leaves the machine: it sees what a
reader without a network sees.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import sys
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from offline_assets import ASSETS, fetch  # noqa: E402 - the build's npm copies
from publication import PLACEHOLDER  # noqa: E402, F401 - the test checks no link goes there

# axe-core, the accessibility checker the browser test runs in every page (test only).
AXE_PACKAGE = {"axe-core@4.14.1": "axe-core"}


def axe_script():
    """The path of axe.min.js, fetched once with npm into .offline-assets/ (pytest-xdist
    workers take turns)."""
    import fcntl  # POSIX, as the browser test's CI is

    ASSETS.mkdir(exist_ok=True)
    with open(ASSETS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = fetch(ASSETS, AXE_PACKAGE)
    if missing:
        raise RuntimeError(f"npm could not fetch {missing[0]}")
    return ASSETS / "axe-core" / "axe.min.js"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def missing_tools():
    """Names of the programs the browser test needs and this machine lacks."""
    return [
        name
        for name, path in (("chromium", CHROMIUM), ("npm", shutil.which("npm")))
        if path is None
    ]


def load_tasks():
    """The repository's tasks.py, which builds the book (see its `build_book`)."""
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def current_book():
    """_build/html, built first (only the notebooks not cached run) unless it is current.
    Returns None when the build had warnings."""
    tasks = load_tasks()
    if not tasks.book_is_current():
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        if not tasks.build_book(jupyter_book):
            return None
    return tasks.BOOK_HTML


def book_pages():
    """The HTML pages of the book, from _toc.yml, plus Sphinx's index and search pages."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return [f"{page}.html" for page in pages] + ["genindex.html", "search.html"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built book's files as they are, quietly."""

    def log_message(self, *args):
        pass


class BookServer:
    """`with BookServer(html) as url:` serves the book on 127.0.0.1."""

    def __init__(self, book):
        handler = functools.partial(_Handler, directory=str(book))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Run in the page once MathJax has finished: the visible text outside code and formulas,
# the images that failed, and the exercise solutions that are open.
PAGE_REPORT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .MathJax, textarea')
      .forEach(node => node.remove());
  const images = [...document.querySelectorAll('main img')];
  const solutions = [...document.querySelectorAll('.solution.dropdown')];
  return {
    text: copy.innerText,
    formulas: document.querySelectorAll('mjx-container').length,
    brokenImages: images.filter(img => !(img.complete && img.naturalWidth > 0))
                        .map(img => img.getAttribute('src')),
    images: images.length,
    openSolutions: solutions.filter(s => {
        const body = [...s.children].filter(c => !c.classList.contains('admonition-title'));
        return body.some(c => c.offsetHeight > 0 && !c.classList.contains('toggle-button'));
    }).map(s => (s.querySelector('.admonition-title') || s).innerText.slice(0, 80)),
    solutions: solutions.length,
    widgets: document.querySelectorAll('.jupyter-widgets').length,
  };
}
"""

# Run in a laid-out page: what does not fit across its column at the window's width, so
# that the reader would have to scroll it sideways: display formulas wider than their box,
# and code or printed text wider than its box. Each as [text, needed px, box px].
OVERFLOW_JS = """
() => {
  const wide = (box, inner) => inner > box.getBoundingClientRect().width + 1;
  const clip = text => text.replace(/\\s+/g, ' ').trim().slice(0, 70);
  const formulas = [...document.querySelectorAll('main mjx-container[display="true"]')]
    .filter(m => m.firstElementChild
                 && wide(m, m.firstElementChild.getBoundingClientRect().width))
    .map(m => [clip(m.textContent), Math.round(m.firstElementChild.getBoundingClientRect().width),
               Math.round(m.getBoundingClientRect().width)]);
  const code = [...document.querySelectorAll('main pre')]
    .filter(p => p.offsetHeight > 0 && p.scrollWidth > p.clientWidth + 1)
    .map(p => [clip(p.textContent.split('\\n').reduce((a, l) => l.length > a.length ? l : a, '')),
               p.scrollWidth, p.clientWidth]);
  return {formulas, code};
}
"""
