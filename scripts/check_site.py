"""Open the built site in headless Chromium and check what a reader would see.

    python scripts/check_site.py            # after `make book`; needs Debian's chromium + chromium-driver

The site in ``_build/html`` is served on localhost. The introduction and every page in the table of
contents are opened; each must show its title, rendered maths (where the page has maths), at least
one loaded figure (chapters), alt text on every figure (what it shows, in a sentence, not a file
name), no empty widget boxes, no code cell or table that scrolls sideways in a
1280-pixel window, and no errors in the browser console; on every moving figure, moving a slider
must change the image shown. The syllabus must have a row, with a run time from the build, for
every chapter page.
A screenshot of each page goes to ``_build/screenshots/``. Every link between pages of the site
(and to an anchor in a page) must lead somewhere. Exits non-zero and names the page and the
problem if anything fails.
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
from pathlib import Path

import yaml
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"

# Chromium as root, offline: no sandbox, and no calls home that a closed network would refuse.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,2000",
]


def pages() -> list[tuple[str, bool]]:
    """``(page, is_chapter)`` for the root page and every page in the table of contents."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [
        page["file"]
        for part in toc.get("parts", [])
        for c in part.get("chapters", [])
        for page in [c, *c.get("sections", [])]
    ]  # a chapter's own sections follow it
    return [(name, re.fullmatch(r"book/\d\d_\w+", name) is not None) for name in files]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per page is printed instead
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


# Runs in the page: what it shows, once MathJax has finished typesetting.
INSPECT = """
const done = arguments[arguments.length - 1];
const ready = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
ready.then(() => {
  const main = document.querySelector("main") || document.body;
  const images = [...main.querySelectorAll("img")];
  done({
    title: (main.querySelector("h1") || {}).textContent || "",
    mathSource: main.querySelectorAll(".math, span.math, div.math").length,
    mathRendered: main.querySelectorAll("mjx-container").length,
    figures: images.filter(img => img.complete && img.naturalWidth > 0).length,
    brokenImages: images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src),
    // a figure must say what it shows: Sphinx writes the file's path where no alt text was given
    undescribed: images.filter(img => {
      const alt = (img.getAttribute("alt") || "").trim();
      return alt.split(/\\s+/).length < 8 || /\\.(png|jpe?g|svg|gif)$/i.test(alt);
    }).map(img => img.src.slice(0, 80)),
    widgetBoxes: main.querySelectorAll("script[type='application/vnd.jupyter.widget-view+json'], .jupyter-widgets").length,
    // code a reader would have to scroll sideways to read, and tables wider than the article
    wideCode: [...main.querySelectorAll("div.cell_input pre")]
      .filter(pre => pre.scrollWidth > pre.clientWidth + 1).length,
    wideTables: [...main.querySelectorAll("table")].filter(table => {
      const box = table.getBoundingClientRect(), article = main.getBoundingClientRect();
      const holder = table.parentElement;
      return box.right > article.right + 1 || holder.scrollWidth > holder.clientWidth + 1;
    }).length,
  });
});
"""


# Runs in the page: move the first slider of every moving figure and see whether its image changes.
MOVE = """
const done = arguments[arguments.length - 1];
Promise.all([...document.querySelectorAll(".emergent-frames")].map(block => {
  const live = block.querySelector(".frames-live"), image = block.querySelector("img.frames-image");
  const slider = block.querySelector("input.frames-slider");
  if (!live || getComputedStyle(live).display === "none" || !slider) return Promise.resolve("its sliders are not shown");
  const before = image.src;
  slider.value = String((Number(slider.value) + 1) % (Number(slider.max) + 1));
  slider.dispatchEvent(new Event("input"));
  if (image.src === before) return Promise.resolve("moving its slider did not change the image");
  return image.decode().then(() => image.naturalWidth > 0 ? "" : "the new image is empty",
                             () => "the new image did not load");
})).then(done);
"""


