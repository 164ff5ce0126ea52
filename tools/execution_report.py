"""Print the notebooks a book build ran, with their execution times, slowest first.

    python tools/execution_report.py _build/.jupyter_cache SINCE

SINCE is a Unix time: notebooks cached after it were run by this build; the others came
from the cache. Run by `tasks.py book` after each build.
"""

from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path


def main(argv):
    cache_path, since = Path(argv[0]), float(argv[1])
    if not cache_path.exists():
        print("[tasks] no notebook was executed (no execution cache)")
        return 0
    from jupyter_cache import get_cache

    records = get_cache(cache_path).list_cache_records()
    ran, older = [], set()
    for record in records:
        created = record.created.replace(tzinfo=record.created.tzinfo or UTC).timestamp()
        if created >= since:
            ran.append((record.data.get("execution_seconds") or 0.0, record.uri))
        else:
            older.add(record.uri)
    # A notebook run again also has its older record, of the code before the edit.
    cached = len(older - {uri for _, uri in ran})
    root = Path.cwd()
    print(f"[tasks] notebooks run by this build: {len(ran)}; taken from the cache: {cached}")
    for seconds, uri in sorted(ran, reverse=True):
        path = Path(uri)
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        print(f"[tasks] {seconds:7.1f} s  {shown}")
    if ran:
        print(f"[tasks] {sum(s for s, _ in ran):7.1f} s  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
