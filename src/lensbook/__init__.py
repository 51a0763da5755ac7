"""lensbook: the models, tasks and figures behind "Neural Network Architectures for genomics".

Importing the package does no I/O and trains nothing: experiments run only
when they are called (by a page, a figure or a reader).
"""

__version__ = "0.1.0"
