"""Small fixes to the HTML that Jupyter Book 1.x writes, found by the browser test.

- sphinx-thebe registers its inline configuration script each time Sphinx reads the
  documents, so a page can carry `const THEBE_JS_URL = ...` twice, which is a JavaScript
  error ("Identifier has already been declared"). Each page keeps one copy of each script.
"""


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


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=999)  # after the rest
    return {"parallel_read_safe": True, "parallel_write_safe": True}
