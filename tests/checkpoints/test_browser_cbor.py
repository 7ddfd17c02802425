"""The checkpoint app's CBOR decoder (``/assets/checkpoint/cbor.js``) against the hub's.

The offline app decides a permit's verdict in the browser, so its decoder must read exactly
what the hub's ``strict_loads`` (cbor2, strict, and byte-for-byte round trip) reads, and
refuse what it refuses. Hypothesis makes values and broken encodings; one Chromium decodes
them in batches, so hundreds of inputs cost one ``evaluate`` call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import cbor2
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from playwright.sync_api import Page, Playwright

from tansiq.permits.cose import strict_loads
from tansiq.permits.token_errors import PermitTokenMalformed
from tests.checkpoints.asset_page import asset_page

ORIGIN = "http://cbor.test"
# Tags cbor2 reads as plain CBORTag (it gives meaning to 0-5, 25, 28-30, 35-37, 100, 256,
# 258, 260, 261, 1004, 55799); 18 and 98 are the COSE tags a permit carries.
PLAIN_TAGS = [18, 61, 98, 1001, 2**40]
SAFE = 2**53 - 1  # the decoder's map keys are JavaScript Numbers

DECODE_ALL = """async (inputs) => {
  const cbor = await import("/cbor.js");
  const show = (v) => {
    if (v === null) return ["null"];
    if (typeof v === "boolean") return ["bool", v];
    if (typeof v === "number" || typeof v === "bigint") return ["int", v.toString()];
    if (typeof v === "string") return ["text", v];
    if (v instanceof Uint8Array) {
      return ["bytes", Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")];
    }
    if (Array.isArray(v)) return ["array", v.map(show)];
    if (v instanceof Map) return ["map", Array.from(v, ([k, x]) => [show(k), show(x)])];
    if (v instanceof cbor.Tagged) return ["tag", v.tag.toString(), show(v.value)];
    return ["unknown", String(v)];
  };
  return inputs.map((hex) => {
    const bytes = Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
    try {
      return ["ok", show(cbor.decode(bytes))];
    } catch (error) {
      return error instanceof cbor.CborError ? ["refused"] : ["crash", String(error)];
    }
  });
}"""


class OutsideTheDecoder(Exception):
    """A value cbor2 reads that the browser decoder refuses by design (see cbor.js)."""


def show(value: Any) -> list[Any]:
    """A value as the browser's ``show`` renders it."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, str):
        return ["text", value]
    if isinstance(value, bytes):
        return ["bytes", value.hex()]
    # Inside a tag cbor2 gives immutable containers: tuples and its FrozenDict.
    if isinstance(value, list | tuple):
        return ["array", [show(item) for item in value]]
    if isinstance(value, Mapping):
        for key in value:
            # Integer keys beyond 2^53 would be BigInts, which no check accepts as a key.
            integer = isinstance(key, int) and not isinstance(key, bool) and abs(key) <= SAFE
            if not (integer or isinstance(key, str)):
                raise OutsideTheDecoder(key)
        return ["map", [[show(k), show(v)] for k, v in value.items()]]
    if isinstance(value, cbor2.CBORTag):
        return ["tag", str(value.tag), show(value.value)]
    # Floats, undefined and other simple values: the decoder refuses them all.
    raise OutsideTheDecoder(value)


def hub_answer(data: bytes) -> list[Any]:
    """What the browser must answer for ``data``: the hub's value, or a refusal."""
    try:
        value = strict_loads(data)
    except PermitTokenMalformed:
        return ["refused"]
    try:
        return ["ok", show(value)]
    except OutsideTheDecoder:
        return ["refused"]


@pytest.fixture(scope="module")
def page(chromium: Playwright) -> Iterator[Page]:
    yield from asset_page(chromium, ORIGIN, "cbor.js")


def decode_in_browser(page: Page, inputs: list[bytes]) -> list[list[Any]]:
    answers: list[list[Any]] = page.evaluate(DECODE_ALL, [data.hex() for data in inputs])
    return answers


def check(page: Page, inputs: list[bytes]) -> None:
    answers = decode_in_browser(page, inputs)
    for data, answer in zip(inputs, answers, strict=True):
        assert answer == hub_answer(data), data.hex()


integers = st.one_of(
    st.integers(-24, 23),
    st.integers(-(2**64), 2**64 - 1),
    st.sampled_from([23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, SAFE, SAFE + 1]).flatmap(
        lambda n: st.sampled_from([n, -n - 1])
    ),
)
texts = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي ءآأؤإئ٠١٢٣", max_size=30),
)
leaves = st.one_of(integers, st.binary(max_size=40), texts, st.booleans(), st.none())
map_keys = st.one_of(st.integers(-(2**40), 2**40), texts)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(map_keys, children, max_size=5),
        st.builds(cbor2.CBORTag, st.sampled_from(PLAIN_TAGS), children),
    )


