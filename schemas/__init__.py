"""Wire models (Pydantic v2) and their JSON Schema; this package imports nothing else of ours."""

__all__ = [
    "bundles",
    "encoding",
    "evidence",
    "fingerprints",
    "log",
    "questions",
    "receipts",
    "registry",
    "types",
]
