"""The gateway: a websocket at ``/gateway`` (and ``/gateway-resume``) that speaks Discord's protocol.

HELLO first; HEARTBEAT → HEARTBEAT_ACK; IDENTIFY → READY (with ``s``) and one complete
GUILD_CREATE per guild; RESUME → the buffered events after the client's ``seq``, then
RESUMED (``d: {}``); REQUEST_GUILD_MEMBERS → GUILD_MEMBERS_CHUNK; PRESENCE_UPDATE is
recorded. ``compress=zlib-stream`` is honoured (one compressor per connection, every
frame flushed with ``Z_SYNC_FLUSH``, sent as binary), and ``compress=zstd-stream`` where
``zstandard`` is installed (discord.py asks for it then: one stream per connection, each frame
flushed as a block); anything else gets text frames, which discord.py always reads.

A session outlives its connection: events dispatched while the bot is away are
buffered and replayed on RESUME, as Discord does. Faults a test can cause: close with
a code, drop the TCP connection, op 7 RECONNECT, op 9 INVALID_SESSION, and hold new
connections for a while (:meth:`Gateway.disconnected`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from standin.errors import StandInError
from standin.model import INTENT_GUILD_PRESENCES, JsonDict, World

log = logging.getLogger(__name__)

DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

BUFFER_SIZE = 10_000


@dataclass
class _Frame:
    payload: JsonDict
    on_sent: Callable[[], None] | None = None


@dataclass
class ConnectionRecord:
    """What happened on one websocket connection (kept after it closes)."""

    path: str
    compression: str | None
    opened_at: float
    first_op: int | None = None
    session_id: str | None = None
    closed_at: float | None = None
    close_code: int | None = None
    closed_by: str | None = None


def _compressor(kind: str | None) -> Callable[[bytes], bytes] | None:
    """One connection's stream compressor for ``compress=`` (None: text frames)."""
    if kind == "zlib-stream":
        stream = zlib.compressobj()
        return lambda data: stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)
    if kind == "zstd-stream":
        try:
            import zstandard
        except ImportError:
            return None
        zstd = zstandard.ZstdCompressor().compressobj()
        return lambda data: zstd.compress(data) + zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    return None


class _Connection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request, record: ConnectionRecord) -> None:
        self.ws = ws
        self.transport = request.transport
        self.record = record
        self.session: Session | None = None
        self.queue: asyncio.Queue[_Frame] = asyncio.Queue()
        self.compressor = _compressor(record.compression)
        self.writer: asyncio.Task[None] | None = None

    def enqueue(self, payload: JsonDict, on_sent: Callable[[], None] | None = None) -> None:
        self.queue.put_nowait(_Frame(payload, on_sent))

    async def write_forever(self) -> None:
        while True:
            frame = await self.queue.get()
            raw = json.dumps(frame.payload, separators=(",", ":"))
            try:
                if self.compressor is not None:
                    await self.ws.send_bytes(self.compressor(raw.encode()))
                else:
                    await self.ws.send_str(raw)
            except (ConnectionError, RuntimeError) as error:
                log.debug("gateway writer stopped: %s", error)
                return
            if frame.on_sent is not None:
                frame.on_sent()


@dataclass
class _Buffered:
    seq: int
    payload: JsonDict
    on_sent: Callable[[], None] | None


@dataclass(eq=False)
class Session:
    """One identified gateway session (survives reconnects until invalidated)."""

    id: str
    intents: int
    shard: tuple[int, int] | None
    identify: JsonDict
    seq: int = 0
    connection: _Connection | None = None
    invalidated: bool = False
    resumes: int = 0
    delivered_guilds: set[int] = field(default_factory=set)
    buffer: deque[_Buffered] = field(default_factory=lambda: deque(maxlen=BUFFER_SIZE))

    @property
    def connected(self) -> bool:
        return self.connection is not None

    def covers(self, guild_id: int) -> bool:
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        return (guild_id >> 22) % shard_count == shard_id


