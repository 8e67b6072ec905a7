"""A threaded loopback HTTP server that hosts a fake app, with fault injection.

The apps (fake JIRA, fake Tempo) only map a request to a response; this module
owns sockets, authentication failures and injected faults, so both fakes fail
the same way: 429 with or without ``Retry-After``, 5xx, slow answers that trip
the client's time-out, and 401.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]
    base_url: str

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int) -> int:
        value = self.arg(name)
        if value is None or value == "":
            return default
        return int(value)


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes/str sent as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, separators=(",", ":")).encode()


def json_error(status: int, message: str, *, jira: bool = False) -> FakeResponse:
    body = {"errorMessages": [message], "errors": {}} if jira else {"errors": [{"message": message}]}
    return FakeResponse(status, body)


class FakeApp(Protocol):
    def authorised(self, headers: dict[str, str]) -> bool: ...

    def handle(self, request: FakeRequest) -> FakeResponse: ...


@dataclass
class Fault:
    """Answer matching requests with ``status`` (and/or after ``delay`` seconds).

    ``after`` lets that many matching requests through first (e.g. fail the
    third page); ``times`` is how many requests the fault hits. A fault with a
    delay and no status answers normally, late. ``malformed_json`` answers 200
    with a body that is not JSON.
    """

    path: str = ""
    method: str | None = None
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    times: int = 1
    after: int = 0
    malformed_json: bool = False
    seen: int = 0
    hits: int = 0

    def matches(self, request: FakeRequest) -> bool:
        return request.path.startswith(self.path) and (self.method is None or self.method == request.method)


class FaultPlan:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault | None = None, **kwargs: Any) -> Fault:
        fault = fault or Fault(**kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pick(self, request: FakeRequest) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.hits >= fault.times or not fault.matches(request):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                fault.hits += 1
                return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        pass

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = raw_body
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
            base_url=self.server.base_url,
        )
        owner = self.server.owner
        owner.requests[f"{request.method} {request.path}"] += 1
        response = owner.respond(request)
        payload = response.encoded()
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (time-out fault): nothing to answer

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FakeServer
    base_url: str


class FakeServer:
    """Serves ``app`` on 127.0.0.1; ``port=0`` picks a free port."""

    def __init__(self, app: FakeApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.faults = FaultPlan()
        self.requests: Counter[str] = Counter()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        address = self._httpd.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self._httpd.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def respond(self, request: FakeRequest) -> FakeResponse:
        fault = self.faults.pick(request)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.malformed_json:
                return FakeResponse(200, "<html>not json</html>")
            if fault.status is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                if fault.status in (401, 403):
                    return FakeResponse(
                        fault.status,
                        "<html><body>Unauthorized</body></html>",
                        headers,
                        content_type="text/html",
                    )
                return FakeResponse(
                    fault.status, {"errors": [{"message": f"injected {fault.status}"}]}, headers
                )
        if not self.app.authorised(request.headers):
            return FakeResponse(401, "<html><body>Unauthorized</body></html>", content_type="text/html")
        try:
            return self.app.handle(request)
        except (ValueError, KeyError, TypeError) as exc:
            return json_error(400, f"bad request: {exc}")

    def start(self) -> FakeServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"fake-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
