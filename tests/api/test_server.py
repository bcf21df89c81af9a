"""How the app is served (api.server): the access line written without the logging machinery."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter

from cunzheng.api.server import AccessLine, access_line

FORMAT = LOGGING_CONFIG["formatters"]["access"]["fmt"]
REQUESTS = [
    ("127.0.0.1:5000", "POST", "/v1/statements", "1.1", 201),
    ("[::1]:6000", "GET", "/log/proof/inclusion?index=3&size=9", "1.1", 404),
    ("10.0.0.1:1", "GET", "/log/%E6%95%B0", "1.0", 599),
]


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A logger configured as uvicorn's default configuration leaves ``uvicorn.access``.

    Made outside the logging hierarchy, where pytest's capture handlers are not added to it.
    """
    logger = logging.Logger("cunzheng.tests.access")
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(AccessFormatter(fmt=FORMAT, use_colors=False))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger


def _written(logger: logging.Logger) -> str:
    stream = logger.handlers[0].stream  # type: ignore[attr-defined]
    text: str = stream.getvalue()
    stream.seek(0)
    stream.truncate()
    return text


def test_access_line_is_uvicorns(logger: logging.Logger) -> None:
    line = access_line(logger)
    assert isinstance(line, AccessLine)
    for args in REQUESTS:
        logger.info('%s - "%s %s HTTP/%s" %d', *args)
        expected = _written(logger)
        line.info('%s - "%s %s HTTP/%s" %d', *args)
        assert _written(logger) == expected
    assert expected == 'INFO:     10.0.0.1:1 - "GET /log/%E6%95%B0 HTTP/1.0" 599 \n'


def test_access_line_follows_the_level(logger: logging.Logger) -> None:
    line = access_line(logger)
    logger.setLevel(logging.WARNING)
    line.info('%s - "%s %s HTTP/%s" %d', *REQUESTS[0])
    assert _written(logger) == ""


def test_a_logger_configured_otherwise_is_kept(logger: logging.Logger) -> None:
    logger.handlers[0].setFormatter(AccessFormatter(fmt=FORMAT, use_colors=True))
    assert access_line(logger) is logger
    logger.handlers[0].setFormatter(logging.Formatter("%(message)s"))
    assert access_line(logger) is logger
    logger.handlers[0].setFormatter(AccessFormatter(fmt=FORMAT, use_colors=False))
    logger.addFilter(lambda record: True)
    assert access_line(logger) is logger
