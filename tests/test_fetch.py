"""`extract fetch` against a local HTTP server on 127.0.0.1 serving tests/fixtures/site (no internet).

The server (tests/fetch_site.py) records every request, so the tests can say what was never asked
for (robots.txt) and how far apart requests to the host were. Most tests run on a fake clock:
delays, backoff and Retry-After are then checked on the fake timeline without waiting for them.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fetch_site import DONATION, HTML, PAGES, SITE, FakeClock, Reply, Site, article_page, run_fetch, stored

from extractor.fetch.adapters import adapter_by_name, adapter_for
from extractor.fetch.robots import parse_robots
from extractor.fetch.sources import parse_feed, parse_listing, parse_sitemap
from extractor.fetch.store import article_id, normalize_url, write_atomic
from extractor.html import parse_html

# ---------------------------------------------------------------- corpus format


def test_urls_become_txt_meta_and_html_in_extract_run_format(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    names = ["laodongthudo-cau-giay", "jkb-luohe", "phunuthudo-cong-doan-y-te"]
    urls = [site.url("/" + PAGES[n]["page"]) for n in names]
    assert run_fetch([*urls, "--out", str(tmp_path), "--delay", "0.5"], fake) == 0
    metas = stored(tmp_path)
    assert len(metas) == 3
    for name, url in zip(names, urls, strict=True):
        [(aid, meta)] = [(k, m) for k, m in metas.items() if m["url"] == normalize_url(url)]
        assert aid == article_id(url)
        assert (tmp_path / f"{aid}.txt").read_text("utf-8") == (SITE / "plain" / f"{name}.txt").read_text("utf-8")
        assert (tmp_path / f"{aid}.html").read_bytes() == site.static("/" + PAGES[name]["page"])[2]
        assert set(meta) == {"url", "published", "source", "title", "lang", "author", "fetched_at"}
        assert meta["title"] == (tmp_path / f"{aid}.txt").read_text("utf-8").split("\n")[0]
    jkb = next(m for m in metas.values() if "jkb" in m["url"])
    assert (jkb["published"], jkb["lang"], jkb["source"], jkb["author"]) == (
        "2023-12-19",
        "zh",
        "健康报网",
        "王明杰",
    )
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_teasers_and_comments_never_reach_the_text(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    urls = [site.url("/" + p["page"]) for p in PAGES.values()]
    assert run_fetch([*urls, "--out", str(tmp_path), "--delay", "0"], fake) == 0
    texts = {m["url"]: (tmp_path / f"{aid}.txt").read_text("utf-8") for aid, m in stored(tmp_path).items()}
    assert len(texts) == len(PAGES)
    for entry in PAGES.values():
        text = texts[normalize_url(site.url("/" + entry["page"]))]
        assert text == (SITE / "plain" / entry["plain"]).read_text("utf-8")
        assert not [leak for leak in entry["leaks"] if leak in text]


def test_gbk_pages_from_header_and_meta_charset(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    for name in ("wsjkw-yancheng", "epaper-mengmiao"):
        assert (SITE / PAGES[name]["page"]).read_bytes().decode("gbk")  # the fixture really is GBK
    urls = [site.url("/" + PAGES[n]["page"]) for n in ("wsjkw-yancheng", "epaper-mengmiao")]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake) == 0
    texts = sorted(p.read_text("utf-8") for p in tmp_path.glob("*.txt"))
    assert "共有186人成功献血" in texts[1] and "张珺" in texts[1]  # outside GB2312: decoded as GB18030
    assert "123人成功献血" in texts[0]


# ---------------------------------------------------------------- sources


def test_sitemap_from_robots_txt_with_index(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_fetch(["--sitemap", site.url("/"), "--out", str(tmp_path)], fake) == 0
    paths = site.paths()
    assert paths[0] == "/robots.txt" and paths.count("/robots.txt") == 1
    assert "/sitemap_index.xml" in paths and "/sitemaps/articles-2023.xml" in paths
    assert len(stored(tmp_path)) == 8  # all eight fixture articles
    assert "/private/internal-draft.html" not in paths
    summary = capsys.readouterr().out
    assert "fetched 8" in summary and "skipped 2" in summary
    assert "disallowed by robots.txt" in summary and "not HTML (application/pdf)" in summary


def test_feed_with_since_skips_old_items_without_requesting_them(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    assert run_fetch(["--feed", site.url("/feed.rss"), "--since", "2024-01-01", "--out", str(tmp_path)], fake) == 0
    assert {m["published"] for m in stored(tmp_path).values()} == {"2024-07-22", "2024-12-20"}
    assert not [p for p in site.paths() if p.startswith(("/jkb/", "/wsjkw/"))]


def test_since_also_checks_the_page_date(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [site.url("/" + PAGES[n]["page"]) for n in ("jkb-luohe", "nhandan-ha-nam")]
    assert run_fetch([*urls, "--since", "2024-07-22", "--out", str(tmp_path)], fake) == 0
    assert [m["published"] for m in stored(tmp_path).values()] == ["2024-07-22"]  # on the day counts
    assert "published before --since" in capsys.readouterr().out


def test_listing_follows_article_links_and_pagination_up_to_max_pages(
    site: Site, fake: FakeClock, tmp_path: Path
) -> None:
    argv = ["--listing", site.url("/listing/y-te.html"), "--max-pages", "2", "--outlet", "laodongthudo"]
    assert run_fetch([*argv, "--out", str(tmp_path)], fake) == 0
    assert site.count("/listing/y-te.html") == 1 and site.count("/listing/y-te-p2.html") == 1
    assert "/listing/y-te-p3.html" not in site.paths()
    assert len(stored(tmp_path)) == 4
    assert not [p for p in site.paths() if "tin-moi-nhat" in p or "thong-tin-toa-soan" in p]  # menus


def test_listing_without_adapter_uses_generic_links() -> None:
    body = (SITE / "listing" / "y-te.html").read_bytes()
    links, next_page = parse_listing(body, "http://127.0.0.1:9/listing/y-te.html", None)
    assert [urlsplit(link.url).path.split("/")[1] for link in links] == ["laodongthudo", "phunuthudo"]
    assert next_page == "http://127.0.0.1:9/listing/y-te-p2.html"


def test_match_keeps_only_blood_donation_articles(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [site.url("/" + PAGES[n]["page"]) for n in ("health-huyet-ap", "wsjkw-yancheng", "nhandan-ha-nam")]
    assert run_fetch([*urls, "--match", "--out", str(tmp_path)], fake) == 0
    assert len(stored(tmp_path)) == 2
    assert not [m for m in stored(tmp_path).values() if "health" in m["url"]]
    assert "not about blood donation (--match)" in capsys.readouterr().out


def test_urls_file(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# seeds\n{site.url('/' + PAGES['jkb-luohe']['page'])}\n\n", encoding="utf-8")
    assert run_fetch(["--urls", str(listing), "--out", str(tmp_path / "out")], fake) == 0
    assert len(stored(tmp_path / "out")) == 1


# ---------------------------------------------------------------- politeness


def test_per_host_delay_is_honoured_on_the_wire(site: Site, tmp_path: Path) -> None:
    """Real clock, tiny delay: the server's own timestamps are at least --delay apart."""
    site.routes["/robots.txt"] = lambda h: (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow: /private/\n",
    )
    urls = [site.url("/" + p["page"]) for p in list(PAGES.values())[:4]]
    assert run_fetch([*urls, "--out", str(tmp_path), "--delay", "0.05"]) == 0
    times = [h.at for h in site.hits]
    assert len(times) == 5
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.05


