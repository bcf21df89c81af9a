"""Cunzheng's core library: the verifiable log and what is built on it.

The pure modules (``merkle``, ``note``, ``tiles``, ``statements``, ``receipts``)
take bytes and return values or raise an error from ``ledger.errors``; they do
no I/O. ``store`` persists, ``log`` sequences statements into the tree.
"""
