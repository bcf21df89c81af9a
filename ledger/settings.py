"""The service's settings: one typed object, read from ``CUNZHENG_*`` variables at the edge."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the log keeps its data and keys, and how it batches statements."""

    model_config = SettingsConfigDict(env_prefix="CUNZHENG_", extra="ignore")

    data_dir: Path = Field(
        default=Path("cunzheng-data"), description="Keys and the SQLite database live here."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite in the data directory. postgresql://... for PostgreSQL.",
    )
    origin: str = Field(
        default="localhost/cunzheng", description="The log's origin line and key name."
    )
    operator_name: str = Field(
        default="Cunzheng operator", description="The operator party's display name."
    )
    batch_size: int = Field(
        default=1024, ge=1, le=65536, description="Most statements in one batch."
    )
    batch_wait_ms: float = Field(
        default=5.0, ge=0, le=10_000, description="Longest wait before a batch closes."
    )
    max_batch_request: int = Field(
        default=1000, ge=1, description="Most statements in one batch request."
    )
    tile_cache: int = Field(default=4096, ge=16, description="Hash tiles kept expanded in memory.")

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to SQLite in the data directory."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'cunzheng.db').resolve()}"
