"""A kernel client that measures every message by the bytes that arrive, before parsing it.

jupyter_client parses a kernel's message (JSON) as soon as it is received, and nbclient keeps
what it parsed. A hostile kernel can make that cost anything: a 30 MB dict of three million
one-character keys becomes gigabytes of Python objects. So the grader's client:

- refuses, in ZeroMQ itself, any frame larger than ``max_message_bytes`` (``MAXMSGSIZE``:
  libzmq drops the connection before the frame is stored; the kernel reconnects and what it
  sent is lost), so the grader never holds a frame larger than that;
- sizes every message that arrives: the bytes of all its frames but the signature, plus
  ``ITEM_BYTES`` for every comma in its metadata and content (each separates one more JSON
  item, which costs a Python object of about that size once parsed: three million
  one-character keys are 15 MB of JSON but 300 MB of dict), and attaches the size as
  ``msg["pglab_bytes"]``;
- parses a message only if it fits in the channel's ``budget`` (what the executor still
  allows the current cell); a message over budget is replaced, unparsed, by a placeholder
  with its header (when the header itself is small) and ``msg["pglab_discarded"] = True``.

``SandboxedExecute`` sets ``budget`` from its output limits and counts ``pglab_bytes``.
"""

from __future__ import annotations

import typing as t

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.session import extract_dates
from traitlets import Integer, default

HEADER_BYTES = 64 * 1024  # a header or parent header larger than this is not parsed
DELIM = b"<IDS|MSG>"
UNLIMITED = 1 << 62
ITEM_BYTES = 100  # what one more JSON item (key, value, element) costs once parsed
CHUNK = 1 << 20


def commas(frame) -> int:
    """How many b"," a frame holds, counted in 1 MiB pieces (no copy of the whole frame)."""
    view = frame.buffer
    return sum(bytes(view[i : i + CHUNK]).count(b",") for i in range(0, len(view), CHUNK))


class BoundedChannel(AsyncZMQSocketChannel):
    """An asyncio channel that sizes each message from its frames before parsing it."""

    budget: int = UNLIMITED  # bytes the next message may have and still be parsed

    async def _recv(self, **kwargs: t.Any) -> dict[str, t.Any]:
        assert self.socket is not None
        frames = await self.socket.recv_multipart(copy=False)
        for index, frame in enumerate(frames):
            if len(frame) == len(DELIM) and frame.bytes == DELIM:
                parts = frames[index + 1 :]
                break
        else:
            raise ValueError("DELIM not in msg_list")
        arrived = sum(len(frame) for frame in parts[1:])  # all but the signature
        if arrived <= self.budget:
            arrived += ITEM_BYTES * sum(commas(frame) for frame in parts[3:5])
        if arrived <= self.budget:
            msg = self.session.deserialize(parts, copy=False)
        else:
            msg = self._placeholder(parts)
        del frames, parts
        msg["pglab_bytes"] = arrived
        return msg

    def _placeholder(self, parts: list) -> dict[str, t.Any]:
        """The message without its content: header and parent only, if they are small."""
        header: dict = {}
        parent: dict = {}
        if len(parts) >= 3 and len(parts[1]) <= HEADER_BYTES and len(parts[2]) <= HEADER_BYTES:
            try:
                header = extract_dates(self.session.unpack(parts[1].bytes))
                parent = extract_dates(self.session.unpack(parts[2].bytes))
            except Exception:  # garbled: a message nobody waits for
                header, parent = {}, {}
            if not isinstance(header, dict) or not isinstance(parent, dict):
                header, parent = {}, {}
        return {
            "header": header,
            "msg_id": str(header.get("msg_id", "")),
            "msg_type": str(header.get("msg_type", "")),
            "parent_header": parent,
            "metadata": {},
            "content": {},
            "buffers": [],
            "pglab_discarded": True,
        }


class BoundedKernelClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose channels size messages by their frames (see module doc)."""

    max_message_bytes = Integer(
        0,
        help="Largest frame the grader accepts from the kernel (ZeroMQ MAXMSGSIZE), in "
        "bytes; 0 means no limit. A larger frame drops the connection and is lost.",
    ).tag(config=True)

    iopub_channel_class = t.cast(t.Any, BoundedChannel)
    shell_channel_class = t.cast(t.Any, BoundedChannel)
    stdin_channel_class = t.cast(t.Any, BoundedChannel)
    control_channel_class = t.cast(t.Any, BoundedChannel)

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        if self.max_message_bytes:
            context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        return context


class BoundedKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` handing out ``BoundedKernelClient``s."""

    max_message_bytes = Integer(
        0,
        help="Passed to BoundedKernelClient.max_message_bytes (0: no limit); "
        "SandboxedExecute sets it from its output limits.",
    ).tag(config=True)

    @default("client_factory")
    def _client_factory_default(self) -> type:
        return BoundedKernelClient

    def client(self, **kwargs: t.Any) -> t.Any:
        kwargs.setdefault("max_message_bytes", self.max_message_bytes)
        return super().client(**kwargs)
