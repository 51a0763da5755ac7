"""What a ``>>>`` example's copy button copies (``lensbook.site.examples``)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from lensbook.site import examples

ROOT = Path(__file__).resolve().parents[1]
DNA = ROOT / "src" / "lensbook" / "dna.py"


def test_prompts_are_stripped_and_output_dropped():
    session = ">>> r = f(1,\n...       2)\n>>> r.x, r.y\n(3, 4)\n>>> for i in range(2):\n...     print(i)\n...\n0\n1\n"
    assert examples.runnable(session) == "r = f(1,\n      2)\nr.x, r.y\nfor i in range(2):\n    print(i)\n"


def test_only_names_the_example_neither_binds_nor_finds_in_builtins_are_free():
    code = ("import numpy as np\nr = scan(np.zeros(3))\nprint(r.x, len(r))\n"
            "[f(n) for n in names]\ndef g(a):\n    return a + k\n")
    assert examples.free_names(code) == ["f", "k", "names", "scan"]


def test_module_names_are_what_its_source_binds_at_the_top(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\nfrom x import y as z\nA, B = 1, 2\nC: int = 3\ndef f(): q = 1\nclass K: pass\n")
    assert examples.module_names(source) == {"os", "z", "A", "B", "C", "f", "K"}


def test_copy_text_imports_what_the_example_takes_from_its_module():
    session = '>>> one_hot("GATA").argmax(0).tolist()\n[2, 0, 3, 0]\n'
    assert examples.copy_text(session, "lensbook.dna", DNA) == (
        'from lensbook.dna import one_hot\none_hot("GATA").argmax(0).tolist()')
    assert examples.copy_text(">>> 1 + 1\n2\n", "lensbook.dna", DNA) == "1 + 1"


def test_each_session_on_a_page_gets_its_copy_text_and_nothing_else_changes():
    page = ('<p>x</p>\n<div class="language-pycon highlight"><pre><span></span><code>'
            '<span class="gp">&gt;&gt;&gt; </span>one_hot(<span class="s2">"A&lt;"</span>)\n'
            '<span class="go">[1]</span>\n</code></pre></div>\n'
            '<div class="language-python highlight"><pre><code>x = 1\n</code></pre></div>\n'
            '<div class="language-pycon highlight"><pre><code>just text\n</code></pre></div>\n')
    out = examples.with_copy_text(page, "lensbook.dna", DNA)
    assert examples.with_copy_text(page[:9], "lensbook.dna", DNA) == page[:9]  # no session: untouched
    first = html.escape('from lensbook.dna import one_hot\none_hot("A<")', quote=True).replace("\n", "&#10;")
    assert out == page.replace('<div class="language-pycon highlight"><pre><span>',
                               f'<div data-copy="{first}" class="language-pycon highlight"><pre><span>', 1)



#: Runs each example given on stdin (a JSON list of [name, code]) in a fresh namespace, as a
#: fresh interpreter would; prints what failed.
RUN_EACH = """
import json, sys, traceback
failed = []
for name, code in json.load(sys.stdin):
    try:
        exec(compile(code, name, "exec"), {"__name__": "__main__"})
    except Exception:
        failed.append(name + ":\\n" + code + "\\n" + traceback.format_exc())
print("\\n\\n".join(failed) or "all ran")
"""


@pytest.mark.browser
def test_every_reference_example_copies_as_code_that_runs(built_site, served_site, browser):
    """Click each ``>>>`` example's copy button on every reference page, read the clipboard, run it."""
    import json
    import os
    import subprocess
    import sys

    site, _ = built_site
    pages = sorted(path.parent.relative_to(site).as_posix() for path in (site / "reference").glob("*/index.html")
                   if 'class="language-pycon' in path.read_text(encoding="utf-8"))
    assert len(pages) >= 7, pages
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    copied = []
    for path in pages:
        page.goto(f"{served_site}/{path}/", wait_until="networkidle")
        blocks = page.locator("div.language-pycon")
        for i in range(blocks.count()):
            block = blocks.nth(i)
            block.hover()  # Material shows the button on hover
            block.locator("button[data-clipboard-target]").click()
            text = page.evaluate("() => navigator.clipboard.readText()")
            assert ">>>" not in text and text.strip(), f"{path} example {i + 1}: {text!r}"
            copied.append((f"{path} example {i + 1}", text))
    context.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", RUN_EACH], input=json.dumps(copied), env=env, cwd=site,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip() == "all ran", proc.stdout + proc.stderr


def test_a_name_a_package_does_not_bind_is_imported_from_the_module_it_re_exports_from():
    models = ROOT / "src" / "lensbook" / "models" / "__init__.py"
    text = examples.copy_text(">>> parameter_count(nn.Linear(2, 3))\n9\n", "lensbook.models", models)
    assert text.splitlines() == ["from lensbook.models.common import nn",
                                 "from lensbook.models import parameter_count",
                                 "parameter_count(nn.Linear(2, 3))"]
