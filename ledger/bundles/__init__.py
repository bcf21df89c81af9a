"""Assembling evidence bundles from the log (``schemas.bundles``), for ``POST /v1/bundles``.

``build_bundle`` proves every entry against the bundle checkpoint: the latest
checkpoint that has independent evidence (RFC 3161 tokens, witness
cosignatures) if it covers the entries asked for, else the latest one, whose
tokens and cosignatures the bundle then carries. The entries are those asked
for (by index, by leaf hash or by receipt); for a registry event, every
earlier event of its asset back to the application, so that its chain is
whole; and the party entries that establish each signer's key and each party
an event names. For every such party it adds the party's registration,
every rotation that introduced one of its keys and every revocation in
force, then does the same for the keys that signed those party entries,
until nothing new is needed; so the verifier can replay them through the
log's rules with nothing else. Each receipt's checkpoint becomes an earlier
checkpoint with a consistency proof. Every entry names the first checkpoint
with independent evidence that held it
(``Store.first_checkpoint_evidence_covering``), whose tokens and
cosignatures the bundle carries once, with a consistency proof, however many
entries share it: each entry's own independent time is then seconds after it
was logged, however late the bundle is made.

A bundle with registry or party entries also carries every ``log.settings``
entry below its checkpoint (role ``settings``) with the party entries of the
operator who signed them, and the index proof of ``settings:log`` at the
bundle checkpoint, present or absent (``ledger.index.entries``), so that the
verifier replays the entries under the log's own registry settings, proved
to be all of them. Index proofs are served at the latest checkpoint only: a
bundle whose checkpoint is an earlier one carries the settings entries
without the proof, and the verifier reports them not proved complete.

``build_answer_bundle`` adds a court's question and the claimed answer,
proved at the latest checkpoint with the proofs of the index keys the answer
rests on and every event of every asset they list, so that a verifier can
tell that nothing was left out (``ledger.verify.completeness``).
The bundle reveals nothing the public log does not already hold.
"""

from cunzheng.ledger.bundles._answers import build_answer_bundle
from cunzheng.ledger.bundles._requests import build_bundle

__all__ = ["build_answer_bundle", "build_bundle"]
