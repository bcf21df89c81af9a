"""Cunzheng (存证): a notarised evidence store for data intellectual property.

The repository keeps its parts in top-level folders (``ledger/``, ``api/``,
``schemas/``, ``cli/``); they install under this one import package, so a
user's site-packages gains ``cunzheng`` and nothing generic. The links in
this folder make the same names importable from a checkout.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
