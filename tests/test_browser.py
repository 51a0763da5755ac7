"""Every page in headless Chromium: no console errors, no failed or outside requests,
every image loaded with alt text, every equation rendered, search working."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def page_paths(site: Path) -> list[str]:
    return sorted("/" + str(p.parent.relative_to(site)).replace(".", "").strip("/") + ("/" if p.parent != site else "")
                  for p in site.rglob("index.html") if "assets" not in p.parts)


def pages_to_visit(site: Path) -> list[str]:
    """Every chapter page, the notebook page, and one API reference page per template (its index and
    one module page); ``LENSBOOK_EVERY_PAGE=1`` visits all of them (``make lighthouse`` audits all)."""
    paths = page_paths(site)
    if os.environ.get("LENSBOOK_EVERY_PAGE") == "1":
        return paths
    reference = [p for p in paths if p.startswith("/reference/")]
    modules = [p for p in reference if p != "/reference/"]
    return [p for p in paths if not p.startswith("/reference/")] + [p for p in ("/reference/",) if p in reference] \
        + modules[:1]


@pytest.fixture(scope="module")
def context(browser, served_site):
    context = browser.new_context()
    outside: list[str] = []

    def route(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    context.outside = outside
    yield context
    context.close()


def visit(context, url):
    page = context.new_page()
    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.goto(url, wait_until="networkidle")
    return page, errors, failed


def test_every_page_loads_cleanly(context, served_site, built_site):
    site, _ = built_site
    paths = pages_to_visit(site)
    assert len(paths) >= 9, paths
    assert sum(p.startswith("/reference/") for p in paths) == 2 or os.environ.get("LENSBOOK_EVERY_PAGE") == "1"
    for path in paths:
        page, errors, failed = visit(context, served_site + path)
        assert not errors, f"{path}: console errors {errors}"
        assert not failed, f"{path}: failed requests {failed}"
        # figures load lazily: bring each one of the shown palette into view, then it must load
        images = page.eval_on_selector_all("article img", "els => els.map(e => ({src: e.src, alt: e.alt}))")
        for i, image in enumerate(images):
            assert image["alt"].strip(), f"{path}: image without alt text: {image['src']}"
            if "#only-dark" in image["src"]:
                continue
            page.eval_on_selector_all("article img", f"els => els[{i}].scrollIntoView()")
            page.wait_for_function(f"() => {{ const e = document.querySelectorAll('article img')[{i}];"
                                   " return e.complete && e.naturalWidth > 0; }", timeout=10000)
        unshown = page.eval_on_selector_all(
            "article img[src*='#only-dark']", "els => els.filter(e => e.naturalWidth > 0).map(e => e.src)")
        assert not unshown, f"{path}: the other palette's figures were fetched too: {unshown}"
        maths = page.eval_on_selector_all(
            "article math", "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return {w: r.width, h: r.height, err: e.querySelector('merror') !== null}; })")
        for i, box in enumerate(maths):
            assert box["w"] > 0 and box["h"] > 0 and not box["err"], f"{path}: equation {i} not rendered {box}"
        page.close()
    assert not context.outside, f"requests that leave the machine: {context.outside}"


def test_figures_show_one_palette_at_a_time(context, served_site):
    page, _, _ = visit(context, served_site + "/cnn/")
    visible = page.eval_on_selector_all(
        "figure.lb-figure img", "els => els.filter(e => e.offsetParent !== null).map(e => e.src)")
    figures = page.eval_on_selector_all("figure.lb-figure", "els => els.length")
    assert figures >= 1
    assert len(visible) == figures and all("#only-light" in v for v in visible)
    page.close()


def test_search_returns_results(context, served_site):
    page, _, _ = visit(context, served_site + "/")
    page.keyboard.press("/")  # Material's search shortcut
    page.keyboard.type("convolution", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    assert page.locator(".md-search-result__item").count() > 0
    page.close()


#: A term the chapter teaches -> the page that teaches it
TAUGHT = {"LSTM": "/lstm/", "receptive field": "/cnn/", "GATA": "/cnn/", "attention": "/transformer/",
          "vanishing gradient": "/rnn/"}


def test_search_finds_the_chapter_first(context, served_site):
    """The first hit for each of the chapter's own terms is the page that teaches it, with a
    teaser of text, and no API reference page outranks the chapter."""
    page, _, _ = visit(context, served_site + "/")
    for term, expected in TAUGHT.items():
        page.keyboard.press("/")
        page.fill(".md-search__input", "")
        page.keyboard.type(term, delay=10)
        page.wait_for_function(f"() => document.querySelector('.md-search-result__meta')"
                               f".textContent.match(/\\d/) && document.querySelector('.md-search-result__item')")
        page.wait_for_timeout(300)  # results are replaced as the query grows: let the last one land
        hits = page.eval_on_selector_all(
            ".md-search-result__item", "els => els.map(e => ({href: e.querySelector('a').href,"
            " teaser: [...e.querySelectorAll('article')].map(a => a.innerText.trim()"
            "    .replace(a.querySelector('h1, h2')?.innerText.trim() ?? '', '').trim()).join(' ')}))")
        assert hits, f"{term!r}: no results"
        first = urlparse(hits[0]["href"]).path
        assert first == expected, f"{term!r}: first hit {first}, expected {expected}: {[h['href'] for h in hits[:5]]}"
        assert len(hits[0]["teaser"]) > 40, f"{term!r}: the first hit shows no teaser text: {hits[0]}"
        reference = [i for i, h in enumerate(hits) if "/reference/" in urlparse(h["href"]).path]
        assert not reference or reference[0] > 0, f"{term!r}: a reference page outranks the chapter"
        page.keyboard.press("Escape")
    page.close()


def test_reference_pages_have_full_titles(context, served_site, built_site):
    site, _ = built_site
    module_pages = sorted(p for p in page_paths(site) if p.startswith("/reference/") and p != "/reference/")
    html = (site / module_pages[-1].strip("/") / "index.html").read_text(encoding="utf-8")
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("lensbook."), f"{module_pages[-1]}: title {title!r} is not the module's full name"


def navigate(page, selector: str, url_glob: str) -> None:
    """Click a link and wait for the new page, which must arrive by instant navigation: a marker
    set on ``window`` before the click survives only if the page was not reloaded."""
    page.evaluate("window.__lbNoReload = true")
    page.click(selector)
    page.wait_for_url(url_glob)
    page.wait_for_selector("article h1")
    assert page.evaluate("window.__lbNoReload === true"), f"{selector}: a full page load, not instant navigation"


def test_instant_navigation_keeps_equations(context, served_site):
    """Material swaps pages without a reload (served here on a free port, not the build's
    site_url); MathML needs no script, so it survives."""
    page, errors, _ = visit(context, served_site + "/")
    navigate(page, "a.md-nav__link[href$='cnn/']", "**/cnn/")
    page.wait_for_selector("article math")
    box = page.eval_on_selector("article math", "e => e.getBoundingClientRect().width")
    assert box > 0 and not errors
    navigate(page, "a.md-nav__link[href$='rnn/']", "**/rnn/")
    page.close()


def test_hover_previews_work_on_any_port(context, served_site):
    """A cross-reference shows its figure in a preview on hover (Material's ``data-preview``)."""
    page, errors, _ = visit(context, served_site + "/cnn/")
    link = page.locator("article a[data-preview][href*='#fig-']").first
    link.scroll_into_view_if_needed()
    link.hover()
    page.wait_for_selector(".md-tooltip2--active .md-tooltip2__inner img, .md-tooltip2--active figure",
                           state="attached", timeout=10000)
    assert not errors
    page.close()


PRINT = """() => {
  const figures = [...document.querySelectorAll('figure.lb-figure')].map(f => {
    const shown = [...f.querySelectorAll('img')].filter(i => getComputedStyle(i).display !== 'none'
                                                        && i.getBoundingClientRect().height > 0);
    return {id: f.id, shown: shown.map(i => i.getAttribute('src')),
            loaded: shown.every(i => i.complete && i.naturalWidth > 0)};
  });
  const links = [...document.querySelectorAll('article a[href]')].map(a => ({
    href: a.getAttribute('href'), internal: a.origin === location.origin,
    after: getComputedStyle(a, '::after').content}));
  const tables = [...document.querySelectorAll('article table')].map(t => ({
    wide: t.getBoundingClientRect().width > document.querySelector('article').clientWidth + 1}));
  const captions = [...document.querySelectorAll('p.lb-table-caption')].map(
    p => getComputedStyle(p).breakAfter);
  return {figures, links, tables, captions};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_print_gives_clean_pages(browser, served_site, built_site, scheme):
    """Print every chapter page to PDF from either palette: no navigation chrome; each figure once,
    in its light version, loaded; internal links print as their text (no URL in the PDF's text),
    external ones with their address; tables fit the page; captions stay with their tables; no
    code line cut off."""
    from pdf_text import pdf_pages_text

    site_url = re.search(r"<loc>([^<]+)</loc>", (built_site[0] / "sitemap.xml").read_text()).group(1)
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    docs = Path(__file__).resolve().parents[1] / "docs"
    for path in CHAPTER:
        page.goto(served_site + path, wait_until="networkidle")
        assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
        source = (docs / ((path.strip("/") or "index") + ".md")).read_text(encoding="utf-8")
        page.emulate_media(media="print")
        chrome = page.eval_on_selector_all(
            ".md-header, .md-sidebar--primary, .md-footer, .md-search",
            "els => els.filter(e => getComputedStyle(e).display !== 'none').length")
        assert chrome == 0, f"{path}: navigation chrome is printed"
        clipped = page.eval_on_selector_all(
            "pre > code", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
        assert clipped == 0, f"{path}: {clipped} code blocks are cut off in print"
        pdf = page.pdf(format="A4", print_background=False)
        assert pdf.startswith(b"%PDF")
        found = page.evaluate(PRINT)  # after printing: the figures printing needed are loaded
        figures = found["figures"]
        assert len(figures) == source.count("\n![](figures/"), f"{path}: {len(figures)} figures"
        for figure in figures:
            assert len(figure["shown"]) == 1 and figure["shown"][0].endswith("#only-light") \
                and figure["loaded"], f"{path} ({scheme}): {figure['id']} prints as {figure['shown']}"
        for link in found["links"]:
            if link["internal"] or (link["href"] + "/").startswith(site_url):
                assert link["after"] in ("none", "normal"), f"{path}: {link['href']} prints {link['after']}"
            elif link["href"].startswith("http"):
                assert link["href"] in link["after"], f"{path}: external {link['href']} prints no address"
        assert not any(t["wide"] for t in found["tables"]), f"{path}: a table is wider than the page"
        assert all(c == "avoid" for c in found["captions"]), f"{path}: a table caption may part from its table"
        text = " ".join(pdf_pages_text(pdf))
        origin = urlparse(served_site)
        # the served address never; the build's own (the text may name it: "run make serve, then open
        # http://127.0.0.1:8000") never as a link's printed address, "<http://...>"
        assert f"{origin.hostname}:{origin.port}" not in text and f"<{site_url.rstrip('/')}" not in text, \
            f"{path}: an internal address is printed"
        numbers = {m for m in re.findall(r"Figure (4\.\d+)\.", text)}
        assert len(numbers) >= len(figures), f"{path}: {len(numbers)} figure captions in the PDF, {len(figures)} figures"
        tables = re.findall(r"Table (4\.\d+)\.", " ".join(page.eval_on_selector_all(
            "p.lb-table-caption strong", "els => els.map(e => e.textContent)")))
        pages_text = pdf_pages_text(pdf)
        for number in tables:  # the caption's page also holds the table's header row
            header = page.evaluate(f"""() => {{ const c = [...document.querySelectorAll('p.lb-table-caption')]
                .find(p => p.textContent.startsWith('Table {number}.'));
                let t = c.nextElementSibling; while (t && !t.querySelector('th')) t = t.nextElementSibling;
                return t ? t.querySelector('th').textContent.trim() : ''; }}""")
            on = [i for i, t in enumerate(pages_text) if f"Table {number}." in t]
            assert on and header.replace(" ", "") in pages_text[on[0]].replace(" ", ""), \
                f"{path}: Table {number}'s caption is parted from its table ({header!r})"
        page.emulate_media(media="screen")
    context.close()


CHAPTER = ["/", "/cnn/", "/rnn/", "/lstm/", "/transformer/", "/choosing/"]

FIT = """() => {
  const cue = e => getComputedStyle(e).backgroundImage.includes('gradient')
                   && getComputedStyle(e).backgroundAttachment.includes('local');
  const tables = [...document.querySelectorAll('article table')].map(t => {
    const wrap = t.closest('.md-typeset__scrollwrap, .lensbook-explorer__table') || t.parentElement;
    return {what: (t.closest('.md-typeset__table')?.previousElementSibling?.textContent ?? '').slice(0, 40),
            width: t.getBoundingClientRect().width, room: wrap.clientWidth,
            scrolls: wrap.scrollWidth > wrap.clientWidth + 1, cue: cue(wrap)};
  });
  const equations = [...document.querySelectorAll('article .lb-equation')].map(e => {
    const box = e.getBoundingClientRect(), math = e.querySelector('math').getBoundingClientRect();
    const number = e.querySelector('.lb-eqno')?.getBoundingClientRect();
    return {what: e.id || e.textContent.slice(0, 30), left: math.left - box.left,
            overlap: number ? math.right - number.left : -1,
            scrolls: e.scrollWidth > e.clientWidth + 1, cue: cue(e)};
  });
  return {column: document.querySelector('article').getBoundingClientRect().width, tables, equations};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_tables_and_equations_fit(browser, served_site, width):
    """No table is wider than the column on desktop; on a phone a table that scrolls shows that it
    does; no equation is clipped on the left or overlapped by its number, at either width."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = []
    for path in CHAPTER:
        page.goto(served_site + path, wait_until="networkidle")
        fit = page.evaluate(FIT)
        for t in fit["tables"]:
            if width >= 1280 and t["width"] > t["room"] + 1:
                problems.append(f"{path} table {t['what']!r}: {t['width']:.0f} px in {t['room']} px")
            if t["scrolls"] and not t["cue"]:
                problems.append(f"{path} table {t['what']!r} scrolls with no cue")
        for e in fit["equations"]:
            if e["left"] < -0.5:
                problems.append(f"{path} equation {e['what']}: {-e['left']:.0f} px cut off on the left")
            if e["overlap"] > 0:
                problems.append(f"{path} equation {e['what']}: its number overlaps it by {e['overlap']:.0f} px")
            if e["scrolls"] and (width >= 1280 or not e["cue"]):
                problems.append(f"{path} equation {e['what']} scrolls" + ("" if width < 1280 else " on desktop"))
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1280, 390])
def test_figures_open_full_size_and_are_never_stretched(browser, served_site, width):
    """Every figure is a link to its own SVG (a tap opens it at full size) and is shown at its
    natural size or smaller, at either width."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = []
    for path in CHAPTER:
        page.goto(served_site + path, wait_until="networkidle")
        page.evaluate("document.querySelectorAll('figure.lb-figure img').forEach(i => i.loading = 'eager')")
        page.wait_for_function("[...document.querySelectorAll('figure.lb-figure img')]"
                               ".filter(i => i.getBoundingClientRect().width > 0).every(i => i.complete)")
        for figure in page.evaluate("""() => [...document.querySelectorAll('figure.lb-figure')].map(f => {
              const img = [...f.querySelectorAll('img')].find(i => i.getBoundingClientRect().width > 0);
              const link = img && img.closest('a');
              return {id: f.id, shown: img ? img.getBoundingClientRect().width : 0,
                      natural: img ? img.naturalWidth : 0, href: link ? link.href : null}; })"""):
            if not figure["shown"]:
                problems.append(f"{path} {figure['id']}: not shown")
                continue
            if figure["shown"] > figure["natural"] + 0.5:
                problems.append(f"{path} {figure['id']}: stretched {figure['shown'] / figure['natural']:.2f}x")
            if not (figure["href"] or "").split("#")[0].endswith(".svg"):
                problems.append(f"{path} {figure['id']}: does not open at full size ({figure['href']})")
            else:
                response = page.request.get(figure["href"])
                if not response.ok or "svg" not in response.headers.get("content-type", ""):
                    problems.append(f"{path} {figure['id']}: {figure['href']} gives {response.status}")
    page.goto(served_site + "/cnn/", wait_until="networkidle")
    link = page.locator("figure.lb-figure a.lb-figure__open:visible").first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/figures/*.svg")
    context.close()
    assert not problems, "\n".join(problems)
