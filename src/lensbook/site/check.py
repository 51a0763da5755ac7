"""Check every chapter page's prose against the cached results, without a site build.

``python -m lensbook.site.check [PAGE ...]`` renders each page's templates
(placeholders and claims) for the site and for its notebook, and prints every
error it finds (the build stops at the first), then the claims per page.
Experiments that are not cached run first, as in a build.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

from . import apparatus, citations, notebooks, pages, render


def nav_pages(config_file: Path = Path("mkdocs.yml")) -> list[str]:
    """The Markdown pages of the nav, in reading order."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=Loader)
    out = []
    for entry in config["nav"]:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(target, str) and target.endswith(".md") and (Path("docs") / target).exists():
            out.append(target)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lensbook.site.check", description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages under docs/ (default: the nav's)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    chapter = [(p, (Path("docs") / p).read_text(encoding="utf-8")) for p in nav_pages()]
    wanted = args.pages or [p for p, _ in chapter]
    results = {k: v[0] for k, v in render.run_experiments(sorted(render.experiment_registry.load_all()),
                                                          render.default_cache_dir()).items()}
    figures = render.render_figures(cache_dir=render.default_cache_dir(),
                                    results={k: (v, 0.0, True) for k, v in results.items()})
    if Path("CITATION.cff").exists():
        results["chapter"] = citations.chapter_citation(Path("CITATION.cff"))
    numbering = apparatus.number(chapter)
    bibliography = citations.load(Path("bibliography.json"))
    failed = 0
    for page, text in chapter:
        if page not in wanted:
            continue
        claims: list = []
        errors = []
        for label, run in (("page", lambda: pages.process(text, page, results, figures, numbering, bibliography,
                                                           claims)),
                           ("notebook", lambda: notebooks.from_markdown(text, page, notebooks.Context(
                               results=results, figures=figures, numbering=numbering,
                               bibliography=bibliography)))):
            try:
                run()
            except (pages.PageError, ValueError) as error:
                errors.append(f"  {label}: {error}")
                break
        # go on past the first error: each paragraph on its own
        if errors:
            failed += 1
            print(f"{page}: FAILED")
            print("\n".join(errors))
            for error in _paragraph_errors(text, page, results):
                print(f"  {error}")
        else:
            print(f"{page}: ok, {len(claims)} claims")
    return 1 if failed else 0


def _paragraph_errors(text: str, page: str, results: dict) -> list[str]:
    """Every template error on a page, paragraph by paragraph."""
    from . import prose, rewrite

    out, line = [], 1
    for is_code, chunk in rewrite.split_code(text):
        if not is_code:
            start = line
            for block in chunk.split("\n\n"):
                try:
                    prose.render(block, page, results, start)
                except prose.ProseError as error:
                    out.append(str(error))
                start += block.count("\n") + 2
        line += chunk.count("\n")
    return out


if __name__ == "__main__":
    sys.exit(main())
