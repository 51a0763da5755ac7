"""lensbook.site.slim: highlighted code keeps its text and colours with fewer elements."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import material

from lensbook.site.slim import slim_code

ROOT = Path(__file__).resolve().parents[1]
CODE = '''```python
import numpy as np

def scan(x, w):  # slide the filter
    return np.array([(x[:, i:i + 6] * w).sum() for i in range(x.shape[1] - 5)]) if x is not None else None
```'''


class Runs(HTMLParser):
    """The text of a fragment, and for each character the classes of the elements around it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.classes, self.elements = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self.elements += 1
        self.stack.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        for ch in data:
            self.text.append(ch)
            self.classes.append(self.stack[-1] if self.stack else "")


def parse(html: str) -> Runs:
    runs = Runs()
    runs.feed(html)
    return runs


def highlighted() -> str:
    return markdown.markdown(CODE, extensions=["pymdownx.highlight", "pymdownx.superfences"],
                             extension_configs={"pymdownx.highlight": {"pygments_lang_class": True}})


# Material's colour for each token class, as slim sees it: names and whitespace in the code's own colour,
# operators and punctuation alike
COLOUR = {"n": "", "w": "", "": "", "o": "p", "ow": "p"}


def test_same_text_same_colours_fewer_elements():
    before, after = parse(highlighted()), parse(slim_code(highlighted()))
    assert "".join(after.text) == "".join(before.text)
    assert [COLOUR.get(c, c) for c in after.classes] == [COLOUR.get(c, c) for c in before.classes]
    assert after.elements < 0.8 * before.elements


def test_only_code_blocks_change():
    page = '<p><span class="n">x</span><span class="n">y</span></p>' + highlighted() + '<code><span class="w"> </span></code>'
    slim = slim_code(page)
    assert slim.startswith('<p><span class="n">x</span><span class="n">y</span></p>')
    assert slim.endswith('<code><span class="w"> </span></code>')
    assert slim_code(slim) == slim  # nothing left to do the second time


def test_neighbours_of_one_class_merge_and_others_stay():
    assert slim_code('<pre><span class="p">)</span><span class="o">.</span><span class="p">(</span>'
                     '<span class="s2">&quot;a&lt;b&quot;</span><span class="s2">x</span></pre>') == \
        '<pre><span class="p">).(</span><span class="s2">&quot;a&lt;b&quot;x</span></pre>'
    # a highlighted line (hll) keeps its wrapper, and the spans in it are thinned the same way
    assert slim_code('<pre><span class="hll"><span class="n">a</span><span class="o">=</span></span></pre>') == \
        '<pre><span class="hll">a<span class="p">=</span></span></pre>'


def css(path: Path) -> str:
    return path.read_text()


def test_the_colours_slim_relies_on():
    """Material colours names with the code's text colour and operators with the operator colour, and has no
    rule for whitespace; lensbook.css gives operators and punctuation one colour in every palette."""
    main = css(next((Path(material.__file__).parent / "templates/assets/stylesheets").glob("main.*.min.css")))
    assert "--md-code-hl-name-color:var(--md-code-fg-color)" in main
    assert ".highlight .o,.highlight .ow{color:var(--md-code-hl-operator-color)}" in main
    assert ".highlight .p{color:var(--md-code-hl-punctuation-color)}" in main
    assert ".highlight .kc,.highlight .n{color:var(--md-code-hl-name-color)}" in main
    assert len(re.findall(r"\.highlight \.n[,{ ]", main)) == 1 and not re.search(r"\.highlight \.w[,{ ]", main)
    ours = css(ROOT / "docs/assets/lensbook.css") + css(ROOT / "docs/assets/notebook.css")
    assert "--md-code-hl-name-color" not in ours and not re.search(r"\.(?:n|w|o|ow|p)\s*[,{]", ours)
    operators = re.findall(r"--md-code-hl-operator-color:\s*([^;]+);", ours)
    punctuation = re.findall(r"--md-code-hl-punctuation-color:\s*([^;]+);", ours)
    assert operators and operators == punctuation
