"""The ledger's Merkle tree against RFC 9162's definitions and Certificate Transparency's
published test vectors."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)

# The eight leaves and tree heads of Certificate Transparency's reference tests (RFC 6962
# keeps the same hashing; RFC 9162 §2.1).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def tree_of(count: int) -> tuple[MerkleTree, list[bytes]]:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]
    return MerkleTree(leaves), leaves


# The RFC's recursive definitions, written as plainly as the text states them: the oracle.
def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def test_the_tree_heads_of_certificate_transparency() -> None:
    tree = MerkleTree()
    for entry, expected in zip(CT_LEAVES, CT_ROOTS, strict=True):
        tree.append(leaf_hash(entry))
        assert tree.root().hex() == expected
    assert [tree.root(size).hex() for size in range(1, 9)] == CT_ROOTS


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert MerkleTree().root() == hashlib.sha256(b"").digest() == EMPTY_ROOT


def test_leaves_and_nodes_are_hashed_apart() -> None:
    entry = b"x" * 64
    assert leaf_hash(entry) != node_hash(entry[:32], entry[32:])


def test_every_root_and_proof_matches_the_definition_up_to_40_leaves() -> None:
    tree, leaves = tree_of(40)
    for size in range(41):
        assert tree.root(size) == mth(leaves[:size])
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert proof == path(index, leaves[:size])
            assert verify_inclusion(index, size, leaves[index], proof, tree.root(size))
        for old in range(1, size):
            proof = tree.consistency_proof(old, size)
            assert proof == subproof(old, leaves[:size], True)
            assert verify_consistency(old, size, tree.root(old), tree.root(size), proof)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=300))
def test_a_changed_proof_never_verifies(data: st.DataObject, size: int) -> None:
    tree, leaves = tree_of(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = tree.inclusion_proof(index, size)
    root = tree.root(size)
    other = data.draw(st.integers(min_value=0, max_value=size - 1))

    assert verify_inclusion(index, size, leaves[index], proof, root)
    assert not verify_inclusion(index, size, leaf_hash(b"forged"), proof, root)
    if other != index:
        assert not verify_inclusion(other, size, leaves[index], proof, root)
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bent = [*proof]
        bent[at] = bytes([bent[at][0] ^ 1]) + bent[at][1:]
        assert not verify_inclusion(index, size, leaves[index], bent, root)
        assert not verify_inclusion(index, size, leaves[index], proof[:-1], root)
    assert not verify_inclusion(index, size, leaves[index], [*proof, root], root)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), new=st.integers(min_value=2, max_value=300))
def test_a_rewritten_history_fails_the_consistency_check(data: st.DataObject, new: int) -> None:
    tree, leaves = tree_of(new)
    old = data.draw(st.integers(min_value=1, max_value=new - 1))
    proof = tree.consistency_proof(old, new)
    changed = data.draw(st.integers(min_value=0, max_value=old - 1))
    rewritten = MerkleTree(
        [leaf_hash(b"rewritten") if i == changed else leaf for i, leaf in enumerate(leaves)]
    )

    assert verify_consistency(old, new, tree.root(old), tree.root(new), proof)
    # A hub that rewrote an entry the witness had seen cannot prove its new head consistent.
    forged = rewritten.consistency_proof(old, new)
    assert not verify_consistency(old, new, tree.root(old), rewritten.root(new), forged)
    assert not verify_consistency(old, new, tree.root(old), rewritten.root(new), proof)
    assert not verify_consistency(old, new, tree.root(old), tree.root(new), proof[:-1])
    padded = [*proof, tree.root(new)]
    assert not verify_consistency(old, new, tree.root(old), tree.root(new), padded)


def test_the_edges_of_consistency() -> None:
    tree, _ = tree_of(5)

    assert tree.consistency_proof(5, 5) == []
    assert tree.consistency_proof(0, 5) == []
    assert verify_consistency(5, 5, tree.root(5), tree.root(5), [])
    assert not verify_consistency(5, 5, tree.root(5), tree.root(4), [])
    assert verify_consistency(0, 5, EMPTY_ROOT, tree.root(5), [])
    assert not verify_consistency(0, 5, tree.root(1), tree.root(5), [])
    assert not verify_consistency(3, 5, tree.root(3), tree.root(5), [])
    assert not verify_consistency(5, 3, tree.root(5), tree.root(3), [])


def test_proofs_outside_the_tree_are_refused() -> None:
    tree, leaves = tree_of(4)

    with pytest.raises(ProofError):
        tree.inclusion_proof(4, 4)
    with pytest.raises(ProofError):
        tree.root(5)
    with pytest.raises(ProofError):
        tree.consistency_proof(3, 2)
    with pytest.raises(ValueError, match="32 bytes"):
        tree.append(b"short")
    assert root_from_inclusion(4, 4, leaves[0], []) is None
    assert root_from_inclusion(0, 1, leaves[0], [leaves[1]]) is None


def test_a_prefix_is_the_tree_of_the_first_leaves_and_grows_like_it() -> None:
    tree, leaves = tree_of(40)
    for size in range(41):
        prefix = tree.prefix(size)
        assert len(prefix) == size
        assert prefix.root() == mth(leaves[:size])
        for extra in leaves[size:]:
            prefix.append(extra)
        assert prefix.root() == tree.root()
        assert prefix.consistency_proof(max(size, 1), 40) == tree.consistency_proof(
            max(size, 1), 40
        )
    assert len(tree) == 40  # the prefixes shared its hashes without changing them
    with pytest.raises(ProofError):
        tree.prefix(41)
