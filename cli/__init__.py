"""The ``cunzheng`` command line."""
