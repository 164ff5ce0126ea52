"""_ext/kernel_wait.py: a reply whose wake-up was missed is still read within one slice,
and the overall timeout keeps its meaning."""

import asyncio
import importlib.util
import time
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from conftest import ROOT

spec = importlib.util.spec_from_file_location("kernel_wait", ROOT / "_ext" / "kernel_wait.py")
kernel_wait = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kernel_wait)


class MissesOneWakeUp:
    """A channel whose message is there from the start, but whose first poll does not see
    it and sleeps for its whole timeout: the stall the extension guards against."""

    def __init__(self):
        self.calls = []

    async def get_msg(self, timeout=None):
        self.calls.append(timeout)
        if len(self.calls) == 1:
            await asyncio.sleep(timeout)
            raise Empty
        return {"msg_type": "execute_reply"}


class NeverReplies:
    async def get_msg(self, timeout=None):
        await asyncio.sleep(timeout)
        raise Empty


def test_a_missed_wake_up_costs_one_slice_not_the_timeout():
    channel = kernel_wait.patch_async_channel(MissesOneWakeUp, slice_seconds=0.05)()
    start = time.monotonic()
    # Unpatched, this would sleep out the 600 s; wait_for turns that into a failure.
    msg = asyncio.run(asyncio.wait_for(channel.get_msg(timeout=600), 5))
    assert msg == {"msg_type": "execute_reply"}
    assert time.monotonic() - start < 5
    assert channel.calls[0] == pytest.approx(0.05) and len(channel.calls) == 2


def test_the_overall_timeout_still_raises_empty():
    channel = kernel_wait.patch_async_channel(NeverReplies, slice_seconds=0.05)()
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=0.3))
    assert 0.29 < time.monotonic() - start < 2
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=0))  # a poll that must not wait


def test_patching_twice_wraps_once():
    class Channel(NeverReplies):
        pass

    first = kernel_wait.patch_async_channel(Channel).get_msg
    assert kernel_wait.patch_async_channel(Channel).get_msg is first


def test_a_real_zmq_reply_arrives_through_the_patched_jupyter_channel():
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.session import Session

    kernel_wait.patch_async_channel()
    assert AsyncZMQSocketChannel.get_msg._waits_in_slices

    async def round_trip():
        context = zmq.asyncio.Context()
        kernel, client = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
        kernel.bind("inproc://kernel-wait-test")
        client.connect("inproc://kernel-wait-test")
        session = Session()
        channel = AsyncZMQSocketChannel(client, session)
        try:
            with pytest.raises(Empty):
                await channel.get_msg(timeout=0.2)
            session.send(kernel, "execute_reply", {"status": "ok"})
            return await channel.get_msg(timeout=5)
        finally:
            kernel.close(linger=0)
            client.close(linger=0)
            context.term()

    msg = asyncio.run(round_trip())
    assert msg["msg_type"] == "execute_reply" and msg["content"] == {"status": "ok"}
