"""Where the fetcher may connect: public addresses only, unless the user names a host or network.

A news crawler run on a cloud machine must never be steered (by a redirect, a robots.txt redirect
or a link in a sitemap) to a metadata service (169.254.169.254), the machine itself or a private
network. Every host is resolved here, each of its addresses is checked, and the connection is made
to a checked address (extractor.fetch.transport), so a second DNS answer cannot differ from the
first one.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP address strings

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """The host is, or resolves to, an address the fetcher may not connect to."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnresolvableHost(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resolve_host(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: dict[str, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        found.setdefault(str(sockaddr[0]).split("%", 1)[0], None)  # drop an IPv6 zone (fe80::1%eth0)
    return list(found)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public_kind(ip: IPAddress) -> str | None:
    """Why the fetcher may not connect to `ip` ('loopback', 'private', ...), or None for a public address."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        kind = non_public_kind(embedded)
        return f"{kind} (inside {ip})" if kind else None
    for kind, flag in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("private", ip.is_private), ("reserved", ip.is_reserved)):
        if flag:
            return kind
    return None if ip.is_global else "non-global"  # e.g. 100.64.0.0/10, carrier-grade NAT


@dataclass(frozen=True)
class AllowList:
    """What `--allow-host` named: host names (matched exactly, any case) and addresses or networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str]) -> AllowList:
        """ValueError names a value that is neither a host name nor an address or network."""
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for value in values:
            text = value.strip().lower().removeprefix("[").removesuffix("]")
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
                continue
            except ValueError:
                pass
            if not text or any(c in text for c in "/:@ ?#[]"):
                raise ValueError(f"--allow-host wants a host name, an address or a network, got {value!r}")
            names.add(text.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows_address(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.networks)


@dataclass
class AddressGuard:
    """Resolves each (host, port) once and refuses it when any address is not public and not allowed."""

    allow: AllowList = field(default_factory=AllowList)
    resolver: Resolver = resolve_host
    timeout: float | None = None  # seconds one lookup may take (a hostile name server can stall it)
    _checked: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; AddressRefused or UnresolvableHost otherwise. No connection is made."""
        key = (host.lower().rstrip("."), port)
        if key not in self._checked:
            self._checked[key] = self._check(*key)
        return self._checked[key]

    def _check(self, host: str, port: int) -> list[str]:
        literal = _ip_literal(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = _bounded(self.resolver, host, port, self.timeout)
            except (OSError, UnicodeError) as error:
                raise UnresolvableHost(f"cannot resolve host {host!r} ({error})") from error
            if not addresses:
                raise UnresolvableHost(f"cannot resolve host {host!r} (no address)")
        if self.allow.allows_name(host):
            return addresses
        for text in addresses:
            ip = ipaddress.ip_address(text)
            kind = None if self.allow.allows_address(ip) else non_public_kind(ip)
            if kind:
                where = text if literal is not None else f"{host} resolves to {text}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise AddressRefused(f"refused: {where} is {article} {kind} address (see --allow-host)")
        return addresses


def _bounded(resolver: Resolver, host: str, port: int, timeout: float | None) -> list[str]:
    """resolver(host, port), given up after `timeout` seconds: the system resolver cannot be interrupted,
    so it runs in a daemon thread that is left to finish on its own."""
    if timeout is None:
        return resolver(host, port)
    outcome: list[list[str] | BaseException] = []

    def lookup() -> None:
        try:
            outcome.append(resolver(host, port))
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer within {timeout:g}s")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]").split("%", 1)[0])
    except ValueError:
        return None
