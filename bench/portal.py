"""Portal benchmark: Lighthouse performance and accessibility, and page times under load.

Starts the whole marketplace as ``score run`` does (``tests.support.marketplace``: SQLite,
the local bus, demo data, every service on a free port), signs in to the portal as the
demo users, then for each page (``--page PATH[=EMAIL]``, default the public search, an
SME's enrolments and the ILO dashboard):

1. Lighthouse 12 (``tests.infra.browser``: the npm CLI under Node, Debian's headless
   Chromium, desktop preset) scores performance and accessibility, the user's session
   cookie sent with every request (``--extra-headers``);
2. ``--clients`` (default 16) keep-alive clients fetch that page as that user for
   ``--seconds``: the server's response time, p50/p95/p99 (each answer must be a 200).

``--server gunicorn`` serves the portal the way it is deployed (``gunicorn -w 2
--threads 4``, the marketplace's data and services behind it) instead of the development
server ``score run`` uses.

Ends with ``lighthouse_perf=<a> lighthouse_a11y=<b> page_p95_ms=<c>``: the lowest
performance and accessibility scores (×100) over the pages and the worst page's p95
(targets: ≥ 90, ≥ 95, ≤ 150 ms).
"""

from __future__ import annotations

import argparse
import dataclasses
import html.parser
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_load import drive, stop, wait_ready  # noqa: E402
from bench.stats import percentile  # noqa: E402
from tests.infra import browser as browser_infra  # noqa: E402
from tests.infra import spawn  # noqa: E402
from tests.infra.ports import LOOPBACK, free_port  # noqa: E402

PASSWORD = "score-demo-2026"
SESSION_COOKIE = "score_portal"
DEFAULT_PAGES = ("/sessions", "/sme/enrolments=owner@sme.example",
                 "/ilo/dashboard=auditor@ilo.example")
CATEGORIES = ("performance", "accessibility")


@dataclasses.dataclass(frozen=True)
class Page:
    """A page to measure: its path and the demo user it is fetched as (None: signed out)."""

    path: str
    email: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Page:
        """``/sme/enrolments=owner@sme.example`` or ``/sessions``."""
        path, _, email = spec.partition("=")
        if not path.startswith("/"):
            raise argparse.ArgumentTypeError(f"{spec!r}: PATH[=EMAIL], PATH starting with /")
        return cls(path, email or None)


# -- signing in ---------------------------------------------------------------------------


