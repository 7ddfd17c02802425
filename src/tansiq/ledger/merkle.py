"""The ledger's Merkle tree, exactly as Certificate Transparency defines it (RFC 9162 §2.1).

Leaves are hashed as ``SHA-256(0x00 || entry)`` and inner nodes as ``SHA-256(0x01 || left ||
right)``, so a leaf can never pass for a node. The tree over ``n`` leaves splits at the largest
power of two below ``n``; every node therefore covers ``[a, b)`` with ``a`` a multiple of the
power of two at or above ``b - a``, which is what lets :class:`MerkleTree` keep only the
perfect subtrees (two hashes per leaf) and answer any root or proof in O(log n) hashes.

Verifying needs none of this: :func:`verify_inclusion` and :func:`verify_consistency` are the
RFC's algorithms (§2.1.3.2, §2.1.4.2) over hashes alone, as a witness runs them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256().digest()


class ProofError(ValueError):
    """A proof was asked for that no tree of that size can give."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(width: int) -> int:
    """The largest power of two strictly below ``width`` (``width`` ≥ 2)."""
    return 1 << ((width - 1).bit_length() - 1)


class MerkleTree:
    """The tree over a growing list of leaf hashes, with every perfect subtree kept."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        # _levels[h][i] covers leaves [i * 2**h, (i + 1) * 2**h).
        self._levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    def __len__(self) -> int:
        return len(self._levels[0])

    def append(self, leaf: bytes) -> int:
        """Add a leaf hash; returns its index."""
        if len(leaf) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        index = len(self._levels[0])
        self._levels[0].append(leaf)
        height, position = 0, index
        while position % 2 == 1:
            level = self._levels[height]
            parent = node_hash(level[position - 1], level[position])
            if height + 1 == len(self._levels):
                self._levels.append([])
            self._levels[height + 1].append(parent)
            height, position = height + 1, position // 2
        return index

    def prefix(self, size: int) -> MerkleTree:
        """A new tree over the first ``size`` leaves, sharing this one's hashes (no hashing:
        every perfect subtree within the prefix is already here)."""
        self._check_size(size)
        tree = MerkleTree()
        tree._levels = [
            level[: size >> height] for height, level in enumerate(self._levels) if size >> height
        ] or [[]]
        return tree

    def root(self, size: int | None = None) -> bytes:
        """The tree head hash over the first ``size`` leaves (all of them by default)."""
        size = len(self) if size is None else size
        self._check_size(size)
        return EMPTY_ROOT if size == 0 else self._hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 §2.1.3.1)."""
        size = len(self) if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ProofError(f"leaf {index} is not in a tree of {size}")
        path: list[bytes] = []
        low, high = 0, size
        while high - low > 1:
            k = _split(high - low)
            if index < low + k:
                path.append(self._hash(low + k, high))
                high = low + k
            else:
                path.append(self._hash(low, low + k))
                low += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Proof that the tree of ``old_size`` is a prefix of that of ``new_size`` (§2.1.4.1)."""
        new_size = len(self) if new_size is None else new_size
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ProofError(f"no proof from {old_size} to {new_size}")
        if old_size in (0, new_size):
            return []
        path: list[bytes] = []
        low, high, whole = 0, new_size, True
        while True:
            width = high - low
            if old_size - low == width:
                if not whole:
                    path.append(self._hash(low, high))
                break
            k = _split(width)
            if old_size - low <= k:
                path.append(self._hash(low + k, high))
                high = low + k
            else:
                path.append(self._hash(low, low + k))
                low, whole = low + k, False
        path.reverse()
        return path

    def _hash(self, low: int, high: int) -> bytes:
        """The hash of the node covering leaves ``[low, high)``."""
        width = high - low
        if width & (width - 1) == 0:
            return self._levels[width.bit_length() - 1][low // width]
        k = _split(width)
        return node_hash(self._levels[k.bit_length() - 1][low // k], self._hash(low + k, high))

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= len(self):
            raise ProofError(f"the tree has {len(self)} leaves, not {size}")


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root that ``path`` proves ``leaf`` at ``index`` under, or None if it cannot."""
    if not 0 <= index < size:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            result = node_hash(sibling, result)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return result if sn == 0 else None


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``path`` proves that ``leaf`` is entry ``index`` of the tree ``(size, root)``.

    A path alone does not pin the size (entry 0's path is the same for 3 leaves and 4): the
    size is bound by the signed tree head the root comes from."""
    return root_from_inclusion(index, size, leaf, path) == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """Whether ``path`` proves the tree ``(old_size, old_root)`` a prefix of the new one."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    nodes = list(path)
    if old_size & (old_size - 1) == 0:
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = nodes[0]
    for node in nodes[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            first, second = node_hash(node, first), node_hash(node, second)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and first == old_root and second == new_root
