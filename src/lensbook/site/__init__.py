"""The build side of the site: runs experiments, draws figures, fills pages.

Plain Python, usable as a pre-build step (``python -m lensbook.site``) or from
the thin MkDocs hook in ``hook.py``.
"""
