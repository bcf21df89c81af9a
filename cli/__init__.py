"""The ``cunzheng`` command line: ``main`` parses the arguments and runs one command.

``arguments/`` defines every subcommand's arguments with argparse alone and
names the function that runs it; that function's module is imported only
when the command runs, so ``cunzheng verify`` never loads the server.
"""

__all__ = ["main"]


def __getattr__(name: str) -> object:
    # Lazily, so that importing a command's module does not load the parser first.
    if name == "main":
        from cunzheng.cli.main import main

        return main
    raise AttributeError(name)
