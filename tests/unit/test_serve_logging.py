"""`ownerhub serve` logs no query strings: a GraphQL GET would put a token there."""

from __future__ import annotations

import io
import logging
import logging.config

import uvicorn.config

from cli import _log_config


def test_access_log_lines_drop_the_query_string():
    config = _log_config(uvicorn.config.LOGGING_CONFIG)
    stream = io.StringIO()
    config["handlers"]["access"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
            '/graphql?query={inviteDetails(token:"s3cr3t-token"){valid}}', "1.1", 200,
        )
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "ownerhub"):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True
            logger.setLevel(logging.NOTSET)
    line = stream.getvalue()
    assert "GET /graphql HTTP/1.1" in line
    assert "s3cr3t-token" not in line
