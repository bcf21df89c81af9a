"""The ``cunzheng`` command's arguments, kept apart from the code that runs them.

These modules import nothing but :mod:`argparse`, so ``cunzheng --help`` and
``cunzheng verify --help`` cost no more than building the parser. Each
subcommand names the function that runs it as ``"module:function"``;
``cli.main`` imports that module only when the command runs.
"""

from __future__ import annotations

import argparse

from cunzheng.cli.arguments import (
    audit,
    evidence,
    fingerprints,
    parties,
    questions,
    registry,
    service,
)

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``cunzheng`` command."""
    parser = argparse.ArgumentParser(
        prog="cunzheng", description="Cunzheng (存证): a notarised evidence store."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    service.add_serve(sub)
    evidence.add_evidence(sub)
    parties.add_parsers(sub)
    evidence.add_search(sub)
    service.add_rebuild(sub)
    service.add_backup(sub)
    service.add_export(sub)
    questions.add_parsers(sub)
    evidence.add_tsa_stamp(sub)
    audit.add_witness(sub)
    audit.add_monitor(sub)
    fingerprints.add_parsers(sub)
    registry.add_parsers(sub)
    return parser
