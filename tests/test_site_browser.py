"""The built site in a real browser: headless Debian Chromium, driven by Playwright, loads the
gallery and a technique page from a local HTTP server; every image must have loaded, every
internal link must answer 200 and no request may leave the host. Screenshots go to the test's
tmp_path. Needs Debian's chromium (`apt-get install -y chromium`; `.ci/run` installs it) and the
docs extra; without them this test FAILS, saying how to install them."""

import functools
import http.server
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

# the built site in Chromium: the same under every Keras backend (run once, under TensorFlow)
pytestmark = pytest.mark.backend_independent

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]

IMAGES_JS = """() => Array.from(document.images).map(i => ({
    src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth}))"""
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def _chromium():
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
    if path is None:
        pytest.fail("Chromium not found (no `chromium` on PATH, no /usr/bin/chromium). Install "
                    "Debian's package: `sudo apt-get install -y chromium` (.ci/run does this).")
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a request the browser dropped
            super().handle_error(request, client_address)


@pytest.fixture
def served_site(built_site):
    handler = functools.partial(_Quiet, directory=str(built_site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def _check_page(page, url, screenshot):
    outside = []
    failed = []
    origin = urllib.parse.urlsplit(url).netloc
    page.on("request", lambda r: outside.append(r.url)
            if urllib.parse.urlsplit(r.url).scheme in ("http", "https")
            and urllib.parse.urlsplit(r.url).netloc != origin else None)
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    # lazy images load once scrolled into view: bring each one in, then wait for all of them
    page.evaluate("() => Array.from(document.images).forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)",
                           timeout=20_000)
    images = page.evaluate(IMAGES_JS)
    assert images, f"no <img> on {url}"
    broken = [i["src"] for i in images if not i["width"]]
    assert not broken, f"images that did not load on {url}: {broken}"
    page.screenshot(path=str(screenshot), full_page=True)
    links = {}
    for href in page.evaluate(LINKS_JS):
        parts = urllib.parse.urlsplit(href)
        if parts.netloc == origin:
            links.setdefault(urllib.parse.urlunsplit(parts._replace(fragment="")), href)
    bad = {href: code for target, href in links.items() if (code := _status(target)) != 200}
    assert not bad, f"broken internal links on {url}: {bad}"
    assert not failed, f"failed requests on {url}: {failed}"
    assert not outside, f"requests leaving the host from {url}: {outside}"
    return len(images), len(links)


@pytest.mark.slow
def test_gallery_and_a_technique_page_in_chromium(served_site, built_site, tmp_path):
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail('Playwright is not installed: pip install -e ".[test,docs]" (README)')
    from ganzoo.site import technique_uri

    # a technique that zoo entries use, so its page shows their sample grids
    technique = next(p for p in sorted(built_site.glob("techniques/*.html"))
                     if p.name != "index.html" and "zoo/" in p.read_text())
    pages = {"gallery": served_site + "gallery.html",
             technique.stem: served_site + technique_uri(technique.stem)[:-3] + ".html"}
    start = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for name, url in pages.items():
                page = context.new_page()
                shot = tmp_path / f"{name}.png"
                n_images, n_links = _check_page(page, url, shot)
                assert shot.stat().st_size > 0
                print(f"\n{url}: {n_images} images, {n_links} internal links; screenshot {shot}")
                page.close()
        finally:
            browser.close()
    print(f"browser checks: {time.monotonic() - start:.1f} s")
