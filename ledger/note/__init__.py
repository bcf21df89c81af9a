"""C2SP signed notes and tlog checkpoints, signed with Ed25519.

A signed note (https://c2sp.org/signed-note) is UTF-8 text ending in a
newline, then a blank line, then one or more signature lines
``— <key name> base64(key ID || signature)``. A checkpoint
(https://c2sp.org/tlog-checkpoint) is a note whose text names a log (its
origin), a tree size and a root hash, optionally followed by extension lines.

The format in practice is what Go's ``golang.org/x/mod/sumdb/note`` accepts,
so this package follows it: the same key strings, the same parsing, and the
same treatment of unknown, repeated and failing signatures, so that notes
pass unchanged between this log and Go tools (sumdb clients, tessera,
witnesses). It is stricter in a few places:

* ``open_note`` refuses notes over ``MAX_NOTE_SIZE`` bytes (Go counts only
  signatures), and ``sign_note`` refuses to write a note ``open_note`` would
  refuse (control characters, over 100 signatures, over the size limit).
* Key names may not contain control characters (Go accepts such keys, but no
  note signed under them can be opened). Base64 in key strings and signature
  lines must be canonical (``cunzheng.schemas.encoding``): no line breaks,
  which Go's decoder skips, and unused trailing bits zero.
* Ed25519 verification is libsodium's, which also rejects small-order public
  keys and signature points that Go's ``crypto/ed25519`` accepts; for honestly
  generated keys the two agree.
* ``Checkpoint.parse`` wants canonical base64 for the root hash and a tree
  size below 2**64, so that ``parse(body).body() == body``.

Go reports the same verifier key passed twice as ambiguous; here it counts
once. Two *different* keys with the same name and key ID are still refused.

The package holds three ideas: ``keys`` (Ed25519 signers and verifiers, key
IDs and key strings, shared with tlog-cosignature keys), ``signed`` (signed
notes) and ``checkpoint`` (checkpoints). Import from the package.
"""

from cunzheng.ledger.note.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    open_checkpoint,
    parse_tree_size,
    sign_checkpoint,
)
from cunzheng.ledger.note.keys import (
    ALG_ED25519,
    Ed25519PrivateKey,
    Ed25519PublicKey,
    Signer,
    Verifier,
    key_id,
    key_label,
    valid_key_name,
)
from cunzheng.ledger.note.signed import (
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    Note,
    Signature,
    describe_keys,
    open_note,
    parse_signature_line,
    read_note,
    sign_note,
    signature_line,
)

__all__ = [
    "ALG_ED25519",
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "Note",
    "Signature",
    "Signer",
    "Verifier",
    "describe_keys",
    "key_id",
    "key_label",
    "open_checkpoint",
    "open_note",
    "parse_signature_line",
    "parse_tree_size",
    "read_note",
    "sign_checkpoint",
    "sign_note",
    "signature_line",
    "valid_key_name",
]
