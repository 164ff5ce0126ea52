"""The book reads offline: MathJax, RequireJS and the ipywidgets HTML manager are copied
into the built book and loaded from there instead of from CDNs.

The copies are the npm packages of the versions the CDN addresses name, fetched once
with `npm pack` into `.offline-assets/` (git ignores it) and unpacked there. Only what a
page loads is copied into `_build/html/_static/offline/`: MathJax's browser build, the
widget manager's bundle with its chunks and icon fonts, and require.js. Where they cannot
be fetched (no npm, no network, and no earlier copy), the build says so and the pages
keep the CDN addresses: the math then typesets only with a network.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

from sphinx.util import logging
from sphinx.util.console import bold

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / ".offline-assets"
STAGE = ASSETS / "static"  # its offline/ is copied into the book's _static/

# npm package -> folder under .offline-assets/ (the versions the CDN addresses name)
PACKAGES = {
    "mathjax@3.2.2": "mathjax",
    "@jupyter-widgets/html-manager@1.0.6": "html-manager",
    "requirejs@2.3.4": "requirejs",
}
# What the pages load, from each unpacked package: (source, target under offline/).
COPIES = (
    ("mathjax/es5", "mathjax"),
    ("html-manager/dist", "html-manager"),
    ("requirejs/require.js", "requirejs/require.js"),
)
# Left out: source maps (for a debugger, not a reader), MathJax's other combined builds
# (the pages load tex-mml-chtml.js, which loads the rest on demand), and the widget
# manager's builds for pages without RequireJS.
UNUSED = (
    "*.map",
    "mml-*.js",
    "tex-chtml*.js",
    "tex-svg*.js",
    "tex-mml-svg.js",
    "node-main.js",
    "embed.js",
    "libembed-amd.js",
)
# The widget manager's modules load their icon fonts from beside their own addresses,
# which RequireJS would take to be in the page's folder: it is told that they all live in
# the manager's folder (the modules are in embed-amd.js; only the fonts are fetched).
REQUIRE_PATHS = """\
(function () {
  var here = (document.documentElement.dataset.content_root || "") +
    "_static/offline/html-manager/";
  require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": here.slice(0, -1),
      "@jupyter-widgets/html-manager": here + "html-manager",
      "@jupyter-widgets/base": here + "base",
      "@jupyter-widgets/controls": here + "controls",
    },
  });
})();
"""
MATHJAX_PATH = "offline/mathjax/tex-mml-chtml.js"
WIDGET_SCRIPTS = {
    "offline/requirejs/require.js": {},
    "offline/require-paths.js": {},
    # The bundle holds the standard widgets; a widget from another package would be
    # fetched from this address, which stays the CDN's.
    "offline/html-manager/embed-amd.js": {
        "data-jupyter-widgets-cdn": "https://cdn.jsdelivr.net/npm/"
    },
}


def fetch(assets=ASSETS, packages=None):
    """Unpack each npm package (`packages`: package -> folder, by default the book's)
    into `assets` unless it is there; return the packages that could not be fetched."""
    assets.mkdir(exist_ok=True)
    missing = []
    for package, folder in (packages or PACKAGES).items():
        target = assets / folder
        if (target / "package.json").exists():
            continue
        try:
            packed = subprocess.run(
                ["npm", "pack", "--silent", package],
                cwd=assets,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except (OSError, subprocess.TimeoutExpired):
            missing.append(package)
            continue
        if packed.returncode != 0 or not packed.stdout.strip():
            missing.append(package)
            continue
        tarball = assets / packed.stdout.strip().splitlines()[-1]
        unpacked = assets / f".{folder}"
        shutil.rmtree(unpacked, ignore_errors=True)
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        (unpacked / "package").rename(target)
        shutil.rmtree(unpacked)
        tarball.unlink()
    return missing


def stage(assets=ASSETS, stage_dir=STAGE):
    """Copy what the pages load into `stage_dir`/offline, once."""
    done = stage_dir / "offline" / ".complete"
    versions = "\n".join([*PACKAGES, REQUIRE_PATHS])  # a change here stages again
    if done.exists() and done.read_text() == versions:
        return stage_dir
    shutil.rmtree(stage_dir, ignore_errors=True)
    for source, target in COPIES:
        source, target = assets / source, stage_dir / "offline" / target
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(*UNUSED))
        else:
            shutil.copy2(source, target)
    (stage_dir / "offline" / "require-paths.js").write_text(REQUIRE_PATHS)
    done.write_text(versions)
    return stage_dir


def use_local_copies(app, config):
    missing = fetch()
    if missing:
        logger.info(
            bold("offline copies: ")
            + f"npm could not fetch {', '.join(missing)}; the pages load MathJax and the "
            "widget scripts from their CDNs, so the math needs a network to typeset"
        )
        return
    stage()
    config.mathjax_path = MATHJAX_PATH
    config.nb_ipywidgets_js = WIDGET_SCRIPTS


def publish(app, exception):
    """Copy the staged files into the built book's _static/offline/, unless the copy there
    is the current one. (Sphinx copies its static folders only when it writes a page; a
    build with nothing to write would keep a stale copy.)"""
    if exception is not None or app.builder.format != "html" or not app.config.mathjax_path:
        return
    if app.config.mathjax_path != MATHJAX_PATH:
        return
    source = STAGE / "offline"
    target = Path(app.outdir) / "_static" / "offline"
    marker = ".complete"
    if (target / marker).exists() and (target / marker).read_text() == (
        source / marker
    ).read_text():
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)


def setup(app):
    app.connect("build-finished", publish)
    # Before myst-nb reads its settings (builder-inited) and MathJax's path is used.
    app.connect("config-inited", use_local_copies, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
