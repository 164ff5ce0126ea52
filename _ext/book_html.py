"""Small fixes to the HTML that Jupyter Book 1.x writes, found by the browser test.

- sphinx-thebe registers its inline configuration script each time Sphinx reads the
  documents, so a page can carry `const THEBE_JS_URL = ...` twice, which is a JavaScript
  error ("Identifier has already been declared"). Each page keeps one copy of each script.
- What axe-core (the browser test's accessibility check) finds in the theme's markup,
  mended in every written page once the build has finished (`ACCESSIBLE`):
  the sidebar's fold-out toggles (`<summary>` with only an icon) get a name; the search
  button's name becomes its visible text ("Search Ctrl+K") instead of a shorter label;
  the colour-mode button's icons lose the titles that made their hidden text part of a
  name that did not say it; the bibliography's entries get the list-item role its list
  requires, instead of a role ARIA has deprecated.
"""

import re
from pathlib import Path


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        # an inline script may be registered once with filename None and once with ""
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


ACCESSIBLE = (
    (
        re.compile(r'<summary><span class="toctree-toggle" role="presentation">'),
        '<summary aria-label="Show or hide the sections">'
        '<span class="toctree-toggle" role="presentation">',
    ),
    (
        re.compile(r'(<button class="[^"]*search-button-field[^"]*"[^>]*?) aria-label="Search"'),
        r"\1",
    ),
    (re.compile(r'(<i class="theme-switch [^"]*"[^>]*?)\s+title="[^"]*"'), r"\1"),
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
)


def mend_accessibility(app, exception):
    """Apply `ACCESSIBLE` to every HTML page written (again and again: each is idempotent)."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        mended = text
        for pattern, replacement in ACCESSIBLE:
            mended = pattern.sub(replacement, mended)
        if mended != text:
            page.write_text(mended, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=999)  # after the rest
    app.connect("build-finished", mend_accessibility)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
