"""`extract fetch` against hostile servers, all on the local test server (tests/fetch_site.py).

Each test is one way a server (or a sitemap, a feed, a Location header, a state file) has tried to
crash the crawl, steer it to internal addresses, slip past robots.txt, or hold it without bound.
Nothing here leaves the machine: the `connections` fixture (tests/fetch_site.py, on for every test)
records every socket connect and blocks any that is not loopback, so a test that would have
connected to 169.254.169.254 fails instead.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import posixpath
import random
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import requests
from fetch_site import HTML, PAGES, FakeClock, RawReply, Site, run_fetch, stored

from extractor.fetch.addresses import AddressGuard, AddressRefused, AllowList, UnresolvableHost, non_public_kind
from extractor.fetch.decoding import CappedDecoder, DecodeError, TooLarge, gunzip_capped
from extractor.fetch.http import Policy, PoliteClient
from extractor.fetch.robots import parse_robots
from extractor.fetch.sources import parse_listing, parse_sitemap
from extractor.fetch.transport import GuardedAdapter, Watchdog
from extractor.fetch.urls import normalised_path, url_problem

ARTICLE = "/" + PAGES["jkb-luohe"]["page"]
SECOND = "/" + PAGES["nhandan-ha-nam"]["page"]
ROBOTS = {"Content-Type": "text/plain"}


# ---------------------------------------------------------------- guards for the tests themselves


class FakeDNS:
    """A resolver with fixed answers that records what it was asked; unknown names do not resolve
    (so no test ever queries a real DNS server)."""

    def __init__(self, answers: dict[str, list[str]] | None = None) -> None:
        self.answers = answers or {}
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"no such test host {host!r}")
        return self.answers[host]


def redirect(location: str) -> Callable[[dict[str, str]], tuple[int, dict[str, str], bytes]]:
    return lambda headers: (302, {"Location": location}, b"")


def raw_reply(data: bytes) -> RawReply:
    return lambda sock: sock.sendall(data)


# ---------------------------------------------------------------- where the fetcher may go

INTERNAL_REDIRECTS = [  # (route, Location, words of the refusal)
    ("/r/metadata", "http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("/r/ten", "http://10.20.30.40/tin-tuc/bai.html", "10.20.30.40 is a private address"),
    ("/r/https-private", "https://172.16.5.4/a.html", "172.16.5.4 is a private address"),
    ("/r/mapped", "http://[::ffff:169.254.169.254]/latest/", "::ffff:a9fe:a9fe is a link-local (inside"),
    ("/r/ula", "http://[fd00::1]/a.html", "fd00::1 is a private address"),
    ("/r/unspecified", "http://0.0.0.0:8080/", "0.0.0.0 is an unspecified address"),
    ("/r/by-name", "http://metadata.internal/computeMetadata/v1/",
     "metadata.internal resolves to 169.254.169.254, which is a link-local address"),
    ("/r/mixed", "http://intranet.example/a.html", "intranet.example resolves to 192.168.1.5, which is a private"),
]


def test_redirects_to_internal_addresses_are_refused_without_any_connection(
    site: Site, fake: FakeClock, tmp_path: Path, connections: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    dns = FakeDNS({"metadata.internal": ["169.254.169.254"], "intranet.example": ["93.184.216.34", "192.168.1.5"]})
    for route, location, _ in INTERNAL_REDIRECTS:
        site.routes[route] = redirect(location)
    urls = [site.url(route) for route, _, _ in INTERNAL_REDIRECTS] + [site.url(ARTICLE)]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake, resolver=dns) == 0  # refusals are skips by rule
    out = capsys.readouterr().out
    for route, location, words in INTERNAL_REDIRECTS:
        assert f"refused: {words}" in out and f"(redirected to {location})" in out, route
        assert site.count(route) == 1  # refused at once: no retries towards the internal host
    assert set(connections) == {"127.0.0.1"}  # nothing else was even attempted
    assert sorted(dns.asked) == ["intranet.example", "metadata.internal"]  # literals are never looked up
    assert len(stored(tmp_path)) == 1 and "fetched 1" in out


def test_loopback_is_refused_unless_allowed_by_name(
    site: Site, fake: FakeClock, tmp_path: Path, connections: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    port = urlsplit(site.base).port
    dns = FakeDNS({"localhost": ["127.0.0.1"]})
    urls = [site.url(ARTICLE), f"http://localhost:{port}{ARTICLE}", f"http://[::1]:{port}{ARTICLE}"]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake, allow_local=False, resolver=dns) == 0
    out = capsys.readouterr().out
    assert "refused: 127.0.0.1 is a loopback address (see --allow-host)" in out
    assert "refused: localhost resolves to 127.0.0.1, which is a loopback address" in out
    assert "refused: ::1 is a loopback address" in out
    assert site.hits == [] and connections == [] and not stored(tmp_path)
    # Named, the host is allowed (here by its name: any address it resolves to).
    assert run_fetch([urls[1], "--out", str(tmp_path), "--allow-host", "LOCALHOST"], fake,
                     allow_local=False, resolver=dns) == 0
    assert len(stored(tmp_path)) == 1 and set(connections) == {"127.0.0.1"}


@pytest.mark.parametrize(("location", "words"), [
    ("http://169.254.169.254/robots.txt", "refused: 169.254.169.254 is a link-local address"),
    ("file:///etc/passwd", "not http/https (file)"),
    ("http://[::1/robots.txt", "bad URL (Invalid IPv6 URL)"),
])
def test_robots_txt_redirected_somewhere_forbidden_means_nothing_fetched_and_a_failure(
    site: Site, fake: FakeClock, tmp_path: Path, connections: list[str], capsys: pytest.CaptureFixture[str],
    location: str, words: str,
) -> None:
    site.routes["/robots.txt"] = redirect(location)
    assert run_fetch([site.url(ARTICLE), site.url(SECOND), "--out", str(tmp_path)], fake) == 1
    out = capsys.readouterr().out
    assert f"robots.txt unreachable ({words}" in out and "failed 2" in out and "disallowed" not in out
    assert site.paths() == ["/robots.txt"] and set(connections) == {"127.0.0.1"}


def test_the_transport_itself_never_connects_to_a_refused_address(connections: list[str]) -> None:
    """Below the client's checks: a session with the guarded adapter refuses at the connection step."""
    guard = AddressGuard(AllowList(), FakeDNS({"db.internal": ["10.0.0.9"]}))
    session = requests.Session()
    adapter = GuardedAdapter(guard, Watchdog())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    for url in ("http://10.1.1.1/", "https://10.1.1.1/", "http://db.internal/", "http://[::ffff:10.0.0.1]/"):
        with pytest.raises(AddressRefused):
            session.get(url, timeout=1)
    assert connections == []