class _HiddenInputs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.values.setdefault(str(found["name"]), found.get("value") or "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 303 comes back as an HTTPError, its cookies already in the jar


def login(base: str, email: str, password: str = PASSWORD) -> str:
    """Sign in through the portal's form; returns the ``Cookie`` header of the session.

    ``GET /login`` gives the form (and a session for its ``csrf_token``); ``POST /login``
    with ``email``, ``password`` and ``csrf_token`` answers 303 and sets ``score_portal``.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base}/login", timeout=30) as response:
        form = _HiddenInputs()
        form.feed(response.read().decode("utf-8", "replace"))
    if "csrf_token" not in form.values:
        raise RuntimeError(f"{base}/login has no csrf_token input")
    body = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": form.values["csrf_token"]}).encode()
    try:
        with opener.open(f"{base}/login", data=body, timeout=30) as response:
            raise RuntimeError(f"signing in as {email} answered {response.status}, not 303")
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise RuntimeError(f"signing in as {email} answered {answer.code}, not 303") from None
    cookies = {cookie.name: cookie.value for cookie in jar}
    if SESSION_COOKIE not in cookies:
        raise RuntimeError(f"signing in as {email} set no {SESSION_COOKIE} cookie")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def status_of(url: str, cookie: str | None) -> int:
    """The status ``GET url`` answers (redirects not followed)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as answer:
        return answer.code


def signed_in(base: str, page: Page, password: str, timeout: float = 90.0) -> str | None:
    """A session cookie under which ``page`` answers 200 (None for a signed-out page).

    Demo users get their organisation through events after ``score run`` is up, and a
    token's claims are fixed at sign-in: sign in again until the page opens.
    """
    deadline, status = time.monotonic() + timeout, 0
    while True:
        cookie = login(base, page.email, password) if page.email else None
        status = status_of(f"{base}{page.path}", cookie)
        if status == 200:
            return cookie
        if time.monotonic() > deadline:
            raise RuntimeError(f"{page.path} as {page.email or 'anyone'} answers {status}")
        time.sleep(2)


# -- Lighthouse ---------------------------------------------------------------------------


def lighthouse(url: str, *, headers: dict[str, str] | None = None, preset: str = "desktop",
               categories: tuple[str, ...] = CATEGORIES, timeout: float = 300.0) -> dict:
    """Run the Lighthouse CLI on ``url`` in a fresh headless Chromium; returns its JSON report.

    :class:`RuntimeError` if Lighthouse fails or reports a runtime error (page not loaded).
    """
    node = browser_infra.node_path()
    cli = browser_infra.lighthouse_cli()
    chromium = browser_infra.chromium_path()
    with tempfile.TemporaryDirectory(prefix="score-lighthouse-") as scratch:
        report_path = Path(scratch) / "report.json"
        argv = [node, str(cli), url, f"--chrome-path={chromium}",
                "--chrome-flags=" + " ".join(browser_infra.chromium_flags(Path(scratch) / "p")),
                f"--only-categories={','.join(categories)}", "--output=json",
                f"--output-path={report_path}", f"--preset={preset}", "--quiet"]
        if headers:
            argv.append(f"--extra-headers={json.dumps(headers)}")
        env = dict(os.environ, CHROME_PATH=chromium)
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=env,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"lighthouse {url}: no report after {timeout:.0f} s") from None
        if done.returncode != 0 or not report_path.exists():
            raise RuntimeError(f"lighthouse {url} failed ({done.returncode}):\n"
                               f"{done.stdout[-3000:]}")
        report: dict = json.loads(report_path.read_text())
    error = report.get("runtimeError")
    if error:
        raise RuntimeError(f"lighthouse {url}: {error.get('code')}: {error.get('message')}")
    return report


def scores(report: dict) -> dict[str, float]:
    """Each category's score, 0–100 (Lighthouse reports 0–1; None, unscorable, is 0)."""
    return {name: round((category.get("score") or 0) * 100, 1)
            for name, category in report["categories"].items()}


def failed_audits(report: dict, category: str = "accessibility") -> list[str]:
    """The ids of the category's weighted audits that did not pass."""
    audits = report["audits"]
    return [ref["id"] for ref in report["categories"][category]["auditRefs"]
            if ref.get("weight") and audits[ref["id"]].get("score") not in (None, 1)]


# -- the portal under load ----------------------------------------------------------------


def portal_gunicorn(market, workdir: Path) -> tuple[subprocess.Popen, str]:
    """The portal as deployed (gunicorn -w 2 --threads 4) over the marketplace's services."""
    from shared.runtime import discover_runtimes

    runtimes = {runtime.name: runtime for runtime in discover_runtimes()}
    env = dict(market.env, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), market.env.get("PYTHONPATH", "")) if p))
    env.pop("SCORE_RUN_WORKERS", None)  # the embedded portal runs its workers already
    publisher = next((r for r in runtimes.values() if r.jwks_path), None)
    if publisher is not None:
        env["SCORE_JWKS_URL"] = f"{market.urls[publisher.name]}{publisher.jwks_path}"
    for callee in runtimes["portal"].calls:
        env[f"SCORE_PORTAL_{callee.upper()}_URL"] = market.urls[callee]
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:shared.gunicorn_config",
            "-w", "2", "--threads", "4", "-b", f"{LOOPBACK}:{port}", "--log-level", "warning",
            "services.portal:create_app()"]
    log = workdir / "portal-gunicorn.log"
    process = spawn(argv, log=log, cwd=ROOT, env=env)
    try:
        wait_ready(process, port, "/healthz")
    except SystemExit as exc:
        stop(process)
        raise SystemExit(f"{exc}\n{log.read_text(errors='replace')[-3000:]}") from None
    return process, f"http://{LOOPBACK}:{port}"