values = st.recursive(leaves, containers, max_leaves=12)


@hypothesis_settings(max_examples=40)
@given(st.lists(values, min_size=1, max_size=40))
def test_the_browser_reads_what_cbor2_writes(page: Page, batch: list[Any]) -> None:
    check(page, [cbor2.dumps(value) for value in batch])


@st.composite
def broken(draw: st.DrawFn) -> bytes:
    """A valid encoding, damaged: cut short, lengthened, or with a byte changed."""
    data = cbor2.dumps(draw(values))
    how = draw(st.sampled_from(["cut", "append", "change", "insert"]))
    if how == "cut":
        return data[: draw(st.integers(0, len(data) - 1))]
    at = draw(st.integers(0, len(data)))
    byte = bytes([draw(st.integers(0, 255))])
    if how == "append":
        return data + byte
    if how == "change" and at < len(data):
        return data[:at] + byte + data[at + 1 :]
    return data[:at] + byte + data[at:]


@hypothesis_settings(max_examples=40)
@given(st.lists(broken(), min_size=1, max_size=40))
def test_the_browser_refuses_what_the_hub_refuses(page: Page, batch: list[bytes]) -> None:
    check(page, batch)


def nested(depth: int) -> bytes:
    """``depth`` arrays, one inside the other, around a 0."""
    return bytes([0x81] * depth) + b"\x00"


def nested_answer(depth: int) -> list[Any]:
    answer: list[Any] = ["int", "0"]
    for _ in range(depth):
        answer = ["array", [answer]]
    return answer


REFUSED = ["refused"]


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        (bytes.fromhex("1805"), REFUSED),  # 5 in a one-byte argument: not shortest form
        (bytes.fromhex("190005"), REFUSED),
        (bytes.fromhex("1b00000000ffffffff"), REFUSED),
        (bytes.fromhex("9f01ff"), REFUSED),  # indefinite-length array
        (bytes.fromhex("5f4101ff"), REFUSED),  # indefinite-length byte string
        (bytes.fromhex("f93c00"), REFUSED),  # half float 1.0
        (bytes.fromhex("fb3ff8000000000000"), REFUSED),  # float64 1.5: cbor2 accepts it
        (bytes.fromhex("f7"), REFUSED),  # undefined
        (bytes.fromhex("f0"), REFUSED),  # simple(16)
        (bytes.fromhex("a201010102"), REFUSED),  # duplicate map key
        (bytes.fromhex("a1410001"), REFUSED),  # byte-string map key: cbor2 accepts it
        (bytes.fromhex("62fffe"), REFUSED),  # invalid UTF-8
        (bytes.fromhex("0000"), REFUSED),  # trailing bytes
        (b"", REFUSED),
        (bytes.fromhex("5a7fffffff"), REFUSED),  # length beyond the data
        (nested(9), REFUSED),  # deeper than 8
        (nested(8), ["ok", nested_answer(8)]),
        (bytes.fromhex("1bffffffffffffffff"), ["ok", ["int", str(2**64 - 1)]]),
        (bytes.fromhex("3bffffffffffffffff"), ["ok", ["int", str(-(2**64))]]),
        (bytes.fromhex("d8628101"), ["ok", ["tag", "98", ["array", [["int", "1"]]]]]),
        (bytes.fromhex("c24105"), REFUSED),  # bignum 5: the hub reads it back as 05
        (bytes.fromhex("c000"), REFUSED),  # a date tag around an integer
        (bytes.fromhex("c074323032362d31312d32355431323a30303a30305a"), REFUSED),  # a date
    ],
    ids=lambda value: value.hex() or "empty" if isinstance(value, bytes) else "",
)
def test_each_known_break_is_answered_as_the_hub_answers(
    page: Page, data: bytes, answer: list[Any]
) -> None:
    assert hub_answer(data) == answer
    assert decode_in_browser(page, [data]) == [answer]
