"""What the browser test needs: the built book, offline copies of its CDN scripts, a local
HTTP server, and headless Chromium.

The published book loads MathJax and the ipywidgets HTML manager from CDNs. The test runs
offline, so the server rewrites those addresses in every HTML page it serves to local
copies of the same npm packages (fetched once with `npm pack` into `.offline-assets/`).
The built files themselves are never changed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import yaml

_OFFLINE_SCRIPT = re.compile(r"<script[^>]*/__offline__/[^>]*>")
_INTEGRITY = re.compile(r'\s(integrity|crossorigin)="[^"]*"')

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / ".offline-assets"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# npm package -> folder name under /__offline__/
PACKAGES = {
    "mathjax@3.2.2": "mathjax",
    "@jupyter-widgets/html-manager@1.0.6": "html-manager",
    "requirejs@2.3.4": "requirejs",
}
# CDN address in the built HTML -> local address served by the test server
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/"
WIDGETS_CDN = "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.6/dist/"
REQUIRE_CDN = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js"
REWRITES = {
    MATHJAX_CDN: "/__offline__/mathjax/es5/",
    WIDGETS_CDN: "/__offline__/html-manager/dist/",
    REQUIRE_CDN: "/__offline__/requirejs/require.js",
}


def missing_tools():
    """Names of the programs the browser test needs and this machine lacks."""
    return [
        name
        for name, path in (("chromium", CHROMIUM), ("npm", shutil.which("npm")))
        if path is None
    ]


@contextlib.contextmanager
def _only_one_process(lock_path):
    """Hold an exclusive lock on `lock_path` (POSIX): pytest-xdist workers that open the
    book at the same time unpack the assets one after the other."""
    try:
        import fcntl
    except ImportError:  # Windows: no xdist browser workers there in practice
        yield
        return
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def offline_assets():
    """Unpack the npm packages the book loads from CDNs into .offline-assets/ (once)."""
    ASSETS.mkdir(exist_ok=True)
    with _only_one_process(ASSETS / ".lock"):
        _unpack_assets()
    return ASSETS


def _unpack_assets():
    for package, folder in PACKAGES.items():
        target = ASSETS / folder
        if (target / "package.json").exists():
            continue
        result = subprocess.run(
            ["npm", "pack", "--silent", package], cwd=ASSETS, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm pack {package} failed:\n{result.stderr}")
        tarball = ASSETS / result.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as archive:
            archive.extractall(ASSETS / f".{folder}", filter="data")
        shutil.rmtree(target, ignore_errors=True)
        (ASSETS / f".{folder}" / "package").rename(target)
        shutil.rmtree(ASSETS / f".{folder}")
        tarball.unlink()


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


FONT_SUFFIXES = (".woff", ".woff2", ".ttf", ".eot", ".svg")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the book, with CDN addresses in HTML pages pointed at the offline copies."""

    def __init__(self, *args, book, assets, **kwargs):
        self.book, self.assets = book, assets
        super().__init__(*args, directory=str(book), **kwargs)

    def translate_path(self, path):
        path = path.split("?")[0]
        if path.startswith("/__offline__/"):
            return str(self.assets / path[len("/__offline__/") :])
        if "/@jupyter-widgets/" in path and path.endswith(FONT_SUFFIXES):
            # The widget bundle asks for its icon fonts relative to the page, under one of
            # two prefixes; both are files of the html-manager package.
            return str(self.assets / "html-manager" / "dist" / path.rsplit("/", 1)[1])
        return super().translate_path(path)

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        text = path.read_text(encoding="utf-8")
        for cdn, local in REWRITES.items():
            text = text.replace(cdn, local)
        # The CDN's require.min.js carries a subresource-integrity hash; the npm package
        # ships the same release unminified, so its tag loses the hash here (and only here).
        text = _OFFLINE_SCRIPT.sub(lambda m: _INTEGRITY.sub("", m.group(0)), text)
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):
        pass


class BookServer:
    """`with BookServer(html, assets) as url:` serves the book on 127.0.0.1."""

    def __init__(self, book, assets):
        handler = functools.partial(_Handler, book=Path(book), assets=Path(assets))
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
