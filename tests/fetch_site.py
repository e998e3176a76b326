"""The test web server for `extract fetch`: a local HTTP server on 127.0.0.1 serving tests/fixtures/site,
plus per-test routes, raw replies (hand-written bytes on the socket, for broken servers) and a fake
clock. No test sends traffic off the machine.

The server records every request, so tests can say what was never asked for (robots.txt) and how
far apart requests to the host were. Registered as a plugin in conftest.py, so `site` and `fake` are
fixtures in every test module.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import extractor.fetch as fetch

SITE = Path(__file__).parent / "fixtures" / "site"
PAGES = {p["plain"].removesuffix(".txt"): p for p in json.loads((SITE / "pages.json").read_text("utf-8"))["pages"]}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
}
# GBK pages: the e-paper says its charset in the HTTP header, the health commission only in <meta>.
GBK_TYPES = {"/epaper/": "text/html; charset=GBK", "/wsjkw/": "text/html"}


# ---------------------------------------------------------------- no traffic off the machine


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address any socket connects to, in every test. A non-loopback one is blocked before it
    leaves the machine (and recorded, so a test asserting it never happened fails)."""
    seen: list[str] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        if sock.family == socket.AF_UNIX:  # a local socket file, not the network
            return real_connect(sock, address)
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        seen.append(host)
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if not local:
            raise ConnectionRefusedError(f"test safety net: blocked a connection to {host}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


# ---------------------------------------------------------------- the test server


@dataclass
class Hit:
    path: str
    at: float  # real monotonic time
    fake_at: float | None  # the fake clock's time when the request arrived
    headers: dict[str, str]


Reply = tuple[int, dict[str, str], bytes]
RawReply = Callable[[socket.socket], None]  # writes the whole response, status line and all, itself


@dataclass
class Site:
    base: str = ""
    hits: list[Hit] = field(default_factory=list)
    routes: dict[str, Callable[[dict[str, str]], Reply]] = field(default_factory=dict)
    raw: dict[str, RawReply] = field(default_factory=dict)
    clock: FakeClock | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def static(self, path: str) -> Reply:
        file = (SITE / urlsplit(path).path.lstrip("/")).resolve()
        if SITE.resolve() not in file.parents or not file.is_file():
            return 404, {"Content-Type": "text/html"}, b"<html><body>not found</body></html>"
        body = file.read_bytes().replace(b"{{BASE}}", self.base.encode("ascii"))
        kind = next((t for prefix, t in GBK_TYPES.items() if path.startswith(prefix)), None)
        return 200, {"Content-Type": kind or CONTENT_TYPES.get(file.suffix, "text/html; charset=utf-8")}, body


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake = site.clock.now() if site.clock else None
            site.hits.append(Hit(self.path, time.monotonic(), fake, headers))
            if self.path in site.raw:
                self.close_connection = True
                try:
                    site.raw[self.path](self.connection)
                except OSError:
                    pass  # the client hung up: what a hostile server sees when the fetcher gives up
                return
            route = site.routes.get(self.path) or site.routes.get(urlsplit(self.path).path)
            status, reply_headers, body = route(headers) if route else site.static(self.path)
            self.send_response(status)
            for key, value in reply_headers.items():
                self.send_header(key, value)
            if "Content-Length" not in reply_headers and not reply_headers.get("X-No-Length"):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep pytest output quiet
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
    # Done-criterion: whatever a test did, robots.txt's disallowed path was never requested.
    assert not [p for p in state.paths() if p.startswith("/private/") and p != "/private/public-note.html"]


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.sleeps.append(seconds)
            self.t += seconds


def run_fetch(argv: list[str], clock: FakeClock | None = None, *, allow_local: bool = True, **hooks: object) -> int:
    """`extract fetch` with the test server's address allowed explicitly (loopback is refused by default)."""
    parser = argparse.ArgumentParser(prog="extract fetch")
    fetch.add_arguments(parser)
    args = parser.parse_args([*argv, "--no-progress", *(["--allow-host", "127.0.0.1"] if allow_local else [])])
    return fetch.run(args, clock=clock, **hooks)  # type: ignore[arg-type]


@pytest.fixture
def fake(site: Site) -> FakeClock:
    site.clock = FakeClock()
    return site.clock


def stored(out: Path) -> dict[str, dict]:
    """Article id -> meta of every article in the corpus directory."""
    return {p.name.removesuffix(".meta.json"): json.loads(p.read_text("utf-8")) for p in out.glob("*.meta.json")}


def article_page(title: str, paragraph: str) -> bytes:
    return (
        f"<html lang='vi'><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
        f"<div class='content'><p>{paragraph}</p><p>Ban tổ chức cho biết sẽ duy trì hoạt động hằng năm "
        f"để bổ sung nguồn máu cho các bệnh viện.</p></div></body></html>"
    ).encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}
DONATION = "Ngày hội hiến máu tình nguyện tiếp nhận {n} đơn vị máu từ đoàn viên, sinh viên trên địa bàn."
