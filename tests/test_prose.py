"""The prose engine: expressions, formats that show the value, claims the build checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from lensbook.site import notebooks, prose, rewrite
from lensbook.site.build import build_site

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Gradients:
    gap_level: dict
    donor_gain: dict


RESULTS = {"memory": Gradients(gap_level={"rnn_trained": 6.9e-16, "lstm_trained": 0.31},
                               donor_gain={"rnn_trained": 0.0, "lstm_trained": float("nan")})}


def render(text, results=RESULTS, claims=None):
    return prose.render(text, "rnn.md", results, first_line=10, claims=claims)


def test_expressions_index_call_and_branch():
    text = ('{{ memory.gap_level["lstm_trained"] | fmt(".2f") }} / {{ max(memory.gap_level.values()) | fmt(".1f") }}'
            '{% if memory.gap_level.rnn_trained < 0.01 %} vanished{% else %} kept{% endif %}')
    assert render(text) == "0.31 / 0.3 vanished"


def test_a_number_too_small_for_its_format_fails():
    with pytest.raises(prose.ProseError, match=r"rnn\.md line 10: 6\.9e-16 prints as '0\.00'"):
        render('{{ memory.gap_level.rnn_trained | fmt(".2f") }}')
    assert render('{{ memory.gap_level.rnn_trained | fmt(".1e") }}') == "6.9e-16"
    assert render('{{ memory.donor_gain.rnn_trained | fmt(".1f") }}') == "0.0"  # a real zero prints as one


def test_nan_tables_and_long_floats_do_not_print():
    with pytest.raises(prose.ProseError, match="NaN"):
        render('{{ memory.donor_gain.lstm_trained | fmt(".1f") }}')
    with pytest.raises(prose.ProseError, match="renders dict"):
        render("{{ memory.gap_level }}")
    with pytest.raises(prose.ProseError, match="without a format"):
        render("{{ memory.gap_level.lstm_trained / 3 }}")  # 0.10333333333333333


def test_an_unknown_result_or_field_names_page_line_and_what_is_known():
    with pytest.raises(prose.ProseError, match=r"rnn\.md line 11: 'nope' is undefined \(known results: memory\)"):
        render("text\n{{ nope.x }}")
    with pytest.raises(prose.ProseError, match=r"rnn\.md line 10: .*no attribute 'missing'"):
        render("{{ memory.missing }}")


def test_a_false_claim_names_page_line_expression_and_values():
    text = "line one\nthe gradient stays high. {% claim memory.gap_level['rnn_trained'] > 0.1 %}\n"
    with pytest.raises(prose.ClaimError) as error:
        render(text)
    message = str(error.value)
    assert "rnn.md line 11: claim is false: memory.gap_level['rnn_trained'] > 0.1" in message
    assert "memory.gap_level['rnn_trained'] = 6.9e-16" in message


def test_a_true_claim_renders_as_nothing_and_is_counted():
    claims = []
    text = ("It vanished. {% claim memory.gap_level.rnn_trained < 1e-3 %}\n"
            "{% claim memory.gap_level.lstm_trained > memory.gap_level.rnn_trained %}\n"
            "Next line.\n")
    assert render(text, claims=claims) == "It vanished.\nNext line.\n"
    assert [c.line for c in claims] == [10, 11]


def test_a_claim_naming_an_unknown_result_fails():
    with pytest.raises(prose.ProseError, match=r"rnn\.md line 10: 'lens_matrix' is undefined"):
        render("{% claim lens_matrix.best == 'cnn' %}")


def test_a_claim_in_an_untaken_branch_is_not_checked():
    text = "{% if memory.gap_level.rnn_trained > 1 %}kept{% claim 1 > 2 %}{% else %}lost{% endif %}"
    assert render(text) == "lost"


def test_inline_code_shows_template_syntax_literally():
    assert render("`{{ nope }}` and `{% claim 1 > 2 %}`") == "`{{ nope }}` and `{% claim 1 > 2 %}`"


def test_markdown_attribute_lists_are_not_comments():
    assert render('$$ {#eq-x}\n{ #id } {{ memory.gap_level.lstm_trained | fmt(".1f") }}') == "$$ {#eq-x}\n{ #id } 0.3"


def test_without_results_claims_go_and_placeholders_stay():
    assert prose.render("a {{ x.y }} b {% claim x.y > 1 %}", "p.md", None) == "a {{ x.y }} b"


def test_claims_in_finds_each_claim():
    assert prose.claims_in("a {% claim x > 1 %}\n`{% claim no %}` {%- claim y -%}") == ["x > 1", "y"]


def test_rewrite_renders_prose_not_code():
    page = "{{ memory.gap_level.lstm_trained | fmt('.2f') }}\n\n```python\nx = '{{ not.a.template }}'\n```\n"
    out = rewrite.render_templates(page, "p.md", rewrite.Context(results=RESULTS))
    assert out == "0.31\n\n```python\nx = '{{ not.a.template }}'\n```\n"


def test_notebook_downloads_carry_no_claims_or_template_syntax():
    page = ("# P\n\nIt vanished: {{ memory.gap_level.rnn_trained | fmt('.1e') }}. "
            "{% claim memory.gap_level.rnn_trained < 1e-3 %}\n\n```python\nprint(1)\n#> 1\n```\n")
    nb = notebooks.from_markdown(page, "p.md", notebooks.Context(results=RESULTS))
    text = "".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "It vanished: 6.9e-16." in text
    assert not prose.TEMPLATE_SYNTAX.search(text)


# --- the build itself stops -------------------------------------------------------------------

BROKEN = {
    "false-claim": ("The LSTM beats chance. {% claim memory.rnn_mean_at_zero < memory.chance %}\n",
                    "index.md line 3: claim is false: memory.rnn_mean_at_zero < memory.chance"),
    "unknown-result": ("{% claim no_such_experiment.auroc > 0.5 %}\n",
                       "index.md line 3: 'no_such_experiment' is undefined"),
    "zero-format": ('Tiny: {{ memory.oracle * 1e-9 | fmt(".2f") }}.\n',
                    "index.md line 3: 1e-09 prints as '0.00'"),
}


@pytest.mark.build
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_build_stops(case, tmp_path):
    body, message = BROKEN[case]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# Broken\n\n{body}")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: broken\nstrict: true\n"
                      f"hooks:\n  - {ROOT / 'src/lensbook/site/hook.py'}\n"
                      "markdown_extensions:\n  - attr_list\n  - md_in_html\n")
    build = build_site(tmp_path / "site", config=config, check=False)
    assert build.returncode != 0
    assert message in build.log


def test_lines_of_tags_leave_nothing_and_other_lines_keep_their_indentation():
    text = ("!!! note\n"
            "    {% for x in [1, 2] %}\n"
            "    - item {{ x }}\n"
            "    {% endfor %}\n"
            "    {% claim memory.gap_level.lstm_trained > 0.3 %}\n"
            "\n"
            "    {% for x in [1, 2] %}{{ x }}, {% endfor %}done\n"
            "{% if memory.gap_level.rnn_trained < 1 %}\n"
            "kept\n"
            "{% endif %}\n"
            "end\n")
    assert render(text) == "!!! note\n    - item 1\n    - item 2\n\n    1, 2, done\nkept\nend\n"


def test_errors_name_the_page_line_even_below_lines_of_tags():
    text = "{% claim memory.gap_level.lstm_trained > 0.3 %}\n{% if 1 %}\nx\n{% endif %}\n\n{{ nope }}\n"
    with pytest.raises(prose.ProseError, match=r"rnn\.md line 15: 'nope' is undefined"):
        render(text)  # first_line=10: the sixth line is line 15