def test_a_host_is_resolved_once_and_connected_to_at_the_checked_address(site: Site, connections: list[str]) -> None:
    """DNS rebinding: a second, different answer is never asked for; the socket goes to the first."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    asked: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    site.routes["/robots.txt"] = lambda h: (200, ROBOTS, b"User-agent: *\nDisallow: /private/\n")  # no Crawl-delay
    guard = AddressGuard(AllowList.parse(["127.0.0.0/8"]), rebinding)
    client = PoliteClient(Policy(user_agent="test", delay=0, timeout=5), guard=guard)
    port = urlsplit(site.base).port
    for path in ("/robots.txt", ARTICLE, SECOND):
        assert client.get(f"http://news.test:{port}{path}").status == 200
    assert asked == ["news.test"] and set(connections) == {"127.0.0.1"}


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("10.1.2.3", "private"), ("172.31.0.1", "private"),
    ("192.168.0.1", "private"), ("169.254.169.254", "link-local"), ("100.64.0.1", "non-global"),
    ("224.0.0.251", "multicast"), ("0.0.0.0", "unspecified"), ("::1", "loopback"), ("fe80::1", "link-local"),
    ("fc00::1", "private"), ("ff02::1", "multicast"), ("::", "unspecified"),
    ("::ffff:127.0.0.1", "loopback (inside ::ffff:7f00:1)"),
    ("2002:a9fe:a9fe::", "link-local (inside 2002:a9fe:a9fe::)"),  # 6to4 around 169.254.169.254
    ("64:ff9b::a00:1", "private (inside 64:ff9b::a00:1)"),  # NAT64 around 10.0.0.1
    ("8.8.8.8", None), ("93.184.216.34", None), ("2606:4700::1111", None), ("::ffff:8.8.8.8", None),
])
def test_address_kinds(address: str, kind: str | None) -> None:
    assert non_public_kind(ipaddress.ip_address(address)) == kind


def test_guard_reads_zones_and_brackets_and_asks_the_resolver_once() -> None:
    dns = FakeDNS({"cdn.example": ["2606:4700::1111", "93.184.216.34"]})
    guard = AddressGuard(AllowList(), dns)
    for host in ("fe80::1%eth0", "[fe80::1]", "[::ffff:10.0.0.1]"):
        with pytest.raises(AddressRefused):
            guard.addresses(host, 80)
    assert guard.addresses("CDN.example.", 443) == guard.addresses("cdn.example", 443) == dns.answers["cdn.example"]
    assert dns.asked == ["cdn.example"]


def test_a_stalling_name_server_is_given_up_at_the_timeout() -> None:
    release = threading.Event()

    def stalling(host: str, port: int) -> list[str]:
        release.wait(30)  # a name server that never answers (until the test lets it go)
        return ["93.184.216.34"]

    guard = AddressGuard(AllowList(), stalling, timeout=0.05)
    try:
        with pytest.raises(UnresolvableHost, match=r"cannot resolve host 'slow.example' \(no answer within 0.05s\)"):
            guard.addresses("slow.example", 80)
    finally:
        release.set()


def test_retry_after_values_that_are_not_numbers() -> None:
    from extractor.fetch.http import _retry_after

    assert _retry_after("nan") is None and _retry_after("-5") == 0.0 and _retry_after("inf") == float("inf")


def test_allow_host_values() -> None:
    allow = AllowList.parse(["127.0.0.1", "10.0.0.0/8", "[::1]", "News.Example."])
    assert allow.allows_address(ipaddress.ip_address("10.9.8.7")) and allow.allows_address(ipaddress.ip_address("::1"))
    assert not allow.allows_address(ipaddress.ip_address("11.0.0.1")) and allow.allows_name("news.example")
    for bad in ("http://127.0.0.1/", "a b", "", "host:80"):
        with pytest.raises(ValueError, match="--allow-host"):
            AllowList.parse([bad])


# ---------------------------------------------------------------- robots.txt


def _served_path(path: str) -> str:
    """What a server makes of a request path (its own normalisation, not the fetcher's)."""
    return posixpath.normpath("/" + unquote(path.split("?", 1)[0]).lstrip("/"))


def test_robots_is_matched_on_the_path_the_server_resolves(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/robots.txt"] = lambda h: (200, ROBOTS, b"User-agent: *\nDisallow: /private\n")
    sneaky = ["/./private/a.html", "/article/../private/b.html", "//private/d.html", "/%70rivate/e.html",
              "/private/./f.html", "/x/%2e%2e/private/g.html", "///private//h.html"]
    good = "/article/.." + ARTICLE  # resolves to an allowed page: fetched
    urls = [site.url(p) for p in sneaky] + [site.url(good)]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake) == 0
    assert not [p for p in site.paths() if _served_path(p).startswith("/private")]
    assert f"skipped {len(sneaky)}: disallowed by robots.txt" in capsys.readouterr().out
    assert len(stored(tmp_path)) == 1


@pytest.mark.parametrize(("robots_txt", "path", "allowed"), [
    # Two groups for one agent are merged (RFC 9309 2.2.1): the second group's rule counts too.
    ("User-agent: extractor-fetch\nDisallow: /a/\n\nUser-agent: other\nDisallow: /\n\n"
     "User-agent: extractor-fetch\nDisallow: /private\n", "/private/x.html", False),
    ("User-agent: extractor-fetch\nDisallow: /a/\n\nUser-agent: extractor-fetch\nDisallow: /private\n",
     "/a/x.html", False),
    ("\ufeffUser-agent: *\nDisallow: /private\n", "/private/x.html", False),  # a BOM before the first line
    ("useragent: *\ndissallow: /private\n", "/private/x.html", False),  # the common typos
    ("User-agent: *\nDisallow: /*.pdf$\n", "/docs/a.pdf", False),
    ("User-agent: *\nDisallow: /*.pdf$\n", "/docs/a.pdf?page=2", True),
    ("User-agent: *\nDisallow: /private/\nAllow: /private/public-note.html\n", "/private/public-note.html", True),
    ("User-agent: *\nDisallow: /private\n", "/article/../private/x.html", False),
    ("User-agent: *\nDisallow: /private\n", "/Private/x.html", True),  # paths are case-sensitive
    ("User-agent: *\nDisallow: /private\n", "/%2Fprivate/x.html", False),  # a server that decodes %2F
    ("User-agent: *\nDisallow: /private\n", "/\\private/x.html", False),  # one that reads a backslash as /
    ("User-agent: *\nDisallow: /private\n", "/privately-owned.html", False),  # a prefix, as RFC 9309 says
    ("User-agent: *\nDisallow: /private/\n", "/privately-owned.html", True),
    ("User-agent: *\nDisallow: /\n", "/robots.txt", True),  # robots.txt itself is always allowed
])
def test_robots_rules(robots_txt: str, path: str, allowed: bool) -> None:
    assert parse_robots(robots_txt).allowed("http://h" + path, "extractor-fetch") is allowed


@pytest.mark.parametrize(("url", "path"), [
    ("http://h/./private/a.html", "/private/a.html"),
    ("http://h/a/b/../../private/b.html", "/private/b.html"),
    ("http://h/../../private/c.html", "/private/c.html"),
    ("http://h//private//d.html", "/private/d.html"),
    ("http://h/%70rivate/%7euser/%e1%BA%A1", "/private/~user/%E1%BA%A1"),
    ("http://h/x/%2E%2E/private/", "/private/"),
    ("http://h/tin-tức/bài.html?q=máu", "/tin-t%E1%BB%A9c/b%C3%A0i.html?q=m%C3%A1u"),
    ("http://h", "/"),
    ("http://h/a/.", "/a/"),
])
def test_normalised_paths(url: str, path: str) -> None:
    assert normalised_path(url) == path


def test_crawl_delay_is_capped_and_said_so(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/robots.txt"] = lambda h: (200, ROBOTS, b"User-agent: *\nCrawl-delay: 100000\n")
    assert run_fetch([site.url(ARTICLE), site.url(SECOND), "--out", str(tmp_path)], fake) == 0
    assert fake.sleeps and max(fake.sleeps) <= 60
    said = capsys.readouterr()
    assert "note: " in said.out and "Crawl-delay 100000s; waiting 60s (the cap)" in said.out  # in the summary
    assert "extract fetch: note: " in said.err and "(the cap)" in said.err  # and at once, as the wait begins
    site.routes["/robots.txt"] = lambda h: (200, ROBOTS, b"User-agent: *\nCrawl-delay: inf\n")
    fake.sleeps.clear()
    assert run_fetch([site.url(ARTICLE), site.url(SECOND), "--out", str(tmp_path / "b"), "--delay", "0.5"],
                     fake) == 0
    assert max(fake.sleeps) == 0.5 and len(stored(tmp_path / "b")) == 2


def test_a_huge_robots_txt_is_read_up_to_its_first_512_kib(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filler = b"# " + b"x" * 1000 + b"\n"
    body = b"User-agent: *\nDisallow: /private\n" + filler * 2000 + b"Disallow: /jkb/\n"  # 2 MB
    site.routes["/robots.txt"] = lambda h: (200, ROBOTS, body)
    assert run_fetch([site.url(ARTICLE), site.url("/private/x.html"), "--out", str(tmp_path)], fake) == 0
    out = capsys.readouterr().out
    assert "fetched 1" in out and "skipped 1: disallowed by robots.txt" in out  # the rule past 512 KiB is not read


def test_unreachable_robots_txt_is_a_failure_said_as_such(
    fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on: like a host with no network
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    urls = [f"http://127.0.0.1:{port}/a.html", f"http://127.0.0.1:{port}/b.html"]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake) == 1
    out = capsys.readouterr().out
    assert "fetched 0, unchanged 0, skipped 0, failed 2" in out
    assert "robots.txt unreachable (network error: ConnectionError)" in out and "disallowed" not in out


# ---------------------------------------------------------------- bytes and decompression


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped (about 1000:1), built without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + packer.compress(bytes(size & ((1 << 20) - 1))) + packer.flush()


def test_gunzip_stops_at_the_cap_and_holds_little_memory() -> None:
    bomb = gzip_bomb(64 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            gunzip_capped(bomb, 1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1_000_000 + 2 * len(bomb)  # a few times the cap, not the 64 MB inside
    assert gunzip_capped(gzip.compress(b"<urlset/>") * 2, 100) == b"<urlset/>" * 2  # two gzip members


@pytest.mark.parametrize(("encodings", "data", "error"), [
    (["gzip"], b"this is not gzip at all", "bad gzip data"),
    (["gzip"], gzip.compress(random.Random(13).randbytes(5000))[:400], "truncated gzip data"),
    (["br"], b"\x1b\x00", "unsupported Content-Encoding 'br'"),
])
def test_bad_content_encodings(encodings: list[str], data: bytes, error: str) -> None:
    with pytest.raises(DecodeError, match=error):
        decoder = CappedDecoder(encodings, 1_000_000)
        decoder.feed(data)
        decoder.finish()


def test_deflate_with_and_without_zlib_header() -> None:
    text = b"<html>hi</html>" * 100
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    for data in (zlib.compress(text), raw.compress(text) + raw.flush()):
        decoder = CappedDecoder(["deflate"], 10_000)
        assert decoder.feed(data) == text
        decoder.finish()


def test_sitemap_gzip_bomb_is_capped_and_discovery_goes_on(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = gzip_bomb(51_000_000)  # past the sitemap protocol's 50 MB
    site.routes["/sitemap.xml.gz"] = lambda h: (200, {"Content-Type": "application/x-gzip"}, bomb)
    site.routes["/bomb-page.html"] = lambda h: (200, {**HTML, "Content-Encoding": "gzip"}, bomb)
    argv = ["--sitemap", site.url("/sitemap.xml.gz"), "--feed", site.url("/feed.rss"), site.url("/bomb-page.html")]
    site.routes["/corrupt.xml.gz"] = lambda h: (200, {"Content-Type": "application/x-gzip"}, bomb[:2] + b"junk")
    argv += ["--sitemap", site.url("/corrupt.xml.gz")]
    assert run_fetch([*argv, "--out", str(tmp_path)], fake) == 1  # the corrupt one failed
    out = capsys.readouterr().out
    # Too large is a limit's rule (skipped); both caps said with their numbers.
    assert "skipped 1: sitemap: too large (more than 50000000 bytes once decompressed)" in out
    assert "skipped 1: too large (more than 5000000 bytes once decompressed)" in out  # the page: page cap
    assert "/corrupt.xml.gz: sitemap: bad gzip data" in out and "failed 1" in out
    assert len(stored(tmp_path)) >= 2  # the feed's articles were still fetched


def test_a_large_legal_sitemap_is_read(site: Site, fake: FakeClock, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    slug = "ngay-hoi-hien-mau-tinh-nguyen-chu-nhat-do-tiep-nhan-hon-mot-nghin-don-vi-mau-tu-doan-vien-sinh-vien"
    news = ("<news:news><news:publication><news:name>Báo Sức khỏe</news:name><news:language>vi</news:language>"
            "</news:publication><news:publication_date>2024-06-14T08:00:00+07:00</news:publication_date></news:news>")
    entries = [f"<url><loc>{site.base}/archive/{i:06d}/{slug}.html</loc><lastmod>2024-06-14</lastmod>{news}</url>"
               for i in range(25_000)]
    entries[0] = f"<url><loc>{site.url(ARTICLE)}</loc></url>"
    body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(entries) + "</urlset>").encode()
    assert len(body) > 7_000_000  # more than the 5 MB page cap, well within the protocol's 50 MB
    site.routes["/big-sitemap.xml"] = lambda h: (200, {"Content-Type": "application/xml"}, body)
    assert run_fetch(["--sitemap", site.url("/big-sitemap.xml"), "--limit", "1", "--out", str(tmp_path)], fake) == 0
    assert "too large" not in capsys.readouterr().out and len(stored(tmp_path)) == 1


def test_sitemap_xml_tricks_are_not_expanded() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://h/a-&xxe;.html</loc></url><url><loc>http://h/ok.html</loc><lastmod>2024-03-09</lastmod></url>
</urlset>"""
    links, _ = parse_sitemap(xxe, "http://h/sitemap.xml")
    assert [(link.url, link.date) for link in links] == [("http://h/a-&xxe;.html", None),
                                                         ("http://h/ok.html", "2024-03-09")]
    laughs = b"""<?xml version="1.0"?><!DOCTYPE urlset [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://h/first.html</loc></url><url><loc>http://h/&d;&d;&d;&d;&d;&d;</loc></url></urlset>"""
    links, _ = parse_sitemap(laughs, "http://h/sitemap.xml")
    # Never expanded (libxml2 stops at the amplification); what came before it is kept.
    assert links[0].url == "http://h/first.html" and all(len(link.url) < 100 for link in links)


# ---------------------------------------------------------------- one URL's failure never ends the crawl

BAD_REDIRECTS = [  # (route, Location, reason)
    ("/r/bad-ipv6", "http://[::1/x", "bad URL (Invalid IPv6 URL)"),
    ("/r/bad-port", "http://127.0.0.1:99999/a.html", "bad URL (Port out of range 0-65535)"),
    ("/r/no-host", "http:///nohost", "bad URL (no host)"),
    ("/r/space", "http://exa mple.com/a", "bad URL (space in host)"),
]
BAD_SCHEMES = [  # refused by rule: skipped, not failed
    ("/r/javascript", "javascript:alert(1)", "not http/https (javascript)"),
    ("/r/data", "data:text/html,<h1>hi</h1>", "not http/https (data)"),
    ("/r/file", "file:///etc/passwd", "not http/https (file)"),
]


def test_bad_redirect_targets_and_bad_urls_fail_alone(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for route, location, _ in BAD_REDIRECTS + BAD_SCHEMES:
        site.routes[route] = redirect(location)
    given = ["http:///nohost", "http://[::1/x", "http://127.0.0.1:99999/"]
    urls = [site.url(route) for route, _, _ in BAD_REDIRECTS + BAD_SCHEMES] + given + [site.url(ARTICLE)]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake) == 1
    out = capsys.readouterr().out
    for _, _, reason in BAD_REDIRECTS + BAD_SCHEMES:
        assert reason in out, reason
    assert f"failed {len(BAD_REDIRECTS) + len(given)}" in out and f"skipped {len(BAD_SCHEMES)}" in out
    assert "fetched 1" in out and len(stored(tmp_path)) == 1  # the last URL was still fetched


def _trickle(body: bytes, every: float, progress: dict[str, object], *, headers_only: bool = False) -> RawReply:
    """A server sending one byte every `every` seconds (of the body, or of endless headers)."""

    def reply(sock: socket.socket) -> None:
        try:
            if headers_only:
                sock.sendall(b"HTTP/1.1 200 OK\r\n")
                for _ in range(len(body)):
                    sock.sendall(b"X-Slow: 1\r\n")
                    progress["sent"] = int(progress.get("sent", 0)) + 1  # type: ignore[call-overload]
                    time.sleep(every)
                return
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body))
            for i in range(len(body)):
                sock.sendall(body[i:i + 1])
                progress["sent"] = i + 1
                time.sleep(every)
        finally:
            done = progress["done"]
            assert isinstance(done, threading.Event)
            done.set()

    return reply


@pytest.mark.parametrize("headers_only", [False, True])
def test_a_trickling_server_is_cut_off_at_the_deadline(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str], headers_only: bool
) -> None:
    body = b"<html><body>" + b"x" * 3000 + b"</body></html>"  # 3000+ bytes at 50/s: a minute if let run
    progress: dict[str, object] = {"done": threading.Event()}
    site.raw["/slow.html"] = _trickle(body, 0.02, progress, headers_only=headers_only)
    urls = [site.url("/slow.html"), site.url(ARTICLE)]
    assert run_fetch([*urls, "--out", str(tmp_path), "--timeout", "0.3"], fake) == 1
    out = capsys.readouterr().out
    assert "/slow.html: timed out: no complete response within 0.3s" in out and "fetched 1" in out
    assert site.count("/slow.html") == 1  # a deadline is not retried
    done = progress["done"]
    assert isinstance(done, threading.Event) and done.wait(10)  # the server noticed the hang-up ...
    assert int(progress["sent"]) < len(body) // 2  # type: ignore[call-overload]  # ... long before the end


BROKEN_BODIES: list[tuple[str, RawReply, str]] = [
    ("/broken/chunk-size.html", raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                          b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
     "broken response (InvalidChunkLength: got length b'zz"),
    ("/broken/truncated.html", raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
                                         b"<html><body>only the start"),
     "broken response (IncompleteRead: 26 bytes read, 4974 more expected)"),
    ("/broken/gzip.html", raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                                    b"Content-Length: 23\r\n\r\nthis is not gzip at all"),
     "bad Content-Encoding: bad gzip data"),
    ("/broken/gzip-cut.html", raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                                        b"Content-Length: 400\r\n\r\n"
                                        + gzip.compress(random.Random(13).randbytes(5000))[:400]),
     "bad Content-Encoding: truncated gzip data"),
    ("/broken/brotli.html", raw_reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n"
                                      b"Content-Length: 2\r\n\r\n\x1b\x00"),
     "bad Content-Encoding: unsupported Content-Encoding 'br'"),
]