def measure(base: str, pages: list[Page], args) -> dict[Page, dict]:
    """Lighthouse on each page, then ``args.clients`` clients on each page in turn."""
    port = urllib.parse.urlsplit(base).port or 80
    results: dict[Page, dict] = {}
    for page in pages:
        cookie = signed_in(base, page, args.password)
        headers = {"Cookie": cookie} if cookie else {}
        report = lighthouse(f"{base}{page.path}", headers=headers, preset=args.preset)
        final = urllib.parse.urlsplit(report.get("finalDisplayedUrl") or "").path
        results[page] = {"cookie": cookie, "scores": scores(report),
                         "failed": failed_audits(report), "final_path": final}
        print(f"{page.path}: lighthouse {results[page]['scores']}", flush=True)
    for page in pages:
        headers = {"Cookie": results[page]["cookie"]} if results[page]["cookie"] else {}
        drive(port, [page.path], args.clients, args.warmup, 10**9, headers)
        latencies, errors, elapsed = drive(port, [page.path], args.clients, args.seconds,
                                           args.max_requests, headers)
        results[page].update(latencies=latencies, errors=errors, elapsed=elapsed)
    return results


def report(results: dict[Page, dict], args) -> None:
    """The table and the machine-readable last line."""
    server = ("gunicorn -w 2 --threads 4" if args.server == "gunicorn"
              else "score run's development server")
    print(f"\nportal on {server}, the embedded marketplace (SQLite, local bus), "
          f"{os.cpu_count()} CPUs shared with the clients and Chromium; "
          f"{args.clients} clients per page; Lighthouse {browser_infra.LIGHTHOUSE_VERSION} "
          f"({args.preset})\n")
    print(f"{'page':<22}{'user':<26}{'perf':>6}{'a11y':>6}{'requests':>9}{'errors':>7}"
          f"{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    for page, got in results.items():
        lat = got["latencies"]
        print(f"{page.path:<22}{page.email or '-':<26}{got['scores']['performance']:>6.0f}"
              f"{got['scores']['accessibility']:>6.0f}{len(lat):>9}{got['errors']:>7}"
              f"{len(lat) / got['elapsed']:>8.0f}{percentile(lat, 50):>8.1f}"
              f"{percentile(lat, 95):>8.1f}{percentile(lat, 99):>8.1f}")
    for page, got in results.items():
        if got["failed"]:
            print(f"{page.path}: accessibility audits failed: {', '.join(got['failed'])}")
        if got["final_path"] != page.path:
            print(f"WARNING: Lighthouse on {page.path} ended on {got['final_path']}")
        if got["errors"]:
            print(f"WARNING: {page.path}: {got['errors']} answers were not 200")
    perf = min(got["scores"]["performance"] for got in results.values())
    a11y = min(got["scores"]["accessibility"] for got in results.values())
    p95 = max(percentile(got["latencies"], 95) for got in results.values())
    print(f"lighthouse_perf={perf:.0f} lighthouse_a11y={a11y:.0f} page_p95_ms={p95:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", dest="pages", type=Page.parse, action="append",
                        metavar="PATH[=EMAIL]",
                        help=f"a page and its demo user (repeat; default: {DEFAULT_PAGES})")
    parser.add_argument("--password", default=PASSWORD, help="the demo users' password")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0, help="load per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="per page, before the load")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per page")
    parser.add_argument("--preset", choices=("desktop", "perf", "experimental"),
                        default="desktop", help="Lighthouse's --preset")
    parser.add_argument("--server", choices=("embedded", "gunicorn"), default="embedded",
                        help="serve the portal as score run does, or under gunicorn")
    args = parser.parse_args()
    pages = args.pages or [Page.parse(spec) for spec in DEFAULT_PAGES]

    from shared.runtime import discover_runtimes
    from tests.support.marketplace import embedded_marketplace

    if "portal" not in {runtime.name for runtime in discover_runtimes()}:
        raise SystemExit("no portal service in services/: nothing to measure")
    browser_infra.ensure_installed()
    workdir = Path(tempfile.mkdtemp(prefix="score-bench-portal-"))
    processes: list[subprocess.Popen] = []
    try:
        with embedded_marketplace(workdir / "data") as market:
            base = market.urls["portal"]
            if args.server == "gunicorn":
                process, base = portal_gunicorn(market, workdir)
                processes.append(process)
            print(f"marketplace running; portal at {base}", flush=True)
            results = measure(base, pages, args)
            for process in processes:
                stop(process)
            processes.clear()
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
