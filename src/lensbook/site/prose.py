"""The prose engine: placeholders that are expressions, and claims the build checks.

A page's prose (never its code) is a Jinja template rendered over the
experiments' results, so a sentence quotes the same object its figure draws:

* ``{{ long_range.auroc["cnn"] | fmt(".3f") }}`` fills in a number. ``fmt``
  refuses a value that its format would print as zero (``0.00`` for a real
  6.9e-16) and NaN; a value without ``fmt`` must not be a float, and never
  a whole table (a dict, a list) or ``None``.
* ``{% if ... %}`` / ``{% else %}`` / ``{% endif %}`` branch, for wording
  that follows a rule computed in Python (a verdict).
* ``{% claim EXPR %}`` sits next to a sentence that interprets a number
  (compares, ranks, says "at chance", "fades", "agrees"). The build evaluates
  ``EXPR`` over the results; when it is false the build stops and names the
  page, the line, the expression and the values in it. A claim renders as
  nothing: readers and notebook downloads never see it.

Jinja's own comment syntax is switched off (``{#`` opens Markdown attribute
lists such as ``{#eq-conv}``); everything else is Jinja 3 as documented.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import math
import re
import types
from typing import Any

import jinja2
from markupsafe import Markup

from .errors import BuildError

#: ``{% claim EXPR %}`` with the spaces before it; alone on its line, the whole line goes.
CLAIM = re.compile(r"[ \t]*\{%-?[ \t]*claim[ \t]+(?P<expr>.+?)[ \t]*-?%\}(?P<eol>[ \t]*(?:\n|\Z))?")
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
#: A line that holds only block tags (``{% if %}``, ``{% for %}``, a claim): it leaves no line behind.
TAG_LINE = re.compile(r"^[ \t]*((?:\{%.*?%\}[ \t]*)+)\n", re.M)
TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|%\}|\}\}")


class Markdown(Markup):
    """A value that is Markdown (a generated table): inserted as it is, not escaped."""


class ProseError(BuildError, ValueError):
    """A placeholder or claim is wrong, or a claim is false; the message names page and line."""


class ClaimError(ProseError):
    """A claim about the results is false."""


@dataclasses.dataclass(frozen=True)
class Claim:
    """One ``{% claim %}``: where it is and what it says."""

    page: str
    line: int
    expression: str


def fmt(value: Any, spec: str = "") -> str:
    """``format(value, spec)``, refusing what would mislead a reader.

    >>> fmt(0.98765, ".3f"), fmt(52843119, ","), fmt(6.9e-16, ".1e")
    ('0.988', '52,843,119', '6.9e-16')
    >>> fmt(6.9e-16, ".2f")
    Traceback (most recent call last):
    ...
    ValueError: 6.9e-16 prints as '0.00' with format '.2f': choose a format that shows it (such as '.1e' or '.2g')
    """
    if isinstance(value, (dict, list, tuple, set)) or value is None or dataclasses.is_dataclass(value):
        raise ValueError(f"a placeholder renders {type(value).__name__} {_short(value)}: index it or format one value")
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("the value is NaN: a measurement that failed, not a number to print")
    try:
        text = format(value, spec)
    except (TypeError, ValueError) as error:
        raise ValueError(f"cannot format {value!r} with {spec!r}: {error}") from error
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0 \
            and not re.search(r"[1-9]", text.split("e")[0].split("E")[0]):
        raise ValueError(f"{value!r} prints as {text!r} with format {spec!r}: choose a format that shows it "
                         "(such as '.1e' or '.2g')")
    return text


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."


def _finalize(value: Any) -> str:
    """What a bare ``{{ value }}`` prints: strings and ints as they are; a float only if it is short
    (``0.01``, ``3.0``), otherwise it needs ``fmt``."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, float) and len(repr(value)) > 7:
        raise ValueError(f"a placeholder renders the float {value!r} without a format: add | fmt(\".3f\") or similar")
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return html.escape(fmt(value), quote=False)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, finalize=_finalize,
        comment_start_string="{##", comment_end_string="##}",  # `{#eq-x}` is Markdown, not a comment
        keep_trailing_newline=True, extensions=["jinja2.ext.do"],
    )
    env.filters["fmt"] = fmt
    env.globals.update(abs=abs, all=all, any=any, len=len, max=max, min=min, round=round,
                       sorted=sorted, sum=sum, zip=zip, range=range, math=types.SimpleNamespace(
                           isnan=math.isnan, isfinite=math.isfinite, log10=math.log10, exp=math.exp))
    return env


