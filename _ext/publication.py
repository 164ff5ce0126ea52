"""No dead links while the book has no public home.

`repository.url` in _config.yml names the book's public repository. The Binder and Colab
buttons, and the first cell of every notebook (which installs nnlib from there), point at
it. Until the book is published it is the placeholder below: the build then leaves the
launch buttons out and says so, and tools/notebooks.py writes an install cell that
explains instead of installing from an address that does not exist.
"""

from __future__ import annotations

from sphinx.util import logging
from sphinx.util.console import bold

logger = logging.getLogger(__name__)

PLACEHOLDER = "https://github.com/YOUR-ACCOUNT/neural-networks-book"
LAUNCH_KEYS = ("binderhub_url", "jupyterhub_url", "colab_url", "jupyterlite_url", "thebe")


def is_placeholder(url):
    """Whether `url` is not a real repository yet: the placeholder, or nothing."""
    return not url or url.rstrip("/") == PLACEHOLDER


def leave_out_launch_buttons(app, config):
    options = dict(config.html_theme_options)
    if not is_placeholder(options.get("repository_url")):
        return
    buttons = options.get("launch_buttons", {})
    options["launch_buttons"] = {k: v for k, v in buttons.items() if k not in LAUNCH_KEYS}
    config.html_theme_options = options
    logger.info(
        bold("warning: ")
        + f"repository.url in _config.yml is the placeholder {PLACEHOLDER}: the pages have "
        "no Binder or Colab buttons until it names the book's public repository (README, "
        "'Publishing the book')"
    )


def setup(app):
    app.connect("config-inited", leave_out_launch_buttons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
