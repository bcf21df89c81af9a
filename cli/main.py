"""``cunzheng``: serve a log, make keys, stamp files and verify receipts.

Every subcommand prints a readable line and exits 1 when something does not
hold (2 for a usage error); it never shows a traceback for bad input. A
subcommand's code is imported only when it runs (``cli.arguments`` names it
as ``"module:function"``), so ``cunzheng verify`` and ``cunzheng hash`` never
load the server or the database.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from cunzheng.cli.arguments import build_parser
from cunzheng.ledger.errors import LedgerError

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _command(args.run)(args)
    except LedgerError as e:
        print(f"cunzheng {args.command}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(
            f"cunzheng {args.command}: {e.strerror or e}: {e.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


def _command(target: str) -> Callable[[argparse.Namespace], int]:
    """Return the function *target* (``"package.module:function"``) names, importing its module."""
    module, _, function = target.partition(":")
    run: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
    return run


if __name__ == "__main__":
    sys.exit(main())
