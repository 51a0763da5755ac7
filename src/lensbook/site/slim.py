"""Fewer elements in highlighted code: the same text and colours in a smaller DOM.

Pygments wraps every token of a code block in a ``<span>``: a line such as
``x = np.zeros(4)`` becomes eleven elements. On a phone, every element costs
style and layout time on each of the several restyles a page load makes, and
the code blocks hold more than half of a chapter page's elements. This hook
rewrites each ``<pre>`` of the built page so that it shows exactly what it
showed before with fewer elements:

- names (``n``) and whitespace (``w``) lose their span: Material colours names
  with the code's own text colour, and whitespace has no colour;
- operators (``o``, ``ow``) and punctuation (``p``), which ``lensbook.css``
  colours alike in both palettes, share the class ``p``;
- neighbouring spans of one class merge into one.

>>> slim_code('<pre><code><span class="n">x</span><span class="w"> </span><span class="o">=</span>'
...           '<span class="p">(</span><span class="mi">1</span><span class="p">)</span></code></pre>')
'<pre><code>x <span class="p">=(</span><span class="mi">1</span><span class="p">)</span></code></pre>'
"""

from __future__ import annotations

import re

PRE = re.compile(r"<pre\b.*?</pre>", re.S)
PLAIN = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')
ALIKE = re.compile(r'<span class="(?:o|ow)">')
NEIGHBOURS = re.compile(r'<span class="([a-z0-9]+)">([^<]*)</span>(?:<span class="\1">([^<]*)</span>)+')
INNER = re.compile(r'<span class="[a-z0-9]+">([^<]*)</span>')


def _merge(match: re.Match) -> str:
    return f'<span class="{match.group(1)}">' + "".join(INNER.findall(match.group(0))) + "</span>"


def _slim_block(match: re.Match) -> str:
    block = PLAIN.sub(r"\1", match.group(0))
    block = ALIKE.sub('<span class="p">', block)
    return NEIGHBOURS.sub(_merge, block)


def slim_code(html: str) -> str:
    """``html`` with the token spans of every ``<pre>`` thinned out (see the module's docstring)."""
    return PRE.sub(_slim_block, html)


def on_post_page(output: str, page, config) -> str:  # MkDocs hook
    return slim_code(output)
