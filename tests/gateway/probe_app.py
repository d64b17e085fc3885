"""A stand-in service behind the real gateway configuration.

It has the request pipeline every service has (`install_request_pipeline`) and routes that fail
on purpose, so the gateway tests can provoke an unexpected error and a database outage without
depending on a bug that a real service may no longer have.
"""

import os

from fastapi import FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.http.app import install_request_pipeline
from shared.logging import configure_logging

configure_logging("probe")  # JSON lines, as the services log
app = FastAPI()
install_request_pipeline(app, "cases")
# A PostgreSQL URL whose port nothing listens on: a real asyncpg connect that is refused.
UNREACHABLE_DB = os.environ.get("PROBE_UNREACHABLE_DB", "postgresql+asyncpg://probe@127.0.0.1:9/probe")
notes: list[str] = []


class Note(BaseModel):
    text: str


@app.get("/echo")
async def echo(request: Request) -> dict[str, str | None]:
    """What the gateway passed on: the request id and the client address it resolved."""
    return {"request_id": request.headers.get("x-request-id"), "real_ip": request.headers.get("x-real-ip")}


@app.post("/boom")
async def boom() -> None:
    raise RuntimeError("a bug that nobody handled")


@app.get("/db")
async def db() -> dict[str, str]:
    engine = create_async_engine(UNREACHABLE_DB, pool_pre_ping=True)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    return {"status": "reached"}


@app.post("/notes", status_code=201)
async def add_note(note: Note) -> dict[str, int]:
    notes.append(note.text)
    return {"count": len(notes)}


@app.get("/notes")
async def list_notes() -> list[str]:
    return notes
