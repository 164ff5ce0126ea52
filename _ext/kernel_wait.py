"""Keep the book's notebook execution from stalling on a reply that has already arrived.

myst-nb executes each notebook with nbclient, which waits for a cell's `execute_reply`
with one asynchronous ZeroMQ poll lasting the whole cell timeout (600 s here). ZeroMQ
announces new messages on an edge-triggered file descriptor, and now and then that wake-up
is missed (we saw it on the widget chapters, on a busy 2-core machine, about once in ten
builds, and jupyter/nbclient#312 reports the same): the reply sits unread in the socket,
the kernel is idle, and the build waits out the timeout and then fails the page.

The fix waits in slices of half a second instead. Each new poll first asks the socket
whether a message is already waiting (pyzmq checks `EVENTS` when a poll starts), so a
missed wake-up costs at most one slice. Nothing else changes: the same messages, in the
same order, with the same overall timeout.
"""

from __future__ import annotations

import time
from queue import Empty

SLICE_SECONDS = 0.5


def patch_async_channel(channel_class=None, slice_seconds=SLICE_SECONDS):
    """Make `channel_class.get_msg(timeout)` poll in slices; idempotent."""
    if channel_class is None:
        from jupyter_client.channels import AsyncZMQSocketChannel as channel_class
    if getattr(channel_class.get_msg, "_waits_in_slices", False):
        return channel_class
    whole_wait = channel_class.get_msg

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            wait = slice_seconds if left is None else min(slice_seconds, left)
            try:
                return await whole_wait(self, wait)
            except Empty:
                if left is not None and time.monotonic() >= deadline:
                    raise

    get_msg._waits_in_slices = True
    get_msg.__doc__ = whole_wait.__doc__
    channel_class.get_msg = get_msg
    return channel_class


def setup(app):
    patch_async_channel()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
