#!/usr/bin/python3
"""Serve aiosmtpd 1.4.3 on loopback for the interop differential tests.

Usage: aiosmtpd_server.py CONFIGS_JSON

CONFIGS_JSON is a JSON list of objects, one per server to start:
    {"name": str, "hostname": str, "ident": str or null,
     "data_size_limit": int or null (null keeps aiosmtpd's default),
     "smtputf8": bool, "lmtp": bool}

Every server listens on 127.0.0.1 on a port chosen by the kernel. The script
writes JSON lines on stdout:
    {"event": "listening", "name": ..., "addr": "127.0.0.1:PORT"}  per server
    {"event": "ready"}                                             once
    {"event": "message", "name": ..., "peer_port": int,
     "mail_from": B64, "rcpt_tos": [B64...], "mail_options": [B64...],
     "content": B64, "debugging": str}                             per message
    {"event": "sync", "token": ...}                                per request
B64 is the base64 of the exact bytes (aiosmtpd keeps undecodable bytes of
the envelope as surrogate escapes, which JSON strings cannot carry). Each
"message" is written before the DATA reply goes out, so a client that
has its 250 and then asks for a sync ("sync TOKEN" on stdin) sees every
message of its session before the matching "sync" event.

The script exits when stdin reaches end of file, so it never outlives the
test process that started it.
"""

import asyncio
import base64
import functools
import io
import json
import sys
import threading

from aiosmtpd.handlers import Debugging
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def b64(value):
    """Return the base64 of value's exact bytes (str is surrogate-escaped)."""
    if value is None:
        value = b""
    if isinstance(value, str):
        value = value.encode("utf-8", errors="surrogateescape")
    return base64.b64encode(value).decode("ascii")


class Recorder:
    """Records each delivered message and answers like aiosmtpd's Sink.

    In LMTP mode it answers once per accepted recipient, as RFC 2033 4.2
    requires and as every LMTP handler for aiosmtpd must do by itself: the
    LMTP class sends exactly the string handle_DATA returns.
    """

    def __init__(self, name, lmtp):
        self.name = name
        self.lmtp = lmtp

    async def handle_DATA(self, server, session, envelope):
        rendering = io.StringIO()
        await Debugging(rendering).handle_DATA(server, session, envelope)
        emit({
            "event": "message",
            "name": self.name,
            "peer_port": session.peer[1],
            "mail_from": b64(envelope.mail_from),
            "rcpt_tos": [b64(r) for r in envelope.rcpt_tos],
            "mail_options": [b64(o) for o in envelope.mail_options],
            "content": b64(envelope.original_content),
            "debugging": rendering.getvalue().encode(
                "utf-8", errors="surrogateescape").decode("utf-8", "replace"),
        })
        if self.lmtp:
            return "\r\n".join("250 OK" for _ in envelope.rcpt_tos)
        return "250 OK"


def factory(config, loop):
    cls = LMTP if config.get("lmtp") else SMTP
    kwargs = {
        "hostname": config["hostname"],
        "enable_SMTPUTF8": bool(config.get("smtputf8")),
        "loop": loop,
    }
    if config.get("ident"):
        kwargs["ident"] = config["ident"]
    if config.get("data_size_limit") is not None:
        kwargs["data_size_limit"] = config["data_size_limit"]
    handler = Recorder(config["name"], bool(config.get("lmtp")))
    return cls(handler, **kwargs)


def watch_stdin(loop, stop):
    """Answer sync requests in the loop's thread; stop the loop at EOF."""
    for line in sys.stdin:
        words = line.split()
        if len(words) == 2 and words[0] == "sync":
            loop.call_soon_threadsafe(emit, {"event": "sync", "token": words[1]})
    loop.call_soon_threadsafe(stop.set)


async def serve(configs):
    loop = asyncio.get_running_loop()
    servers = []
    for config in configs:
        server = await loop.create_server(
            functools.partial(factory, config, loop), host="127.0.0.1", port=0)
        port = server.sockets[0].getsockname()[1]
        emit({"event": "listening", "name": config["name"],
              "addr": f"127.0.0.1:{port}"})
        servers.append(server)
    stop = asyncio.Event()
    threading.Thread(target=watch_stdin, args=(loop, stop), daemon=True).start()
    emit({"event": "ready"})
    await stop.wait()
    for server in servers:
        server.close()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asyncio.run(serve(json.loads(sys.argv[1])))


if __name__ == "__main__":
    main()