def test_broken_bodies_fail_alone_with_their_reason(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path, reply, _ in BROKEN_BODIES:
        site.raw[path] = reply
    urls = [site.url(path) for path, _, _ in BROKEN_BODIES] + [site.url(ARTICLE)]
    assert run_fetch([*urls, "--out", str(tmp_path), "--retries", "0"], fake) == 1
    out = capsys.readouterr().out
    for path, _, reason in BROKEN_BODIES:
        assert f"{path}: {reason}" in out, path
    assert f"failed {len(BROKEN_BODIES)}" in out and len(stored(tmp_path)) == 1


def test_bad_urls_in_feeds_and_sitemaps_are_skipped_and_discovery_goes_on(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><link>http://[::1/broken</link></item><item><link>{site.url(ARTICLE)}</link></item>"
            f"</channel></rss>").encode()
    sitemap = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               f"<url><loc>http://127.0.0.1:99999/a.html</loc></url><url><loc>javascript:void(0)</loc></url>"
               f"<url><loc>{site.url(SECOND)}</loc></url></urlset>").encode()
    site.routes["/hostile.rss"] = lambda h: (200, {"Content-Type": "application/rss+xml"}, feed)
    site.routes["/hostile-sitemap.xml"] = lambda h: (200, {"Content-Type": "application/xml"}, sitemap)
    argv = ["--feed", site.url("/hostile.rss"), "--sitemap", site.url("/hostile-sitemap.xml")]
    assert run_fetch([*argv, "--out", str(tmp_path)], fake) == 0
    out = capsys.readouterr().out
    assert "bad URL (Invalid IPv6 URL) in feed" in out and "bad URL (Port out of range 0-65535) in sitemap" in out
    assert "not http/https (javascript) in sitemap" in out
    assert "fetched 2" in out and len(stored(tmp_path)) == 2


