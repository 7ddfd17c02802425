"""HTTP API for witnesses: the latest signed tree head and the proofs that tie heads and
entries together. Public, as a Certificate Transparency log is: a head and a proof are hashes
and counts, and anyone who keeps a head can catch a rewritten history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tansiq.core.errors import NotFound
from tansiq.core.i18n import N_
from tansiq.ledger import service
from tansiq.ledger.models import LedgerHeadRecord
from tansiq.ledger.repository import LedgerRepository
from tansiq.web.deps import DbSession

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])

Size = Annotated[int, Query(ge=0, le=2**40)]


class NoTreeHead(NotFound):
    code = "ledger.no_head"
    message = N_("The hub has not signed a tree head yet.")


class TreeHeadOut(BaseModel):
    size: int
    root: str = Field(description="SHA-256 root hash, hex.")
    signed_at: str
    kid: str = Field(description="The governance key that signed it (see /api/v1/trust-list).")
    signature: str = Field(description="Ed25519 signature of the canonical head, hex.")

    @classmethod
    def of(cls, record: LedgerHeadRecord) -> TreeHeadOut:
        return cls(
            size=record.size,
            root=record.root.hex(),
            signed_at=record.signed_at.isoformat(),
            kid=record.kid,
            signature=record.signature.hex(),
        )


class InclusionOut(BaseModel):
    seq: int
    size: int
    leaf: str = Field(description="The entry's leaf hash, hex.")
    path: list[str] = Field(description="RFC 9162 audit path, hex, leaf side first.")


class ConsistencyOut(BaseModel):
    old_size: int
    new_size: int
    path: list[str] = Field(description="RFC 9162 consistency proof, hex.")


@router.get("/head")
def latest_head(session: DbSession) -> TreeHeadOut:
    """The latest signed tree head."""
    record = LedgerRepository(session).latest_head()
    if record is None:
        raise NoTreeHead
    return TreeHeadOut.of(record)


@router.get("/proofs/inclusion")
def inclusion_proof(session: DbSession, seq: Size, size: Size) -> InclusionOut:
    """Proof that entry ``seq`` is in the tree of ``size`` entries."""
    proof = service.prove_inclusion(session, seq, size)
    return InclusionOut(
        seq=proof.seq, size=proof.size, leaf=proof.leaf.hex(), path=[p.hex() for p in proof.path]
    )


@router.get("/proofs/consistency")
def consistency_proof(session: DbSession, old: Size, new: Size) -> ConsistencyOut:
    """Proof that the tree of ``old`` entries is a prefix of the tree of ``new``."""
    path = service.prove_consistency(session, old, new)
    return ConsistencyOut(old_size=old, new_size=new, path=[p.hex() for p in path])
