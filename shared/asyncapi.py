"""`python -m shared.asyncapi`: the AsyncAPI 3 document of every event, from the Pydantic schemas.

The schemas in shared/events are the source of truth; this document is derived, so it can never
drift from what producers write and consumers parse.
"""

import json
from typing import Any

from shared.events import ALL_EVENTS, Envelope
from shared.topics import dlq_topic


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event in ALL_EVENTS:
        name = event.__name__
        envelope_schema = Envelope[event].model_json_schema(ref_template="#/components/schemas/{model}")  # type: ignore[valid-type]
        schemas.update(envelope_schema.pop("$defs", {}))
        schemas[f"{name}Envelope"] = envelope_schema
        messages[name] = {
            "name": event.type,
            "title": name,
            "summary": (event.__doc__ or "").strip().split("\n")[0] or name,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}Envelope"},
            "headers": {
                "type": "object",
                "properties": {
                    "ce_id": {"type": "string"},
                    "ce_type": {"const": event.type},
                    "traceparent": {"type": "string"},
                },
            },
        }
        channel = channels.setdefault(
            event.topic.replace(".", "_"),
            {
                "address": event.topic,
                "description": f"Key: the aggregate id ({event.subject_field}).",
                "messages": {},
            },
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for channel in list(channels.values()):
        channels[channel["address"].replace(".", "_") + "_dlq"] = {
            "address": dlq_topic(channel["address"]),
            "description": "Dead letters: the original bytes, with dlq_error/dlq_consumer/dlq_offset headers.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Support Portal events",
            "version": "1.0.0",
            "description": "CloudEvents-style envelopes published through each service's transactional outbox.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }


if __name__ == "__main__":
    print(json.dumps(asyncapi_document(), indent=2, ensure_ascii=False))