def test_crawl_delay_wins_when_longer_and_delay_when_longer(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    urls = [site.url("/" + p["page"]) for p in list(PAGES.values())[:3]]
    assert run_fetch([*urls, "--out", str(tmp_path / "a"), "--delay", "0.5"], fake) == 0
    fake_times = [h.fake_at for h in site.hits]
    assert [round(b - a, 3) for a, b in zip(fake_times, fake_times[1:], strict=False)] == [2.0, 2.0, 2.0]
    site.hits.clear()
    assert run_fetch([*urls, "--out", str(tmp_path / "b"), "--delay", "3"], fake) == 0
    fake_times = [h.fake_at for h in site.hits]
    assert [round(b - a, 3) for a, b in zip(fake_times, fake_times[1:], strict=False)] == [3.0, 3.0, 3.0]


def test_user_agent_identifies_with_contact(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    url = site.url("/" + PAGES["jkb-luohe"]["page"])
    assert run_fetch([url, "--out", str(tmp_path), "--contact", "team@example.org"], fake) == 0
    agents = {h.headers["user-agent"] for h in site.hits}
    assert (
        len(agents) == 1
        and "extractor-fetch/" in agents.pop()
        and "team@example.org" in site.hits[0].headers["user-agent"]
    )


def test_robots_disallow_for_our_agent_blocks_everything(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = lambda h: (200, {}, b"User-agent: extractor-fetch\nDisallow: /\n")
    url = site.url("/" + PAGES["jkb-luohe"]["page"])
    assert run_fetch([url, "--out", str(tmp_path)], fake) == 0  # a refusal by policy is a skip
    assert site.paths() == ["/robots.txt"]


def test_robots_5xx_means_crawl_nothing_404_means_everything(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.url("/" + PAGES["jkb-luohe"]["page"])
    site.routes["/robots.txt"] = lambda h: (503, {}, b"down")
    # Nothing fetched because the server failed, not because a rule said so: a failure, exit 1.
    assert run_fetch([url, "--out", str(tmp_path / "a"), "--retries", "1"], fake) == 1
    assert set(site.paths()) == {"/robots.txt"}
    out = capsys.readouterr().out
    assert "robots.txt unreachable (HTTP 503 after 2 attempts)" in out and "disallowed" not in out
    site.routes["/robots.txt"] = lambda h: (404, {}, b"none")
    assert run_fetch([url, "--out", str(tmp_path / "b")], fake) == 0
    assert len(stored(tmp_path / "b")) == 1


# ---------------------------------------------------------------- robustness


def _flaky(replies: list[Reply], final: Reply) -> Callable[[dict[str, str]], Reply]:
    queue = list(replies)
    return lambda headers: queue.pop(0) if queue else final


def test_429_retry_after_is_honoured(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    page = article_page("Phường Dịch Vọng tiếp nhận 95 đơn vị máu", DONATION.format(n=95))
    site.routes["/flaky/429.html"] = _flaky([(429, {"Retry-After": "7"}, b"slow down")], (200, HTML, page))
    assert run_fetch([site.url("/flaky/429.html"), "--out", str(tmp_path), "--delay", "0.5"], fake) == 0
    hits = [h for h in site.hits if h.path == "/flaky/429.html"]
    assert len(hits) == 2 and hits[1].fake_at - hits[0].fake_at >= 7
    assert 7 in fake.sleeps
    assert len(stored(tmp_path)) == 1


def test_500_recovers_after_backoff(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    page = article_page("Xã Tân Lập tiếp nhận 130 đơn vị máu", DONATION.format(n=130))
    site.routes["/flaky/500.html"] = _flaky([(500, {}, b"oops"), (502, {}, b"oops")], (200, HTML, page))
    site.routes["/robots.txt"] = lambda h: (
        200,
        {},
        b"User-agent: *\nDisallow: /private/\n",
    )  # no Crawl-delay
    assert run_fetch([site.url("/flaky/500.html"), "--out", str(tmp_path), "--delay", "0"], fake) == 0
    hits = [h.fake_at for h in site.hits if h.path == "/flaky/500.html"]
    assert len(hits) == 3 and hits[2] - hits[1] >= 2 * (hits[1] - hits[0]) > 0  # exponential backoff
    assert len(stored(tmp_path)) == 1


def test_500_forever_fails_with_reason_and_exit_1(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/broken.html"] = lambda h: (500, {}, b"oops")
    good = site.url("/" + PAGES["jkb-luohe"]["page"])
    assert run_fetch([site.url("/broken.html"), good, "--out", str(tmp_path), "--retries", "2"], fake) == 1
    assert site.count("/broken.html") == 3
    out = capsys.readouterr().out
    assert "fetched 1" in out and "failed 1" in out and "/broken.html: HTTP 500 after 3 attempts" in out


def test_redirect_chain_is_followed_each_hop_checked_and_capped(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = "/" + PAGES["nhandan-ha-nam"]["page"]
    site.routes["/r/1"] = lambda h: (301, {"Location": "/r/2"}, b"")
    site.routes["/r/2"] = lambda h: (302, {"Location": site.url(target)}, b"")
    site.routes["/loop/a"] = lambda h: (302, {"Location": "/loop/b"}, b"")
    site.routes["/loop/b"] = lambda h: (302, {"Location": "/loop/a"}, b"")
    site.routes["/r/secret"] = lambda h: (302, {"Location": "/private/internal-draft.html"}, b"")
    site.routes["/r/ftp"] = lambda h: (302, {"Location": "ftp://127.0.0.1/file.txt"}, b"")
    urls = [site.url(p) for p in ("/r/1", "/loop/a", "/r/secret", "/r/ftp")]
    assert run_fetch([*urls, "--out", str(tmp_path), "--max-redirects", "3"], fake) == 1
    [meta] = stored(tmp_path).values()
    assert meta["url"] == site.url(target)
    assert site.count("/loop/a") + site.count("/loop/b") == 4  # 1 request + 3 redirects, then give up
    out = capsys.readouterr().out
    assert "too many redirects (> 3)" in out and "disallowed by robots.txt" in out and "not http/https (ftp)" in out


def test_oversized_pages_skipped_declared_or_streamed(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = article_page("Trang rất lớn", "x" * 300_000)
    site.routes["/big.html"] = lambda h: (200, HTML, big)
    site.routes["/big-stream.html"] = lambda h: (
        200,
        {**HTML, "X-No-Length": "1", "Connection": "close"},
        big,
    )
    urls = [site.url("/big.html"), site.url("/big-stream.html")]
    assert run_fetch([*urls, "--out", str(tmp_path), "--max-bytes", "100000"], fake) == 0
    out = capsys.readouterr().out
    assert "too large" in out and "skipped 2" in out
    assert not stored(tmp_path)


def test_pdf_and_non_http_skipped_with_reason(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [site.url("/docs/bao-cao-hien-mau-2024.pdf"), "file:///etc/passwd"]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake) == 0
    out = capsys.readouterr().out
    assert "not HTML (application/pdf)" in out and "not http/https (file)" in out
    assert not stored(tmp_path)


# ---------------------------------------------------------------- reruns and duplicates


def test_rerun_skips_fetched_urls_and_refresh_uses_conditional_get(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    page = article_page("Huyện Gia Lâm tiếp nhận 310 đơn vị máu", DONATION.format(n=310))

    def etagged(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**HTML, "ETag": '"v1"', "Last-Modified": "Mon, 01 Jul 2024 08:00:00 GMT"}, page

    site.routes["/etag.html"] = etagged
    argv = [site.url("/etag.html"), site.url("/" + PAGES["jkb-luohe"]["page"]), "--out", str(tmp_path)]
    assert run_fetch(argv, fake) == 0
    first = sorted(p.name for p in tmp_path.iterdir())
    site.hits.clear()
    assert run_fetch(argv, fake) == 0
    assert site.paths() == []  # nothing re-requested, not even robots.txt
    site.hits.clear()
    assert run_fetch([*argv, "--refresh"], fake) == 0
    etag_hits = [h for h in site.hits if h.path == "/etag.html"]
    assert etag_hits[0].headers["if-none-match"] == '"v1"'
    assert etag_hits[0].headers["if-modified-since"] == "Mon, 01 Jul 2024 08:00:00 GMT"
    assert sorted(p.name for p in tmp_path.iterdir()) == first


def test_same_article_under_other_urls_stored_once(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = "/" + PAGES["nhandan-ha-nam"]["page"]
    mobile = site.static(original)[2].replace(
        b'rel="canonical" href="' + site.base.encode() + b"/nhandan/",
        b'rel="canonical" href="' + site.base.encode() + b"/m/nhandan/",
    )
    site.routes["/m/ha-nam.html"] = lambda h: (200, HTML, mobile)
    urls = [
        site.url(original),
        site.url(original + "?utm_source=facebook&utm_medium=social"),
        site.url("/m/ha-nam.html"),
    ]
    assert run_fetch([*urls, "--out", str(tmp_path)], fake) == 0
    assert len(list(tmp_path.glob("*.txt"))) == 1
    assert not [p for p in site.paths() if "utm_" in p]  # same URL once tracking is dropped: not requested
    assert "skipped 1: duplicate article" in capsys.readouterr().out  # the mobile copy, by its text


# ---------------------------------------------------------------- usage


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_fetch(["--out", str(tmp_path)]) == 2
    assert run_fetch(["http://127.0.0.1:9/a.html", "--out", str(tmp_path), "--since", "21/12/2023"]) == 2
    assert run_fetch(["--urls", str(tmp_path / "missing.txt"), "--out", str(tmp_path)]) == 2
    assert "nothing to fetch" in capsys.readouterr().err
    with pytest.raises(SystemExit) as missing_out:
        run_fetch(["http://127.0.0.1:9/a.html"])
    assert missing_out.value.code == 2


# ---------------------------------------------------------------- units


def test_robots_longest_match_wildcards_and_groups() -> None:
    robots = parse_robots((SITE / "robots.txt").read_text("utf-8") + "\nUser-agent: x\nDisallow: /*.pdf$\n")
    agent = "extractor-fetch"
    assert not robots.allowed("http://h/private/a.html", agent)
    assert robots.allowed("http://h/private/public-note.html", agent)  # longer Allow wins
    assert robots.allowed("http://h/laodongthudo/a.html", agent)
    assert robots.crawl_delay(agent) == 2.0
    assert not robots.allowed("http://h/a.html", "BadBot/1.0")
    assert robots.sitemaps == ["{{BASE}}/sitemap_index.xml"]
    other = parse_robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /tmp\nCrawl-delay: 0.25\n")
    assert not other.allowed("http://h/docs/a.pdf", agent) and other.allowed("http://h/docs/a.pdf?x=1", agent)
    assert not other.allowed("http://h/tmp/x", agent) and other.crawl_delay(agent) == 0.25


def test_sitemap_gzip_and_news_dates() -> None:
    body = (SITE / "sitemaps" / "articles-2024.xml").read_bytes().replace(b"{{BASE}}", b"http://h")
    links, children = parse_sitemap(gzip.compress(body), "http://h/sitemap.xml.gz")
    assert not children and len(links) == 7
    assert links[1].date == "2024-03-09" and links[0].date == "2024-06-14"
    _, children = parse_sitemap((SITE / "sitemap_index.xml").read_bytes(), "http://h/")
    assert len(children) == 2


def test_atom_feed() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title>a</title><link rel="alternate" href="/2024/06/14/a.html"/>
      <published>2024-06-14T10:00:00Z</published></entry>
    <entry><title>b</title><link href="http://h/b.html"/><updated>2023-01-02T00:00:00+08:00</updated></entry></feed>"""
    assert [(link.url, link.date) for link in parse_feed(atom, "http://h/feed.atom")] == [
        ("http://h/2024/06/14/a.html", "2024-06-14"),
        ("http://h/b.html", "2023-01-02"),
    ]


def test_adapters_by_host_and_cms_path() -> None:
    assert adapter_for("https://www.nhandan.vn/y-te/a-post1.html").name == "nhandan"
    assert adapter_for("https://m.laodongthudo.vn/a.html").name == "laodongthudo"
    assert adapter_for("http://other-paper.cn/html/2023-12/22/content_555.htm").name == "founder-epaper"
    assert adapter_for("https://example.com/a.html") is None
    with pytest.raises(KeyError):
        adapter_by_name("nope")


def test_adapter_selectors_find_their_parts_on_fixture_pages() -> None:
    for entry in PAGES.values():
        if not entry["outlet"]:
            continue
        adapter = adapter_by_name(entry["outlet"])
        article = parse_html((SITE / entry["page"]).read_bytes(), selectors=adapter.article)
        assert article.text == (SITE / "plain" / entry["plain"]).read_text("utf-8"), entry["outlet"]


def test_ids_stable_and_tracking_free() -> None:
    url = "https://nhandan.vn/y-te/ha-nam-tiep-nhan-2150-don-vi-mau-post821345.html"
    assert article_id(url) == article_id(url + "?utm_source=zalo#top") == article_id(url.replace("nhandan", "NHANDAN"))
    assert article_id(url).startswith("ha-nam-tiep-nhan-2150-don-vi-mau-post821345_")
    assert article_id("http://h/tin-tuc/Đà-Nẵng-hiến-máu.html").startswith("da-nang-hien-mau_")
    assert article_id(url) != article_id(url.replace("821345", "821346"))


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_atomic(target, b"old")
    write_atomic(target, "mới".encode())
    assert target.read_text("utf-8") == "mới" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_retry_after_too_long_gives_up_instead_of_stalling(
    site: Site, fake: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/busy.html"] = lambda h: (429, {"Retry-After": "86400"}, b"come back tomorrow")
    assert run_fetch([site.url("/busy.html"), "--out", str(tmp_path)], fake) == 1
    assert site.count("/busy.html") == 1 and 86400 not in fake.sleeps
    assert "Retry-After 86400s is too long" in capsys.readouterr().out


def test_retry_after_as_http_date() -> None:
    from email.utils import formatdate

    from extractor.fetch.http import _retry_after

    assert _retry_after("120") == 120.0
    assert 55 <= _retry_after(formatdate(time.time() + 60, usegmt=True)) <= 61
    assert _retry_after("soon") is None


def test_limit_caps_article_urls(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    assert run_fetch(["--sitemap", site.url("/sitemap_index.xml"), "--limit", "2", "--out", str(tmp_path)], fake) == 0
    assert len(stored(tmp_path)) == 2


# ---------------------------------------------------------------- fetch, then run


def _outcome_view(out: Path) -> list[tuple]:
    from extractor.output import read_jsonl

    rows = []
    for o in read_jsonl(out / "outcomes.jsonl"):
        loc = o["location"]
        metrics = tuple((m["metric"], m["value"], m["qualifier"], m["text"]) for m in o["metrics"])
        rows.append((o["kind"], o["status"], o["period"]["start"], o["period"]["end"], loc["name"],
                     loc["province"], metrics))
    return sorted(rows, key=repr)


def test_fetched_site_yields_the_same_outcomes_as_its_plain_text(site: Site, fake: FakeClock, tmp_path: Path) -> None:
    from extractor.cli import main

    fetched, plain = tmp_path / "fetched", tmp_path / "plain"
    urls = [site.url("/" + p["page"]) for p in PAGES.values()]
    assert run_fetch([*urls, "--out", str(fetched), "--delay", "0"], fake) == 0
    plain.mkdir()
    for aid, meta in stored(fetched).items():
        name = next(n for n, p in PAGES.items() if normalize_url(site.url("/" + p["page"])) == meta["url"])
        (plain / f"{aid}.txt").write_text((SITE / "plain" / PAGES[name]["plain"]).read_text("utf-8"), "utf-8")
        (plain / f"{aid}.meta.json").write_text(json.dumps({"published": meta["published"]}), "utf-8")
    assert main(["run", str(fetched), "--out", str(tmp_path / "out-fetched"), "--no-progress"]) == 0
    assert main(["run", str(plain), "--out", str(tmp_path / "out-plain"), "--no-progress"]) == 0
    from_fetch, from_plain = _outcome_view(tmp_path / "out-fetched"), _outcome_view(tmp_path / "out-plain")
    assert from_fetch == from_plain
    assert sum(len(row[-1]) for row in from_fetch) >= 7  # the blood-donation figures of the fixture articles