class Gateway:
    """Discord's gateway for one bot token."""

    def __init__(
        self,
        world: World,
        *,
        token: str,
        heartbeat_interval: float = 41.25,
        resume_url: Callable[[], str],
    ) -> None:
        self.world = world
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self._resume_url = resume_url
        self.sessions: list[Session] = []
        self.connections: list[ConnectionRecord] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.presences: list[JsonDict] = []
        self.member_requests: list[JsonDict] = []
        self._live: set[_Connection] = set()
        self._gate = asyncio.Event()
        self._gate.set()

    # ---------------------------------------------------------------- state for tests

    @property
    def active_session(self) -> Session | None:
        """The most recent session that was not invalidated."""
        for session in reversed(self.sessions):
            if not session.invalidated:
                return session
        return None

    def live_sessions(self) -> list[Session]:
        return [session for session in self.sessions if not session.invalidated]

    def is_ready(self) -> bool:
        """A bot identified and got GUILD_CREATE for every guild (over all its shards)."""
        live = [s for s in self.live_sessions() if s.connected]
        if not live:
            return False
        delivered: set[int] = set().union(*(s.delivered_guilds for s in live))
        return all(guild_id in delivered for guild_id in self.world.guilds)

    # ---------------------------------------------------------------- the websocket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for ``/gateway`` and ``/gateway-resume``."""
        await self._gate.wait()
        compression = request.query.get("compress")
        ws = web.WebSocketResponse(timeout=2.0, autoping=True, heartbeat=None, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        record = ConnectionRecord(request.path, compression, time.perf_counter())
        self.connections.append(record)
        connection = _Connection(ws, request, record)
        connection.writer = asyncio.create_task(connection.write_forever(), name="standin-gateway-writer")
        self._live.add(connection)
        if request.query.get("encoding", "json") != "json":
            await self._close(connection, 4002, "only encoding=json is supported by the stand-in")
        else:
            connection.enqueue({"op": HELLO, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)},
                                "s": None, "t": None})
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._receive(connection, message.data)
                elif message.type is WSMsgType.BINARY:
                    await self._close(connection, 4002, "binary frames are not accepted")
        finally:
            await self._forget(connection)
        return ws

    async def _forget(self, connection: _Connection) -> None:
        self._live.discard(connection)
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
        if connection.record.closed_at is None:
            connection.record.closed_at = time.perf_counter()
            connection.record.close_code = connection.ws.close_code
            connection.record.closed_by = "client"
        if connection.writer is not None:
            connection.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connection.writer
        self.world.notify()

    async def _close(self, connection: _Connection, code: int, reason: str = "") -> None:
        self._mark_closed(connection, code, "server")
        await connection.ws.close(code=code, message=reason.encode()[:120])

    def _mark_closed(self, connection: _Connection, code: int | None, by: str) -> None:
        record = connection.record
        if record.closed_at is None:
            record.closed_at = time.perf_counter()
            record.close_code = code
            record.closed_by = by
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None

    async def _receive(self, connection: _Connection, text: str) -> None:
        try:
            message = json.loads(text)
            op = message["op"]
            data = message.get("d")
        except (ValueError, KeyError, TypeError):
            await self._close(connection, 4002, "Decode error.")
            return
        if connection.record.first_op is None and op in (IDENTIFY, RESUME):
            connection.record.first_op = op
        if op == HEARTBEAT:
            self.heartbeat_count += 1
            connection.enqueue({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(connection, data)
        elif op == RESUME:
            await self._resume(connection, data)
        elif connection.session is None:
            await self._close(connection, 4003, "Not authenticated.")
        elif op == PRESENCE_UPDATE:
            self.presences.append(data)
            self.world.notify()
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(connection.session, data)
        elif op == VOICE_STATE_UPDATE:
            log.debug("voice state update ignored: %s", data)
        else:
            await self._close(connection, 4001, "Unknown opcode.")

    async def _identify(self, connection: _Connection, data: Any) -> None:
        if not isinstance(data, dict) or data.get("token") != self.token:
            await self._close(connection, 4004, "Authentication failed.")
            return
        if connection.session is not None:
            await self._close(connection, 4005, "Already authenticated.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await self._close(connection, 4013, "Invalid intent(s).")
            return
        shard: tuple[int, int] | None = None
        raw_shard = data.get("shard")
        if raw_shard is not None:
            if not (isinstance(raw_shard, list) and len(raw_shard) == 2 and 0 <= raw_shard[0] < raw_shard[1]):
                await self._close(connection, 4010, "Invalid shard.")
                return
            shard = (int(raw_shard[0]), int(raw_shard[1]))
        for old in self.sessions:
            if old.shard == shard:
                old.invalidated = True
        session = Session(secrets.token_hex(16), intents, shard, {k: v for k, v in data.items() if k != "token"})
        self.sessions.append(session)
        self.identify_count += 1
        connection.session = session
        connection.record.session_id = session.id
        session.connection = connection
        ready: JsonDict = {
            "v": 10,
            "user": self.world.bot_user.payload() | {"verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.world.guilds.values()
                       if session.covers(g.id)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth_session_id_hash": secrets.token_hex(16),
        }
        if shard is not None:
            ready["shard"] = list(shard)
        self._emit(session, "READY", ready)
        for guild in list(self.world.guilds.values()):
            if session.covers(guild.id):
                self._emit_guild_create(session, guild.id)
        self.world.notify()

    def _emit_guild_create(self, session: Session, guild_id: int) -> None:
        guild = self.world.guilds[guild_id]
        all_members = bool(session.intents & INTENT_GUILD_PRESENCES)

        def delivered() -> None:
            session.delivered_guilds.add(guild_id)
            self.world.notify()

        self._emit(session, "GUILD_CREATE", guild.gateway_payload(all_members=all_members), delivered)

    async def _resume(self, connection: _Connection, data: Any) -> None:
        if not isinstance(data, dict) or data.get("token") != self.token:
            await self._close(connection, 4004, "Authentication failed.")
            return
        session = next((s for s in self.sessions if s.id == data.get("session_id")), None)
        seq = data.get("seq")
        oldest = session.buffer[0].seq if session is not None and session.buffer else 0
        if session is None or session.invalidated or not isinstance(seq, int) or seq < oldest - 1:
            connection.enqueue({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        previous = session.connection
        if previous is not None and previous is not connection:
            self._mark_closed(previous, 4000, "server")
            await previous.ws.close(code=4000, message=b"Session resumed elsewhere.")
        session.connection = connection
        connection.session = session
        connection.record.session_id = session.id
        session.resumes += 1
        self.resume_count += 1
        for buffered in list(session.buffer):
            if buffered.seq > seq:
                connection.enqueue(buffered.payload, buffered.on_sent)
        self._emit(session, "RESUMED", {})
        self.world.notify()

    def _request_members(self, session: Session, data: Any) -> None:
        if not isinstance(data, dict):
            return
        self.member_requests.append(data)
        raw_ids = data.get("guild_id")
        guild_ids = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        wanted_users = {int(u) for u in data.get("user_ids") or []} if data.get("user_ids") else None
        for raw_id in guild_ids:
            if not str(raw_id).isdigit():
                continue
            guild = self.world.guilds.get(int(str(raw_id)))
            if guild is None:
                continue
            members = [
                m for m in guild.members.values()
                if (wanted_users is None or m.id in wanted_users)
                and (not query or m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query))
            ]
            if limit:
                members = members[:limit]
            chunk: JsonDict = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [str(u) for u in (wanted_users or set()) if u not in guild.members],
            }
            if data.get("presences"):
                chunk["presences"] = []
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            self._emit(session, "GUILD_MEMBERS_CHUNK", chunk)

    # ---------------------------------------------------------------- dispatching events

    def _emit(self, session: Session, event: str, data: JsonDict, on_sent: Callable[[], None] | None = None) -> None:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append(_Buffered(session.seq, payload, on_sent))
        if session.connection is not None:
            session.connection.enqueue(payload, on_sent)

    def dispatch(self, event: str, data: JsonDict, *, guild_id: int | None, intent: int) -> None:
        """Send an event to every live session that covers the guild and holds the intent."""
        for session in self.live_sessions():
            if guild_id is not None and not session.covers(guild_id):
                continue
            if intent and not session.intents & intent:
                continue
            if event == "GUILD_CREATE" and guild_id is not None:
                self._emit_guild_create(session, guild_id)
            else:
                self._emit(session, event, data)

    def dispatch_interaction(self, data: JsonDict, *, guild_id: int, on_sent: Callable[[], None]) -> None:
        """Send INTERACTION_CREATE to one session (the newest that covers the guild)."""
        for session in reversed(self.live_sessions()):
            if session.covers(guild_id):
                self._emit(session, "INTERACTION_CREATE", data, on_sent)
                return
        raise StandInError(
            "no bot session to send the interaction to: start the bot and "
            "`await standin.wait_until_ready()` first"
        )

    # ---------------------------------------------------------------- faults

    def _targets(self) -> list[_Connection]:
        return [c for c in self._live if c.session is not None and not c.session.invalidated]

    async def close(self, code: int = 4000, reason: str = "") -> None:
        """Close the bot's connection(s) with ``code`` (4000/1001 → discord.py resumes)."""
        targets = self._targets()
        for connection in targets:
            self._mark_closed(connection, code, "server")
        for connection in targets:
            await connection.ws.close(code=code, message=reason.encode()[:120])

    async def drop(self) -> None:
        """Cut the TCP connection(s) without a close frame."""
        for connection in self._targets():
            self._mark_closed(connection, None, "drop")
            if connection.transport is not None:
                connection.transport.abort()

    def reconnect(self) -> None:
        """Send op 7 RECONNECT (discord.py closes with 4000 and resumes)."""
        for connection in self._targets():
            connection.enqueue({"op": RECONNECT, "d": None, "s": None, "t": None})

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; unless ``resumable``, the session is gone (re-IDENTIFY)."""
        for connection in self._targets():
            connection.enqueue({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})
            if not resumable and connection.session is not None:
                connection.session.invalidated = True

    def hold_connections(self) -> None:
        """New websocket connections wait (before HELLO) until :meth:`release_connections`."""
        self._gate.clear()

    def release_connections(self) -> None:
        self._gate.set()

    @contextlib.asynccontextmanager
    async def disconnected(self, code: int = 4000) -> AsyncIterator[None]:
        """Close the bot's connection and keep it out for the block: dispatches get buffered."""
        self.hold_connections()
        try:
            await self.close(code)
            yield
        finally:
            self.release_connections()

    async def shutdown(self) -> None:
        self.release_connections()
        for connection in list(self._live):
            self._mark_closed(connection, 1001, "server")
            with contextlib.suppress(Exception):
                await connection.ws.close(code=1001, message=b"stand-in stopping")
