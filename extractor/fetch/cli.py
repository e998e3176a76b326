"""`extract fetch`: command-line options and the run."""

from __future__ import annotations

import argparse
import math
import os
import sys
from datetime import date

import requests

from extractor import __version__
from extractor.fetch.adapters import ADAPTERS
from extractor.fetch.addresses import AddressGuard, AllowList, Resolver, resolve_host
from extractor.fetch.crawler import Crawler, Options, Seeds, summarize
from extractor.fetch.http import Clock, Policy, PoliteClient, RealClock
from extractor.fetch.sources import read_url_file
from extractor.fetch.store import Corpus

CONTACT_ENV = "EXTRACTOR_FETCH_CONTACT"
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="article URLs to fetch")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="corpus directory: <id>.txt, <id>.meta.json and <id>.html per article")
    sources = parser.add_argument_group("sources (any mix; URLs are fetched once)")
    sources.add_argument("--urls", action="append", default=[], metavar="FILE", dest="urls_files",
                         help="file with one URL a line ('#' comments allowed)")
    sources.add_argument("--sitemap", action="append", default=[], metavar="URL",
                         help="sitemap.xml or sitemap index; a site root or robots.txt URL means "
                              "the sitemaps robots.txt lists")
    sources.add_argument("--feed", action="append", default=[], metavar="URL", help="RSS or Atom feed")
    sources.add_argument("--listing", action="append", default=[], metavar="URL",
                         help="listing or tag page: follow its article links and its pagination")
    sources.add_argument("--max-pages", type=int, default=5, metavar="N",
                         help="listing pages to follow per --listing (default 5)")
    sources.add_argument("--outlet", choices=[a.name for a in ADAPTERS],
                         help="use this outlet's selectors whatever the host (mirrors, archives)")
    sources.add_argument("--limit", type=int, metavar="N", help="fetch at most N article URLs")
    keep = parser.add_argument_group("filters")
    keep.add_argument("--since", metavar="YYYY-MM-DD", help="keep articles published on or after this date")
    keep.add_argument("--match", action="store_true",
                      help="keep only articles about blood donation (patterns/<lang>/topic.yaml)")
    polite = parser.add_argument_group("politeness and limits")
    polite.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                        help="pause between requests to one host (default 1; a longer Crawl-delay wins, up to 60)")
    polite.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                        help="deadline of one request, from connecting to the end of its body (default 20)")
    polite.add_argument("--retries", type=int, default=3, metavar="N",
                        help="retries on 429/5xx and network errors, with backoff, honouring Retry-After "
                             "(default 3)")
    polite.add_argument("--max-bytes", type=int, default=5_000_000, metavar="N",
                        help="skip pages larger than this, downloaded or once decompressed (default 5000000; "
                             "sitemaps may have 50000000)")
    polite.add_argument("--max-redirects", type=int, default=5, metavar="N", help="default 5")
    polite.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                        help="also connect to this host name, address or network (e.g. 127.0.0.1, "
                             "10.0.0.0/8), which is refused by default: loopback, private, link-local, "
                             "multicast and reserved addresses are never contacted otherwise, at any redirect")
    polite.add_argument("--contact", default=os.environ.get(CONTACT_ENV),
                        help=f"e-mail or URL put in the User-Agent (default ${CONTACT_ENV})")
    polite.add_argument("--refresh", action="store_true",
                        help="re-check already fetched URLs with a conditional GET (ETag/Last-Modified)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def user_agent(contact: str | None) -> str:
    who = f"contact: {contact}" if contact else f"contact: not given, set --contact or ${CONTACT_ENV}"
    return f"extractor-fetch/{__version__} (blood-donation news research; {who})"


def _usage_error(message: str) -> int:
    print(f"extract fetch: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _seeds(args: argparse.Namespace) -> Seeds:
    urls = list(args.urls)
    for path in args.urls_files:
        urls += read_url_file(path)
    return Seeds(urls=urls, sitemaps=list(args.sitemap), feeds=list(args.feed), listings=list(args.listing))


def _check_usage(args: argparse.Namespace) -> str | None:
    if args.since:
        try:
            date.fromisoformat(args.since)
        except ValueError:
            return f"--since wants YYYY-MM-DD, got {args.since!r}"
    for path in args.urls_files:
        if not os.path.isfile(path):
            return f"--urls: no such file {path!r}"
    if not (args.urls or args.urls_files or args.sitemap or args.feed or args.listing):
        return "nothing to fetch: give URLs, --urls FILE, --sitemap, --feed or --listing"
    for name, value in (("--delay", args.delay), ("--timeout", args.timeout)):
        if not math.isfinite(value) or value < 0 or (name == "--timeout" and value == 0):
            kind = "a positive" if name == "--timeout" else "a non-negative"
            return f"{name} wants {kind} number of seconds, got {value}"
    for name, value, least in (("--retries", args.retries, 0), ("--max-redirects", args.max_redirects, 0),
                               ("--max-pages", args.max_pages, 1), ("--max-bytes", args.max_bytes, 1),
                               ("--limit", args.limit, 1)):
        if value is not None and value < least:
            return f"{name} wants a whole number of at least {least}, got {value}"
    try:
        AllowList.parse(args.allow_host)
    except ValueError as error:
        return str(error)
    return None


def run(args: argparse.Namespace, *, clock: Clock | None = None, session: requests.Session | None = None,
        resolver: Resolver | None = None) -> int:
    """Exit code: 0 all fine, 1 some URLs failed, 2 usage error. `clock`/`session`/`resolver` are for tests."""
    problem = _check_usage(args)
    if problem:
        return _usage_error(problem)
    policy = Policy(user_agent=user_agent(args.contact), delay=args.delay, timeout=args.timeout,
                    retries=args.retries, max_redirects=args.max_redirects, max_bytes=args.max_bytes)
    guard = AddressGuard(AllowList.parse(args.allow_host), resolver or resolve_host, timeout=args.timeout)
    client = PoliteClient(policy, clock=clock or RealClock(), session=session or requests.Session(), guard=guard,
                          announce=lambda note: print(f"extract fetch: note: {note}", file=sys.stderr))
    options = Options(since=args.since, match=args.match, max_pages=args.max_pages, outlet=args.outlet,
                      refresh=args.refresh, limit=args.limit,
                      progress=not args.no_progress and sys.stderr.isatty())
    try:
        corpus = Corpus.open(args.out)
    except (OSError, ValueError) as error:
        return _usage_error(f"cannot use --out {args.out!r}: {error}")
    try:
        seeds = _seeds(args)
    except (OSError, ValueError) as error:
        return _usage_error(f"cannot read --urls: {error}")
    outcomes = Crawler(client, corpus, options).run(seeds)
    print(summarize(outcomes))
    for note in client.notes:
        print(f"  note: {note}")
    return EXIT_SOME_FAILED if any(o.status == "failed" for o in outcomes) else EXIT_OK
