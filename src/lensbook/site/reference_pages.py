"""The API reference's pages and navigation, written into the build by mkdocs-gen-files.

``mkdocs.yml`` runs this file (``plugins: - gen-files: scripts:``), which runs it with
``runpy.run_path`` under the name ``<run_path>``; imported, it writes nothing (outside a
build, gen-files would write into ``docs/``). The work is in
``lensbook.site.reference.write_pages``.
"""

from lensbook.site.reference import write_pages

if __name__ == "<run_path>":
    write_pages()
