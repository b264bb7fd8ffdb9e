"""The fact sheets in a real browser: headless Chromium (Debian's) driven by Playwright.

Covers what only a browser can show: the Armenia page renders its tables and charts
with no console errors, the index search filters, pages fit a phone's width, text
contrast meets WCAG AA, and the print stylesheet applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import system_tool

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is a test dependency: pip install -e '.[test]'")

# As root in a container, without the background services that would try to reach the network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 360, "height": 740}
SAMPLE_PAGES = ["index.html", "questions.html", "states/armenia.html", "organisations/csto.html",
                "people/ararat-mirzoyan.html", "documents/000_a2fe28b85ae602ee.html"]

# WCAG 2 contrast of every element's own text against the background it is drawn on.
CONTRAST_SCRIPT = """() => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  const background = (element) => {
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] === 1)) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const element of document.querySelectorAll("body *")) {
    const ownText = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || element.closest("[hidden]")) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const inSvg = element instanceof SVGElement;
    const foreground = rgb(inSvg ? style.fill : style.color).slice(0, 3);
    const [light, dark] = [luminance(foreground), luminance(background(element))].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    if (ratio < 4.5) failures.push(`${element.tagName} "${element.textContent.trim().slice(0, 40)}": ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = system_tool("chromium", "chromium-browser", package="chromium")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, site: Path):
    """Open a site page by its path; the page records console messages and script errors."""
    contexts = []

    def opener(path: str, javascript: bool = True, viewport: dict | None = None):
        context = browser.new_context(java_script_enabled=javascript, viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda message: message.type in ("error", "warning") and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("requestfailed", lambda request: page.problems.append(f"failed to load {request.url}"))
        page.goto((site / path).as_uri())
        return page

    yield opener
    for context in contexts:
        context.close()


def test_the_armenia_page_renders_its_tables_and_charts(open_page):
    page = open_page("states/armenia.html")
    memberships = page.get_by_role("region", name="Memberships").locator("table")
    assert memberships.is_visible()
    assert memberships.locator("tbody tr").count() > 0
    assert "Collective Security Treaty Organization" in memberships.inner_text()
    assert memberships.locator("th").all_inner_texts()[:2] == ["organisation", "status"]

    timeline = page.locator("svg[aria-labelledby=timeline-title]")
    assert timeline.is_visible() and timeline.bounding_box()["width"] > 300
    assert timeline.locator("circle.mark").count() > 5
    diagram = page.locator("svg[aria-labelledby=diagram-title]")
    assert diagram.is_visible() and diagram.bounding_box()["height"] > 300
    assert diagram.locator("circle.node").count() > 3
    assert "Azerbaijan" in diagram.text_content()
    assert page.problems == []


def test_every_sample_page_loads_without_errors(open_page):
    for path in SAMPLE_PAGES:
        page = open_page(path)
        assert page.locator("h1").count() == 1, path
        assert page.problems == [], f"{path}: {page.problems}"


def test_the_index_search_filters_entities(open_page):
    page = open_page("index.html")
    search = page.get_by_label("Filter by name")
    assert search.is_visible()  # the script shows the form; without scripts it stays hidden
    items = page.locator(".group li")
    everything = items.count()
    search.fill("armen")
    visible = page.locator(".group li:visible")
    assert 0 < visible.count() < everything
    assert all("armen" in text.lower() for text in visible.all_inner_texts())
    assert page.get_by_role("link", name="Armenia", exact=True).is_visible()
    search.fill("")
    assert page.locator(".group li:visible").count() == everything
    search.press("Enter")  # submitting must not navigate away
    assert page.url.endswith("index.html") and page.problems == []


def test_without_javascript_the_index_lists_everything(open_page):
    page = open_page("index.html", javascript=False)
    assert not page.locator("form.search").is_visible()
    assert page.locator(".group li a:visible").count() == page.locator(".group li a").count() > 100


def test_pages_fit_a_phone_screen(open_page):
    for path in SAMPLE_PAGES:
        page = open_page(path, viewport=PHONE)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {PHONE['width']}px screen"
        # Wide tables scroll inside their own box instead of widening the page.
        for table in page.locator(".scroll").all():
            assert table.bounding_box()["width"] <= PHONE["width"], path


def test_text_contrast_meets_wcag_aa(open_page):
    for path in SAMPLE_PAGES:
        failures = open_page(path).evaluate(CONTRAST_SCRIPT)
        assert failures == [], f"{path}: {failures[:5]}"


def test_the_print_stylesheet_hides_navigation_and_unclips_tables(open_page, tmp_path):
    page = open_page("states/armenia.html")
    assert page.locator("header nav").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible()
    assert page.evaluate("() => getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    # Tables print whole rather than clipped in a scrolling box.
    assert page.evaluate("() => getComputedStyle(document.querySelector('.scroll')).overflowX") == "visible"
    pdf = tmp_path / "armenia.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
