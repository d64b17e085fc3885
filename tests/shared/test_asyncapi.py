"""The committed AsyncAPI document is exactly what the event schemas generate."""

import json
from pathlib import Path

from shared.asyncapi import asyncapi_document
from shared.events import ALL_EVENTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_document_lists_every_event_on_its_topic():
    document = asyncapi_document()
    addresses = {c["address"] for c in document["channels"].values()}
    for event in ALL_EVENTS:
        assert event.topic in addresses and f"{event.topic}.dlq" in addresses
        assert document["components"]["messages"][event.__name__]["name"] == event.type


def test_committed_document_is_up_to_date():
    assert json.loads(DOC.read_text()) == asyncapi_document(), (
        "run `make asyncapi` and commit docs/asyncapi.json"
    )