def test_bad_links_on_a_listing_page_are_passed_over() -> None:
    body = (b"<html><body><main>"
            b"<a href='http://[::1/broken'>Ngay hoi hien mau tinh nguyen lan thu nhat</a>"
            b"<a href='http://h:99999/2024/a.html'>Ngay hoi hien mau tinh nguyen lan thu hai</a>"
            b"<a href='/2024/06/14/hien-mau.html'>Ngay hoi hien mau tinh nguyen lan thu ba</a>"
            b"<a href='http:///2024/b.html' rel='next'>trang sau</a></main></body></html>")
    links, next_page = parse_listing(body, "http://h/tin-tuc.html", None)
    assert [link.url for link in links] == ["http://h/2024/06/14/hien-mau.html"] and next_page is None


@pytest.mark.parametrize("state", ["[]", '"urls"', '{"urls": [], "fingerprints": {}}', '{"urls": {"u": 1}}', "{"])
def test_a_bad_state_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: str
) -> None:
    (tmp_path / ".fetch-state.json").write_text(state, encoding="utf-8")
    assert run_fetch(["http://127.0.0.1:9/a.html", "--out", str(tmp_path)]) == 2
    assert f"cannot use --out {str(tmp_path)!r}" in capsys.readouterr().err


# ---------------------------------------------------------------- numeric options


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--delay", "inf", "--delay wants a non-negative number of seconds, got inf"),
    ("--delay", "nan", "--delay wants a non-negative number of seconds, got nan"),
    ("--delay", "-1", "--delay wants a non-negative number"),
    ("--timeout", "0", "--timeout wants a positive number of seconds, got 0.0"),
    ("--timeout", "nan", "--timeout wants a positive number"),
    ("--timeout", "inf", "--timeout wants a positive number"),
    ("--max-bytes", "-1", "--max-bytes wants a whole number of at least 1, got -1"),
    ("--max-bytes", "0", "--max-bytes wants a whole number of at least 1"),
    ("--limit", "-1", "--limit wants a whole number of at least 1, got -1"),
    ("--retries", "-2", "--retries wants a whole number of at least 0"),
    ("--max-pages", "0", "--max-pages wants a whole number of at least 1"),
    ("--max-redirects", "-1", "--max-redirects wants a whole number of at least 0"),
    ("--allow-host", "http://10.0.0.1/", "--allow-host wants a host name, an address or a network"),
])
def test_bad_numbers_are_usage_errors_before_any_request(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, words: str
) -> None:
    assert run_fetch([site.url(ARTICLE), "--out", str(tmp_path), option, value]) == 2
    assert words in capsys.readouterr().err and site.hits == []


def test_url_problems() -> None:
    assert url_problem("https://nhandan.vn/y-te/a-post1.html") is None
    assert url_problem("http://[2001:db8::1]:8080/a") is None
    assert url_problem("ftp://h/x") == "not http/https (ftp)"
    assert url_problem("/relative") == "not http/https (no scheme)"
    assert url_problem("http://h:0/") == "bad URL (port 0)" and url_problem("") == "bad URL (empty)"
    assert url_problem("http://h/a\nb") == "bad URL (control character)"
    assert url_problem("http://h/tin tuc/a.html") is None  # requests percent-encodes the space


def test_a_state_file_written_by_a_run_is_read_back(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    assert run_fetch([site.url(ARTICLE), "--out", str(tmp_path)], fake) == 0
    state = json.loads((tmp_path / ".fetch-state.json").read_text("utf-8"))
    assert isinstance(state["urls"], dict) and state["urls"]
    site.hits.clear()
    assert run_fetch([site.url(ARTICLE), "--out", str(tmp_path)], fake) == 0 and site.hits == []
