"""Citations by key from one bibliography (CSL-JSON), rendered author–year.

A page cites with ``[@zhou2015]`` or ``[@zhou2015; @avsec2021]``; the build
writes "(Zhou & Troyanskaya, 2015)" linking to the page's own reference list,
which it appends at the end of the page, with the full reference as the
link's hover text. An unknown key fails the build.

The bibliography is ``bibliography.json`` at the repository root, a CSL-JSON
array; every entry has a ``DOI`` (arXiv preprints have DataCite DOIs,
``10.48550/arXiv.NNNN.NNNNN``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError

CITE = re.compile(r"\[(@[\w:-]+(?:\s*;\s*@[\w:-]+)*)\]")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


@dataclass(frozen=True)
class Reference:
    """One bibliography entry, with what the pages need to show it."""

    key: str
    authors: tuple[tuple[str, str], ...]  # (family, given)
    year: int
    title: str
    container: str
    volume: str
    pages: str
    doi: str

    @property
    def short(self) -> str:
        """Author–year label: "Zhou & Troyanskaya, 2015", "Avsec et al., 2021"."""
        families = [family for family, _ in self.authors]
        if len(families) == 1:
            who = families[0]
        elif len(families) == 2:
            who = f"{families[0]} & {families[1]}"
        else:
            who = f"{families[0]} et al."
        return f"{who}, {self.year}"

    @property
    def full(self) -> str:
        """The full reference as plain text."""
        names = [f"{family}, {initials(given)}" if given else family for family, given in self.authors]
        if len(names) > 6:  # long author lists: the first three, then et al.
            names = names[:3] + ["et al."]
        if names[-1] == "et al.":
            who = ", ".join(names[:-1]) + " et al."
        else:
            who = ", ".join(names[:-1]) + f" & {names[-1]}" if len(names) > 1 else names[0]
        where = self.container
        if self.volume:
            where += f" {self.volume}"
        if self.pages:
            where += f":{self.pages}"
        return f"{who} ({self.year}). {self.title}. {where}. doi:{self.doi}"


def initials(given: str) -> str:
    """"Olga G." -> "O. G.", "Kyle Kai-How" -> "K. K.-H."."""
    words = [w for w in given.replace(".", " ").split() if w]
    return " ".join("-".join(part[:1] + "." for part in word.split("-")) for word in words)


def load(path: Path) -> dict[str, Reference]:
    """Read and check the CSL-JSON bibliography; ``ValueError`` names the entry and the problem."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Reference] = {}
    for entry in entries:
        key = entry.get("id")
        if not key or key in out:
            raise SourceError(f"{path.name}: missing or duplicate id {key!r}")
        doi = entry.get("DOI", "")
        if not DOI.match(doi):
            raise SourceError(f"{path.name}: {key}: DOI {doi!r} is not of the form 10.NNNN/suffix")
        try:
            year = int(entry["issued"]["date-parts"][0][0])
            authors = tuple((a["literal"], "") if "literal" in a else (a["family"], a.get("given", ""))
                            for a in entry["author"])
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise SourceError(f"{path.name}: {key}: needs author and issued date-parts ({error})") from error
        out[key] = Reference(key, authors, year, entry["title"], entry.get("container-title", ""),
                             str(entry.get("volume", "")), str(entry.get("page", "")), doi)
    return out


def cited_keys(markdown_prose: str) -> list[str]:
    """Every key cited in ``markdown_prose``, in order of first citation."""
    keys: list[str] = []
    for match in CITE.finditer(markdown_prose):
        for key in (k.strip().lstrip("@") for k in match.group(1).split(";")):
            if key not in keys:
                keys.append(key)
    return keys


def render_citations(prose: str, bibliography: dict[str, Reference], page: str) -> str:
    """Replace ``[@key; ...]`` in ``prose`` by author–year links; unknown keys raise ``ValueError``."""

    def one(match: re.Match) -> str:
        links = []
        for key in (k.strip().lstrip("@") for k in match.group(1).split(";")):
            if key not in bibliography:
                raise SourceError(f"{page}: unknown citation key {key!r}; known: {sorted(bibliography)}")
            ref = bibliography[key]
            title = html.escape(ref.full, quote=True)
            links.append(f'<a class="lb-cite" href="#ref-{key}" title="{title}">{html.escape(ref.short)}</a>')
        return "(" + "; ".join(links) + ")"

    return CITE.sub(one, prose)


def reference_list(keys: list[str], bibliography: dict[str, Reference]) -> str:
    """The Markdown of a page's reference list, sorted by first author and year."""
    if not keys:
        return ""
    refs = sorted((bibliography[k] for k in keys), key=lambda r: (r.authors[0][0], r.year, r.key))
    lines = ["", "## References", ""]
    for ref in refs:
        text = html.escape(ref.full.removesuffix(f" doi:{ref.doi}"))
        lines.append(f'<p class="lb-reference" id="ref-{ref.key}">{text} '
                     f'<a href="https://doi.org/{ref.doi}">doi:{ref.doi}</a></p>')
        lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class ChapterCitation:
    """How to cite this chapter, generated from ``CITATION.cff`` (the one source)."""

    text: str
    bibtex: str


def chapter_citation(cff_path: Path) -> ChapterCitation:
    """Read ``CITATION.cff`` and build the plain-text and BibTeX citations of the chapter.

    The BibTeX comes as a Markdown code block, for a ``{{ chapter.bibtex }}`` line.
    """
    import yaml

    from .pages import Markdown

    cff = yaml.safe_load(cff_path.read_text(encoding="utf-8"))
    for key in ("title", "authors", "version", "date-released"):
        if key not in cff:
            raise SourceError(f"{cff_path.name}: missing {key!r}")
    names = [a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"]]
    year = str(cff["date-released"])[:4]
    fields = {
        "author": " and ".join("{" + n + "}" if "," not in n else n for n in names),
        "title": "{" + cff["title"] + "}",
        "year": year,
        "version": cff["version"],
        "note": "Chapter 4, executable edition",
    }
    if cff.get("url"):
        fields["url"] = cff["url"]
    if cff.get("doi"):
        fields["doi"] = cff["doi"]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    bibtex = f"@misc{{lensbook{year},\n{body}\n}}"
    text = f"{' & '.join(names)} ({year}). {cff['title']}. Version {cff['version']}."
    return ChapterCitation(text=text, bibtex=Markdown(f"```bibtex\n{bibtex}\n```"))
