"""The API reference's pages and navigation, written into the build by mkdocs-gen-files.

``mkdocs.yml`` runs this file (``plugins: - gen-files: scripts:``); the work is in
``lensbook.site.reference.write_pages``.
"""

from lensbook.site.reference import write_pages

write_pages()
