"""The log as static files in object storage or a directory, for any static host, CDN or auditor.

``layout`` says which C2SP tlog-tiles objects a tree has and their bytes (the
read API's own); ``sync.mirror`` brings a store up to the latest checkpoint,
tiles first and the checkpoint last, only forward; ``DirectorySink`` (the
export, ``cunzheng export``) and ``S3Sink`` (a bucket) are the stores;
``MirrorPublisher`` keeps a bucket current from the service, in the
background.
"""

from cunzheng.ledger.mirror.directory import DirectorySink
from cunzheng.ledger.mirror.layout import (
    CHECKPOINT,
    PublishedCheckpoint,
    StaticObject,
    cache_control,
    checkpoint_object,
    open_published,
    tile_object,
    tiles_between,
)
from cunzheng.ledger.mirror.publisher import MirrorPublisher, retry_delay
from cunzheng.ledger.mirror.s3 import S3Sink
from cunzheng.ledger.mirror.sync import (
    CheckpointChanged,
    MirrorResult,
    ObjectSink,
    Stored,
    mirror,
)

__all__ = [
    "CHECKPOINT",
    "CheckpointChanged",
    "DirectorySink",
    "MirrorPublisher",
    "MirrorResult",
    "ObjectSink",
    "PublishedCheckpoint",
    "S3Sink",
    "StaticObject",
    "Stored",
    "cache_control",
    "checkpoint_object",
    "mirror",
    "open_published",
    "retry_delay",
    "tile_object",
    "tiles_between",
]
