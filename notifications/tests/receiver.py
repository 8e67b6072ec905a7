"""A chat webhook receiver of our own on loopback: records every POST body and answers
with the statuses it is told to (then 200)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.hosts: list[str] = []  # the Host header of each POST
        self.fail_next: list[int] = []
        self.fail_when = ""  # fail only the messages containing this text (all when empty)
        self.url = ""


@contextmanager
def chat_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            receiver.bodies.append(body)
            receiver.hosts.append(self.headers.get("Host", ""))
            matches = receiver.fail_when in str(body.get("text", ""))
            status = receiver.fail_next.pop(0) if receiver.fail_next and matches else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/abc"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
