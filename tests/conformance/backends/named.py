"""Conformance backend `named`, in Python with sse-starlette (see server.js
for the Node styles and the common routes).

Messages are `event: chat` with `id:` and JSON
{"id", "user", "message", "clientId", "time" (RFC 3339)}; a `heartbeat`
event every second; replay after Last-Event-ID / ?last_event_id; POST /chat
takes JSON {user, text, ...} and answers 200 {"status": "ok"}. Messages and
ids survive a restart through --store (JSON lines).

    python named.py --addr 127.0.0.1:0 --dist dist [--store FILE]
"""

import argparse
import asyncio
import datetime
import json
import os
import socket

import anyio
import uvicorn
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STYLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "styles.json")


class Store:
    """Messages in arrival order, appended to `path` as JSON lines."""

    def __init__(self, path):
        self.path = path
        self.messages = []
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.messages = [json.loads(line) for line in f if line.strip()]

    def add(self, user, text, client_id):
        seq = self.messages[-1]["seq"] + 1 if self.messages else 1
        now = datetime.datetime.now(datetime.timezone.utc)
        msg = {
            "seq": seq,
            "user": user,
            "text": text,
            "clientId": client_id,
            "time": now.isoformat(timespec="milliseconds"),
        }
        self.messages.append(msg)
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(msg) + "\n")
                f.flush()
                os.fsync(f.fileno())
        return msg

    def after(self, seq):
        return [m for m in self.messages if m["seq"] > seq]


def frame(m):
    data = {
        "id": m["seq"],
        "user": m["user"],
        "message": m["text"],
        "clientId": m["clientId"],
        "time": m["time"],
    }
    return ServerSentEvent(id=str(m["seq"]), event="chat", data=json.dumps(data))


def heartbeat():
    return ServerSentEvent(event="heartbeat", data="{}")


async def next_message(queue, shutdown):
    """The next message for a stream, or None once the server shuts down."""
    getter = asyncio.ensure_future(queue.get())
    stopper = asyncio.ensure_future(shutdown.wait())
    done, pending = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return getter.result() if getter in done else None


def resume_id(request):
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def read_fields(body):
    """(user, text, client_id) from a JSON object, or an error sentence."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    user, text = body.get("user"), body.get("text")
    if not isinstance(user, str) or not user.strip():
        return "user is required"
    if not isinstance(text, str) or not text.strip():
        return "text is required"
    client_id = body.get("client_id")
    return user, text, client_id if isinstance(client_id, str) else None


def make_app(store, dist):
    subscribers = set()
    with open(STYLES, encoding="utf-8") as f:
        styles = json.load(f)
    config = {**styles["common"], **styles["styles"]["named"]["config"]}

    def broadcast(msg):
        for queue in subscribers:
            queue.put_nowait(msg)

    async def events(request: Request):
        after = resume_id(request)
        backlog = store.after(after) if after is not None else []
        queue = asyncio.Queue()
        subscribers.add(queue)
        # Set by sse-starlette at server shutdown: the stream then ends
        # cleanly (a complete response) instead of being cancelled.
        shutdown = anyio.Event()

        async def stream():
            try:
                for m in backlog:
                    yield frame(m)
                while (m := await next_message(queue, shutdown)) is not None:
                    yield frame(m)
            finally:
                subscribers.discard(queue)

        return EventSourceResponse(
            stream(),
            ping=1,
            ping_message_factory=heartbeat,
            shutdown_event=shutdown,
            shutdown_grace_period=1,
        )

    async def add(request: Request, answer):
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body must be JSON"}, status_code=400)
        fields = read_fields(body)
        if isinstance(fields, str):
            return JSONResponse({"error": fields}, status_code=400)
        broadcast(store.add(*fields))
        return answer

    async def chat(request: Request):
        return await add(request, JSONResponse({"status": "ok"}))

    async def publish(request: Request):
        return await add(request, Response(status_code=204))

    async def config_json(_request: Request):
        return JSONResponse(config)

    return Starlette(
        routes=[
            Route("/config.json", config_json),
            Route("/events", events),
            Route("/chat", chat, methods=["POST"]),
            Route("/_publish", publish, methods=["POST"]),
            Mount("/", StaticFiles(directory=dist, html=True)),
        ]
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--addr", default="127.0.0.1:0")
    parser.add_argument("--dist", default="dist")
    parser.add_argument("--store")
    args = parser.parse_args()
    host, port = args.addr.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port)))
    sock.listen(128)
    print(f"conformance backend named listening on http://{host}:{sock.getsockname()[1]}", flush=True)
    app = make_app(Store(args.store), os.path.abspath(args.dist))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
