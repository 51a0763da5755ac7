"""Page speed on a phone: what the theme does at load that a reader never sees (make lighthouse has the scores).

- Material marks <body> with ``data-md-color-switching`` while it applies a palette, so that colours switch
  without transitions; overrides/main.html keeps that mark off the page load (where it restyled every element
  twice) and on a reader's switch.
- Scripts load deferred, in their order: Material's bundle first, then the explorers'.
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