def check_page(driver, base: str, name: str, is_chapter: bool) -> list[str]:
    driver.get(f"{base}/{name}.html")
    seen = driver.execute_async_script(INSPECT)
    problems = []
    if not seen["title"].strip():
        problems.append("no title (h1)")
    if seen["mathSource"] and not seen["mathRendered"]:
        problems.append(f"{seen['mathSource']} maths elements, none rendered by MathJax")
    if is_chapter and not seen["figures"]:
        problems.append("no figure loaded")
    if seen["brokenImages"]:
        problems.append(f"images that did not load: {seen['brokenImages']}")
    if seen["undescribed"]:
        problems.append(f"figures without alt text that says what they show: {seen['undescribed']}")
    if seen["wideCode"]:
        problems.append(f"{seen['wideCode']} code cells scroll sideways at 1280 px")
    if seen["wideTables"]:
        problems.append(f"{seen['wideTables']} tables scroll sideways at 1280 px")
    if seen["widgetBoxes"]:
        problems.append(f"{seen['widgetBoxes']} widget boxes (empty on a site without a kernel)")
    moved = driver.execute_async_script(MOVE)
    problems += [f"moving figure {n + 1}: {why}" for n, why in enumerate(moved) if why]
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if errors:
        problems.append(f"console errors: {errors}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name.replace('/', '_')}.png"))
    return problems


class _Links(HTMLParser):
    """The ids a page defines and the links it makes."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def broken_internal_links(site: Path = SITE) -> list[str]:
    """Every link from one page of the site to a page or anchor of the site that does not exist."""
    pages = {}
    for path in site.rglob("*.html"):
        parser = _Links()
        parser.feed(path.read_text(errors="replace"))
        pages[path.resolve()] = parser
    broken = []
    for path, parser in pages.items():
        for href in parser.links:
            target = urlsplit(href)
            if target.scheme or target.netloc or href.startswith(("mailto:", "javascript:")):
                continue  # external: not checked offline
            file = (path.parent / unquote(target.path)).resolve() if target.path else path
            if file.is_dir():
                file = file / "index.html"
            if not file.exists():
                broken.append(f"{path.relative_to(site.resolve())}: {href} (no such file)")
            elif (
                target.fragment
                and file in pages
                and unquote(target.fragment) not in pages[file].ids
            ):
                broken.append(f"{path.relative_to(site.resolve())}: {href} (no such anchor)")
    return broken


def syllabus_problems(site: Path = SITE) -> list[str]:
    """What the generated syllabus lacks: a row (a link) for every chapter page of the table of
    contents, and a run time from this build for each."""
    page = site / "book" / "syllabus.html"
    if not page.is_file():
        return ["no syllabus page"]
    text = page.read_text(errors="replace")
    problems = [
        f"no row for {name}"
        for name, is_chapter in pages()
        if is_chapter and f'href="{name.removeprefix("book/")}.html"' not in text
    ]
    if "not executed in this build" in text:
        problems.append("a page without a run time from this build")
    return problems


def main() -> int:
    if not (SITE / "index.html").is_file():
        print(f"No site at {SITE}: run `make book` first.", file=sys.stderr)
        return 2
    broken = [f"broken internal link: {link}" for link in broken_internal_links()]
    broken += [f"syllabus: {problem}" for problem in syllabus_problems()]
    for problem in broken:
        print(f"FAIL {problem}")
    server, base = serve(SITE)
    driver = browser()
    driver.set_script_timeout(30)
    failures = 0
    try:
        for name, is_chapter in pages():
            problems = check_page(driver, base, name, is_chapter)
            failures += bool(problems)
            print(
                f"{'FAIL' if problems else 'ok  '} {name}"
                + "".join(f"\n     - {p}" for p in problems)
            )
    finally:
        driver.quit()
        server.shutdown()
    size = sum(path.stat().st_size for path in SITE.rglob("*") if path.is_file())
    print(
        f"{len(pages()) - failures} passed, {failures} failed; site size {size / 2**20:.1f} MiB; "
        f"screenshots in {SHOTS.relative_to(ROOT)}/"
    )
    return 1 if failures or broken else 0


if __name__ == "__main__":
    sys.exit(main())
