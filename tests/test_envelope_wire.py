"""The envelope wire format in the transport layer, and the event envelope built on it."""

from __future__ import annotations

import ast
import io
import json
import pathlib
import threading
from typing import Any, Dict, List

from hypothesis import given, settings
from hypothesis import strategies as st

import sentry_lite
from sentry_lite.envelope import Envelope, Item
from sentry_lite.limits import MAX_EVENT_BYTES
from sentry_lite.transport import wire

SRC = pathlib.Path(sentry_lite.__file__).parent
BASE_MODULES = {
    "consts",
    "limits",
    "shortcuts",
    "dsn",
    "timestamps",
    "release",
    "own_threads",
    "sdk_loggers",
}


# -- the layering rule --------------------------------------------------------------------
def _imports(path: pathlib.Path) -> List[str]:
    names: List[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            if node.module == "sentry_lite":
                names.extend(f"sentry_lite.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [n for n in names if n == "sentry_lite" or n.startswith("sentry_lite.")]


def test_the_transport_imports_only_itself_and_base_modules() -> None:
    wrong = []
    for path in sorted((SRC / "transport").rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if name == "sentry_lite" or parts[1] == "transport" or parts[1] in BASE_MODULES:
                continue
            wrong.append(f"{path.name}: {name}")
    assert wrong == []


# -- the public API stays what sentry_sdk users write ----------------------------------------
def test_public_names_subclass_the_wire_classes() -> None:
    assert issubclass(Envelope, wire.Envelope) and issubclass(Item, wire.Item)
    envelope = Envelope(headers={"event_id": "a" * 32})
    envelope.add_event({"event_id": "a" * 32, "message": "hi"})
    envelope.add_transaction({"type": "transaction", "transaction": "t"})
    envelope.add_item(Item(payload=b"raw", type="attachment", headers={"filename": "a"}))
    assert envelope.get_event() == {"event_id": "a" * 32, "message": "hi"}
    assert envelope.get_transaction_event() == {"type": "transaction", "transaction": "t"}
    assert [i.type for i in envelope] == ["event", "transaction", "attachment"]
    assert [i.data_category for i in envelope.items] == ["error", "transaction", "attachment"]
    assert envelope.items[1].get_transaction_event() is not None
    assert envelope.items[0].get_transaction_event() is None
    out = io.BytesIO()
    envelope.serialize_into(out)
    assert out.getvalue() == envelope.serialize()
    assert envelope.items[2].get_bytes() == b"raw"
    assert envelope.description == "envelope with 3 items (error, transaction, attachment)"


def test_text_payloads_are_utf8_as_in_sentry_sdk() -> None:
    import sentry_sdk.envelope

    ours = Item(payload="héllo", type="attachment").get_bytes()
    theirs = sentry_sdk.envelope.Item(payload="héllo", type="attachment").get_bytes()
    assert ours == theirs == "héllo".encode()


def test_sentry_sdk_reads_what_we_write_and_we_read_what_it_writes() -> None:
    import sentry_sdk.envelope

    ours = Envelope({"event_id": "b" * 32})
    ours.add_event({"message": "ours", "extra": {"nl": "a\nb"}})
    ours.add_item(Item(b"\x00bin\n", "attachment", {"filename": "f"}))
    theirs = sentry_sdk.envelope.Envelope.deserialize(ours.serialize())
    assert theirs.headers == ours.headers
    assert theirs.get_event() == {"message": "ours", "extra": {"nl": "a\nb"}}
    assert theirs.items[1].get_bytes() == b"\x00bin\n"

    sdk = sentry_sdk.envelope.Envelope(headers={"event_id": "c" * 32})
    sdk.add_event({"message": "theirs"})
    back = Envelope.parse(sdk.serialize())
    assert back.get_event() == {"message": "theirs"}
    assert Envelope.deserialize(sdk.serialize()).headers == {"event_id": "c" * 32}


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
items = st.one_of(
    st.builds(
        lambda t, p: Item(p, t),
        st.sampled_from(["event", "transaction", "session", "log", "client_report"]),
        st.dictionaries(text, json_values, max_size=5),
    ),
    st.builds(
        lambda p, h: Item(p, "attachment", h),
        st.binary(max_size=64),
        st.dictionaries(st.sampled_from(["filename", "content_type"]), text),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(text, json_values, max_size=4), st.lists(items, max_size=5))
def test_parse_and_serialize_round_trip(headers: Dict[str, Any], parts: List[Item]) -> None:
    envelope = Envelope(headers, parts)
    data = envelope.serialize()
    back = Envelope.parse(data)
    assert back.headers == envelope.headers
    assert [{k: v for k, v in i.headers.items() if k != "length"} for i in back.items] == [
        i.headers for i in envelope.items
    ]
    assert [i.payload for i in back.items] == [i.payload for i in envelope.items]
    assert [i.get_json() for i in back.items if i.type != "attachment"] == [
        i.json for i in envelope.items if i.type != "attachment"
    ]
    assert back.serialize() == data
    assert wire.Envelope.parse(data).serialize() == data


def test_the_transport_reads_envelopes_back_as_event_envelopes() -> None:
    envelope = Envelope({"event_id": "d" * 32})
    envelope.add_event({"message": "m"})
    back = wire.parse(envelope.serialize())
    assert isinstance(back, Envelope) and isinstance(back.items[0], Item)
    stripped = back.with_items(back.items[:1])
    assert isinstance(stripped, Envelope) and stripped.headers == back.headers
    plain = wire.Envelope({}, [wire.Item({"x": 1}, "client_report")])
    assert plain.shrunk(10) is None and plain.too_large_fallback(10) is None


# -- trimming happens when the sending thread encodes -----------------------------------------
def _big_event() -> Dict[str, Any]:
    return {
        "event_id": "e" * 32,
        "message": "big",
        "extra": {f"k{i}": "x" * 50_000 for i in range(40)},  # ~2 MB
    }


def test_an_oversized_event_is_trimmed_when_encoded_not_when_added() -> None:
    envelope = Envelope({"event_id": "e" * 32})
    envelope.add_event(_big_event())
    item = envelope.items[0]
    assert item._bytes is None  # nothing encoded on the app thread
    data = envelope.serialize()
    event = json.loads(Envelope.parse(data).items[0].payload)
    assert event["message"] == "big"
    assert len(item.payload) <= MAX_EVENT_BYTES
    assert "_meta" in event


def test_an_event_under_the_limit_is_left_alone() -> None:
    event = {"event_id": "f" * 32, "extra": {"k": "x" * 1000}}
    item = Item(dict(event), "event")
    assert json.loads(item.payload) == event


def test_shrunk_and_fallback_after_a_413() -> None:
    envelope = Envelope({"event_id": "g" * 32})
    envelope.add_event(
        {
            "event_id": "g" * 32,
            "exception": {"values": [{"type": "ValueError", "value": "boom"}]},
            "release": "r@1",
            "extra": {f"k{i}": "y" * 40_000 for i in range(10)},  # ~400 KB
        }
    )
    size = len(envelope.serialize())
    smaller = envelope.shrunk(200 * 1024)
    assert isinstance(smaller, Envelope)
    assert len(smaller.items[0].payload) <= 200 * 1024
    assert envelope.shrunk(10 * 1024 * 1024) is None  # nothing over that budget
    fallback = envelope.too_large_fallback(size)
    assert fallback is not None
    event = fallback.get_event()
    assert event is not None
    assert event["message"].startswith(f"Event dropped by the server as too large ({size} bytes)")
    assert "ValueError: boom" in event["message"]
    assert event["extra"]["original_event_id"] == "g" * 32
    assert event["release"] == "r@1"
    assert fallback.too_large_fallback(100) is None  # a refused fallback gets none


def test_a_reader_on_another_thread_waits_for_the_finish_in_progress() -> None:
    """Finishing may scrub the payload: a second reader must never get it half-way."""
    started, release = threading.Event(), threading.Event()

    def finish(payload: Dict[str, Any]) -> Dict[str, Any]:
        started.set()
        release.wait(5)
        return dict(payload, secret="[Filtered]")

    item = Item({"secret": "hunter2"}, "event", finish=finish)
    first = threading.Thread(target=lambda: item.json)
    first.start()
    assert started.wait(5)
    seen: List[Any] = []
    second = threading.Thread(target=lambda: seen.append(item.json))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waiting for the finish, not reading the payload as it is
    release.set()
    first.join(5)
    second.join(5)
    assert seen == [{"secret": "[Filtered]"}]


def test_a_read_from_inside_finishing_gets_the_payload_as_it_is() -> None:
    item: Item

    def finish(payload: Dict[str, Any]) -> Dict[str, Any]:
        return dict(payload, inner=item.json)  # no recursion, no deadlock

    item = Item({"a": 1}, "event", finish=finish)
    assert item.json == {"a": 1, "inner": {"a": 1}}
