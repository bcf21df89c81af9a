"""The service's settings: one typed object, read from ``CUNZHENG_*`` variables at the edge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cunzheng.ledger.bodies import LogSettings
from cunzheng.ledger.registry.policy import CNIPA_CERTIFICATE, Policy, default_systems


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
    registration_system: str = Field(
        default="shanghai-data-ip",
        description="The registration system events belong to; its certificate numbers follow CNIPA's 17-digit format.",
    )
    registration_systems: dict[str, str] = Field(
        default_factory=dict,
        description='Further registration systems the log accepts, each with the regular expression its certificate numbers match in full, e.g. {"nda-data-property": "NDA\\d{10}"}.',
    )
    publicity_days: int = Field(default=15, ge=0, description="Publicity period (公示期) in days.")
    term_days: int = Field(
        default=3 * 365 + 1, ge=1, description="Longest registration term in days."
    )
    platform: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "The platform's own facts, declared in the log's settings and shown in every report: "
            '{"operator_name": legal name, "credit_code": 统一社会信用代码, "blockchain_filing": '
            '区块链信息服务备案 number, "security_level": 网络安全等级保护 level 1-5, '
            '"security_filing": its filing number, "tsa_name": the time-stamp authority, '
            '"tsa_status": "trusted" or "test", "neutrality": a neutrality statement}; '
            "each optional, and one left out is reported as not declared (docs/operations.md)."
        ),
    )
    external_tsas: list[str] = Field(
        default_factory=list,
        description="URLs of external RFC 3161 TSAs that also time-stamp each checkpoint.",
    )
    witnesses: list[str] = Field(
        default_factory=list,
        description='Witnesses that cosign checkpoints, each "<url> <witness verifier key>" (C2SP tlog-witness).',
    )
    publish_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="Shortest time between two time-stamped and cosigned checkpoints.",
    )
    s3_bucket: str | None = Field(
        default=None,
        description="S3 bucket to publish checkpoints, tiles and entry bundles to as they are made (C2SP tlog-tiles); credentials from the usual AWS variables.",
    )
    s3_prefix: str = Field(
        default="",
        description="Key prefix of the log's objects in the bucket: <prefix>/checkpoint, <prefix>/tile/...",
    )
    s3_endpoint: str | None = Field(
        default=None,
        description="URL of an S3-compatible store (SeaweedFS, MinIO, ...); default: AWS S3.",
    )
    s3_region: str | None = Field(
        default=None,
        description="The bucket's region; default: AWS_REGION, the AWS configuration, else us-east-1.",
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
    tile_cache: int = Field(
        default=4096,
        ge=16,
        description="Hash tiles kept expanded in memory at least; at start the cache grows to "
        "hold every tile of the log and a quarter more, up to tile_cache_limit, and is loaded.",
    )
    tile_cache_limit: int = Field(
        default=65536,
        ge=16,
        description="Most hash tiles the cache grows to at start (about 16 KiB each: 65,536 "
        "tiles, 1 GiB, hold a log of some 13 million entries).",
    )
    keep_alive_s: int = Field(
        default=5, ge=1, description="Seconds an idle keep-alive connection stays open."
    )
    header_timeout_s: float = Field(
        default=10.0, gt=0, description="Seconds a client may take to send a request's headers."
    )
    body_timeout_s: float = Field(
        default=30.0, gt=0, description="Seconds a request's body may take to arrive in full."
    )
    max_connections: int = Field(
        default=1024,
        ge=1,
        description="Most connections (and requests in progress) served at once; beyond it, 503.",
    )
    signed_request_window_s: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Seconds a signed request's time may be from the server's clock, either way; each is accepted once.",
    )
    accept_rollback: bool = Field(
        default=False,
        description="Start even on a database behind the newest checkpoint this data directory remembers signing (logged loudly; docs/operations.md).",
    )
    tsa_key: Path | None = Field(
        default=None,
        description="PEM private key of a production time-stamp authority; default: a local test TSA in the data directory.",
    )
    tsa_chain: Path | None = Field(
        default=None,
        description="PEM certificates for tsa_key: the TSA certificate first, then the CAs above it.",
    )
    tsa_policy_oid: str = Field(
        default="2.25.263737314945060897510708092574744900752.1",
        pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$",
        description="TSA policy OID in time-stamp tokens; the default is Cunzheng's placeholder under the UUID arc 2.25 (docs/tsa.md).",
    )
    tsa_accuracy_ms: int = Field(
        default=1000, ge=1, le=3_600_000, description="Accuracy of genTime stated in tokens."
    )

    def policy(self) -> Policy:
        """Return the registry settings these settings describe, as a log.settings entry states them.

        The log writes them to itself (``ledger.operator.state_settings``); its rules
        then read them from the log, never from here.
        """
        systems: dict[str, Any] = {
            s.name: {"certificate": s.certificate, "registration_number": s.registration_number}
            for s in default_systems(self.registration_system)
        }
        for name, certificate in self.registration_systems.items():
            if name != self.registration_system or certificate != CNIPA_CERTIFICATE:
                systems[name] = {"certificate": certificate}
        body = {
            "publicity_days": self.publicity_days,
            "term_days": self.term_days,
            "systems": systems,
        }
        if self.platform:
            body["platform"] = self.platform
        return Policy.from_body(LogSettings.parse(body))

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to SQLite in the data directory."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'cunzheng.db').resolve()}"
