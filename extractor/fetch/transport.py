"""The requests transport the fetcher sends through: connections only to checked addresses, and a
deadline over a whole request.

`GuardedAdapter` replaces urllib3's connection step: the host is resolved by the `AddressGuard`,
every address checked, and the socket opened to a checked address (never re-resolved), so no
connection to a refused address is ever attempted. The `Watchdog` bounds a request in wall time:
per-read timeouts alone let a server trickling one byte a second hold a request for ever, so when
the deadline passes the socket is shut down and the blocked read ends.
"""

from __future__ import annotations

import socket
import sys
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from extractor.fetch.addresses import AddressGuard


class Watchdog:
    """Shuts down the socket of the request in flight once its deadline has passed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self._generation = 0  # a timer of an earlier request that fires late must not count
        self.fired = False

    def start(self, seconds: float) -> None:
        self.stop()
        with self._lock:
            self._generation += 1
            self.fired = False
            self._timer = threading.Timer(seconds, self._fire, args=(self._generation,))
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            self._socket = None

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._socket = sock
            if self.fired:
                _shut(sock)

    def _fire(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation and self._timer is not None:
                self.fired = True
                _shut(self._socket)


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _GuardedConnection:
    """Mixin for urllib3's connections: connect only to the guard's checked addresses."""

    guard: AddressGuard
    watchdog: Watchdog

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        last: OSError | None = None
        # AddressRefused / UnresolvableHost propagate untouched: urllib3 neither retries nor wraps them.
        for address in self.guard.addresses(conn.host, conn.port):
            try:
                sock = urllib3_connection.create_connection(
                    (address, conn.port), conn.timeout, source_address=conn.source_address,
                    socket_options=conn.socket_options)
            except TimeoutError as error:
                raise ConnectTimeoutError(conn, f"connection to {conn.host} ({address}) timed out") from error
            except OSError as error:
                last = error
                continue
            sys.audit("http.client.connect", self, conn.host, conn.port)  # as urllib3's own _new_conn does
            self.watchdog.watch(sock)
            return sock
        raise NewConnectionError(conn, f"failed to establish a new connection: {last}")

    def request(self, *args: Any, **kwargs: Any) -> None:
        self.watchdog.watch(getattr(self, "sock", None))  # a kept-alive connection: its socket is in flight
        super().request(*args, **kwargs)  # type: ignore[misc]


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools make `_GuardedConnection`s. Proxies (if the environment sets any)
    are the user's own choice and are not checked; the target URL's host still is, by PoliteClient."""

    def __init__(self, guard: AddressGuard, watchdog: Watchdog) -> None:
        mixin = {"guard": guard, "watchdog": watchdog}
        http_conn = type("GuardedHTTPConnection", (_GuardedConnection, HTTPConnection), mixin)
        https_conn = type("GuardedHTTPSConnection", (_GuardedConnection, HTTPSConnection), mixin)
        self._pool_classes = {
            "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes


def send_once(session: requests.Session, url: str, headers: dict[str, str], timeout: float) -> requests.Response:
    """One streamed GET through the session's adapter, keeping its cookies and environment settings.
    Not Session.send: that parses a redirect's Location even when told not to follow it, and a
    malformed one (`http://[::1/x`) raises there, before the fetcher can judge it."""
    prepared = session.prepare_request(requests.Request("GET", url, headers=headers))
    settings = session.merge_environment_settings(prepared.url, {}, True, None, None)
    response = session.get_adapter(prepared.url or url).send(prepared, timeout=(timeout, timeout), **settings)
    extract_cookies_to_jar(session.cookies, prepared, response.raw)
    return response