ENV = _environment()


def _stash_code(text: str) -> tuple[str, list[str]]:
    """Inline code spans out of the way (they show template syntax literally)."""
    stash: list[str] = []

    def keep(match: re.Match) -> str:
        stash.append(match.group(0))
        return f"\x02{len(stash) - 1}\x03"

    return INLINE_CODE.sub(keep, text), stash


def _unstash(text: str, stash: list[str]) -> str:
    return re.sub(r"\x02(\d+)\x03", lambda m: stash[int(m.group(1))], text)


def _template_line(error: BaseException) -> int | None:
    """The template line an error was raised on, from Jinja's rewritten traceback."""
    line = getattr(error, "lineno", None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _values(expression: str, namespace: dict[str, Any]) -> list[str]:
    """``name = value`` for each operand of the comparisons and boolean parts of ``expression``."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return []
    parts: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                visit(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            visit(node.operand)
        elif isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                if not isinstance(operand, ast.Constant):
                    parts.append(ast.unparse(operand))
        elif not isinstance(node, ast.Constant):
            parts.append(ast.unparse(node))

    visit(tree.body)
    out = []
    for part in dict.fromkeys(parts):
        try:
            out.append(f"{part} = {_short(ENV.compile_expression(part)(**namespace))}")
        except Exception as error:  # a part that is not valid Jinja on its own
            out.append(f"{part}: {type(error).__name__}")
    return out


def render(text: str, page: str, namespace: dict[str, Any] | None, first_line: int = 1,
           claims: list[Claim] | None = None) -> str:
    """Render one stretch of prose (no fenced code in it) as a template over ``namespace``.

    ``first_line`` is the page line ``text`` starts on, for messages.
    ``namespace=None`` (no results: a notebook made in a test) drops the
    claims and leaves placeholders as written. Checked claims are appended
    to ``claims``.
    """
    if not TEMPLATE_SYNTAX.search(text):
        return text
    body, stash = _stash_code(text)
    found: list[Claim] = []

    def mark(match: re.Match) -> str:
        line = first_line + body.count("\n", 0, match.start())
        found.append(Claim(page, line, _unstash(match["expr"], stash)))
        alone = match.start() == 0 or body[match.start() - 1] == "\n"
        newline = "\n" * (match["eol"] or "").count("\n")
        if namespace is None:
            return "" if alone else newline
        call = f"__claim__({len(found) - 1}, ({match['expr']}))"
        # alone on its line: a block tag, so the line goes (see TAG_LINE); inside a line: prints nothing
        return f"{{% do {call} %}}{newline}" if alone else f"{{{{ {call} }}}}{newline}"

    body = CLAIM.sub(mark, body)
    # a line of block tags only leaves nothing behind, not even its indentation or its newline;
    # any other line keeps its indentation (an admonition's, a list item's)
    # (the newline moves into a template comment, so Jinja still counts the page's lines)
    body = TAG_LINE.sub(lambda m: m.group(1).rstrip() + "{##\n##}", body)
    if namespace is None:
        return _unstash(body, stash)

    def check(index: int, value: Any) -> Markup:
        claim = found[index]
        if not value:
            values = "; ".join(_values(claim.expression, namespace)) or f"the expression is {_short(value)}"
            raise ClaimError(f"{claim.page} line {claim.line}: claim is false: {claim.expression}\n    {values}")
        if claims is not None:
            claims.append(claim)
        return Markup("")

    try:
        template = ENV.from_string(body)
        out = template.render(**namespace, __claim__=check)
    except ClaimError:
        raise
    except jinja2.TemplateSyntaxError as error:
        raise ProseError(f"{page} line {first_line + (error.lineno or 1) - 1}: template syntax: {error.message}") \
            from error
    except Exception as error:
        line = _template_line(error)
        where = f"{page} line {first_line + line - 1}" if line else page
        message = str(error) or type(error).__name__
        if isinstance(error, jinja2.UndefinedError):
            message += f" (known results: {', '.join(sorted(k for k in namespace if not k.startswith('_')))})"
        raise ProseError(f"{where}: {message}") from error
    return _unstash(out, stash)


def claims_in(text: str) -> list[str]:
    """The expressions of the claims written in ``text`` (for the guard test)."""
    body, stash = _stash_code(text)
    return [_unstash(m["expr"], stash) for m in CLAIM.finditer(body)]
