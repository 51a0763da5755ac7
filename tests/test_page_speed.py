"""Page speed on a phone: what the theme does at load that a reader never sees (make lighthouse has the scores).

- Material marks <body> with ``data-md-color-switching`` while it applies a palette, so that colours switch
  without transitions; overrides/main.html keeps that mark off the page load (where it restyled every element
  twice) and on a reader's switch.
- Scripts load deferred, in their order: Material's bundle first, then the explorers'.
- An explorer starts when it comes near the window, not while the page loads.
- Tables are wrapped when the site is built (lensbook.site.tables), so Material's script leaves them alone, and
  they look as Material's own.
"""

from __future__ import annotations

import re

import pytest

CHAPTER = ("index.html", "cnn/index.html", "rnn/index.html", "lstm/index.html", "transformer/index.html",
           "choosing/index.html", "interactive/index.html")


def test_scripts_are_deferred_and_in_order(built_site):
    site, _ = built_site
    for page in CHAPTER:
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", (site / page).read_text())
        assert tags and all(re.search(r"\sdefer[\s>]", tag) for tag in tags), (page, tags)
        names = [re.search(r'src="([^"]+)"', tag).group(1).rsplit("/", 1)[-1] for tag in tags]
        assert names[0].startswith("bundle.") and names[1] == "common.js", (page, names)

WATCH = """
window.lbSwitching = [];
new MutationObserver(records => {
  for (const r of records) window.lbSwitching.push(r.target.hasAttribute("data-md-color-switching"));
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-md-color-switching"]});
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_palette_restyles_nothing_at_load_and_a_switch_still_has_no_transitions(browser, served_site, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(served_site + "/cnn/", wait_until="load")
        page.wait_for_timeout(300)  # Material removes the mark on a later tick
        start, other = ("default", "slate") if scheme == "light" else ("slate", "default")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == start
        assert page.evaluate("window.lbSwitching") == []
        page.click("label.md-header__button[for^=__palette]:not([hidden])")
        page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{other}'")
        page.wait_for_function("window.lbSwitching.length >= 2")
        assert page.evaluate("window.lbSwitching")[:2] == [True, False]  # marked during the switch, then cleared
    finally:
        context.close()


def test_an_explorer_starts_when_it_comes_near_the_window_not_at_load(browser, served_site):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        fetched = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(served_site + "/transformer/", wait_until="networkidle")
        explorer = page.locator(".lensbook-explorer[data-explorer='attention']")
        assert explorer.get_attribute("data-started") is None
        assert not [u for u in fetched if u.endswith("attention.json")]   # not even its weights
        explorer.scroll_into_view_if_needed()
        page.wait_for_selector(".lensbook-explorer[data-explorer='attention'][data-ready='true']", timeout=15000)
        assert [u for u in fetched if u.endswith("attention.json")]
    finally:
        context.close()


def test_tables_are_wrapped_at_build_and_left_alone_by_materials_script(built_site):
    site, _ = built_site
    for page in CHAPTER:
        html = (site / page).read_text()
        assert "<table>" not in html, page   # every plain table carries lb-table, which Material's script skips
    html = (site / "choosing/index.html").read_text()
    assert html.count('<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="lb-table">') == 7
    generated = (site / "assets/stylesheets/tables.css").read_text()
    assert ".md-typeset table.lb-table td{" in generated and "table:not([class])" not in generated


TABLE_STYLE = """() => {
  const props = ['display', 'font-size', 'border-top-width', 'border-top-style', 'padding-left', 'text-align',
                 'vertical-align', 'font-weight', 'min-width', 'background-color', 'overflow-wrap'];
  const look = e => props.map(p => getComputedStyle(e).getPropertyValue(p));
  const table = document.querySelector('article table.lb-table');
  const wrap = table.closest('.md-typeset__scrollwrap');
  // a plain table beside it, added after load (so Material's script leaves it as it is), for comparison
  const plain = table.cloneNode(true);
  plain.removeAttribute('class');
  wrap.after(plain);
  return {ours: [table, table.querySelector('th'), table.querySelector('td')].map(look),
          material: [plain, plain.querySelector('th'), plain.querySelector('td')].map(look),
          twice: !!wrap.parentElement.closest('.md-typeset__table')};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_table_wrapped_at_build_looks_as_materials_own(browser, served_site, scheme):
    """Computed styles of a built table, its header and its cells equal those Material gives a plain table."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(served_site + "/choosing/", wait_until="networkidle")
        result = page.evaluate(TABLE_STYLE)
        assert result["ours"] == result["material"]
        assert not result["twice"]   # Material's script did not wrap it again
    finally:
        context.close()
