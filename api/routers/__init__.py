"""One router per resource: the log's read API, statements, bundles, evidence search, the registry, confidential particulars and the TSA."""

__all__ = ["bundles", "confidential", "evidence", "log", "registry", "statements", "tsa"]
