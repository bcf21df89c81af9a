"""One router per resource: the log's read API, statements, bundles, evidence search, the registry, confidential particulars, the TSA, and the operator's probes and metrics."""

__all__ = ["bundles", "confidential", "evidence", "health", "log", "registry", "statements", "tsa"]
