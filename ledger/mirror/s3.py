"""An S3 bucket as the static log, so that any static host or CDN in front of it serves the log.

Objects go to ``<prefix>/<path>`` in the bucket, each with the Content-Type
and Cache-Control the read API gives its path. The checkpoint is replaced by
a conditional write: ``If-Match`` the ETag read, or ``If-None-Match: *``
when there was none, so of two writers that read the same checkpoint only
one replaces it (AWS S3, SeaweedFS, MinIO and Cloudflare R2 honour both
headers; a store that ignores them loses that guard).

The client is boto3's, so credentials and region come from the usual AWS
sources (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``,
``AWS_REGION``, an instance role, ...). It is imported only when a bucket
is configured; ``pip install 'cunzheng[s3]'`` installs it.
"""

from __future__ import annotations

from typing import Any

from cunzheng.ledger.errors import LedgerError, NotFound, Unavailable
from cunzheng.ledger.mirror.layout import CHECKPOINT, StaticObject
from cunzheng.ledger.mirror.sync import CheckpointChanged, Stored

# S3 error codes meaning the conditional write lost to another writer.
_LOST_RACE = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_ABSENT = {"NoSuchKey", "404"}


class S3Sink:
    """The static log as objects in an S3 bucket, under a prefix."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint: str | None = None,
        region: str | None = None,
    ) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError as e:
            raise LedgerError(
                "publishing to S3 needs boto3, which is not installed: pip install 'cunzheng[s3]'"
            ) from e
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard", "max_attempts": 3},
            # Stores other than AWS often name buckets in the path, not the host name.
            s3={"addressing_style": "path" if endpoint else "auto"},
            # Checksums only where S3 requires them: not every S3-compatible store knows them.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = boto3.session.Session()
        # Without a region anywhere, us-east-1: what S3-compatible stores expect in signatures.
        region = region or session.region_name or "us-east-1"
        self._client: Any = session.client(
            "s3", endpoint_url=endpoint, region_name=region, config=config
        )
        self._errors: Any = self._client.exceptions

    @property
    def where(self) -> str:
        """Return ``s3://<bucket>/<prefix>``."""
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def key(self, path: str) -> str:
        """Return the object key of the static log's *path*."""
        return f"{self.prefix}/{path}" if self.prefix else path

    def read_checkpoint(self) -> Stored | None:
        """Return the checkpoint object's bytes and ETag, or None if there is none."""
        try:
            response = self._call("get_object", CHECKPOINT, Bucket=self.bucket)
        except NotFound:
            return None
        return Stored(response["Body"].read(), str(response["ETag"]))

    def put(self, obj: StaticObject) -> None:
        """Upload a tile."""
        self._call("put_object", obj.path, **self._object(obj))

    def replace_checkpoint(self, obj: StaticObject, *, expected: Stored | None) -> None:
        """Upload the checkpoint if the one held is still *expected*; else raise CheckpointChanged."""
        condition = {"IfNoneMatch": "*"} if expected is None else {"IfMatch": expected.version}
        self._call("put_object", obj.path, **self._object(obj), **condition)

    def _object(self, obj: StaticObject) -> dict[str, Any]:
        return {
            "Bucket": self.bucket,
            "Body": obj.data,
            "ContentType": obj.content_type,
            "CacheControl": obj.cache_control,
        }

    def _call(self, operation: str, path: str, **params: Any) -> Any:
        """Run one S3 operation on the object at *path*, its failures told as the ledger's errors."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(path)
        try:
            return getattr(self._client, operation)(Key=key, **params)
        except ClientError as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = f"S3 {operation} of {key} in bucket {self.bucket}: {code} {error.get('Message', '')}"
            if code in _ABSENT:
                raise NotFound(message.strip()) from e
            if code in _LOST_RACE:
                raise CheckpointChanged(message.strip()) from e
            raise Unavailable(message.strip()) from e
        except BotoCoreError as e:
            raise Unavailable(f"S3 {operation} of {key} in bucket {self.bucket}: {e}") from e
