"""The aiohttp application: REST under ``/api/v10``, the gateway, the loopback CDN, the control API.

One middleware wraps every Discord route: planned faults first (delay, 429/5xx,
dropped connection), then the optional per-channel rate limit, then the bot token,
then the handler. Discord's error answers raised by handlers become their JSON body
and are recorded as violations; routes the stand-in does not serve answer 404 and
are recorded too, so a test notices when the bot calls something unimplemented.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from standin import errors
from standin.errors import DiscordHTTPError, Violation, violations_from
from standin.faults import DELAY, DROP, STATUS, Faults, bucket_hash, normalize_route, too_many_requests_headers
from standin.gateway import Gateway
from standin.model import World
from standin.rest import Handler, RestApi, RouteSpec, json_response

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
RATE_LIMITED_ROUTE = "POST /channels/{channel_id}/messages"


@dataclass
class RequestRecord:
    """One REST request the bot made."""

    method: str
    route: str
    path: str
    status: int
    started_at: float
    finished_at: float
    fault: str | None = None


ControlRoute = tuple[str, str, Handler]


SHUTDOWN_TIMEOUT = 2.0
"""Seconds a stopping stand-in waits for its clients' requests in flight."""


class StandInServer:
    """Owns the aiohttp runner; ``start()`` binds 127.0.0.1 on a free port unless one is given."""

    def __init__(
        self,
        *,
        world: World,
        rest: RestApi,
        gateway: Gateway,
        faults: Faults,
        token: str,
        record_violations: Callable[[Sequence[Violation]], None],
        control_routes: Sequence[ControlRoute] = (),
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.world = world
        self.rest = rest
        self.gateway = gateway
        self.faults = faults
        self.token = token
        self._record_violations = record_violations
        self._control_routes = list(control_routes)
        self.host = host
        self.port = port
        self.requests: list[RequestRecord] = []
        self._specs: dict[str, RouteSpec] = {}
        self._runner: web.AppRunner | None = None

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        for spec in self.rest.routes():
            app.router.add_route(spec.method, API_PREFIX + spec.template, spec.handler)
            self._specs[f"{spec.method} {spec.template}"] = spec
        self.faults.known_routes(self._specs)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway-resume", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
        for method, path, handler in self._control_routes:
            app.router.add_route(method, path, handler)
        return app

    async def start(self) -> int:
        # A client still connected when the stand-in stops is not waited for long (aiohttp's default: 60 s).
        self._runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])
        return self.port

    async def stop(self) -> None:
        await self.gateway.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---------------------------------------------------------------- the CDN

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        try:
            attachment = self.world.attachments[int(request.match_info["attachment_id"])]
        except (KeyError, ValueError):
            raise web.HTTPNotFound() from None
        if attachment.filename != request.match_info["filename"]:
            raise web.HTTPNotFound()
        return web.Response(body=attachment.data, content_type=attachment.content_type)

    # ---------------------------------------------------------------- Discord routes

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        started = time.perf_counter()
        path = request.path[len(API_PREFIX):]
        route = self._route_of(request)
        fault: str | None = None
        response: web.StreamResponse
        if route is None:
            route_key = f"{request.method} {path}"
            if isinstance(request.match_info.http_exception, web.HTTPMethodNotAllowed):
                error = DiscordHTTPError(405, 0, "405: Method Not Allowed")
            else:
                error = errors.route_not_found()
            error.detail = "the stand-in does not serve this route"
            response = self._error_response(route_key, error)
        else:
            route_key = f"{route.method} {route.template}"
            response, fault = await self._handle(request, route, route_key, path, handler)
        self.requests.append(
            RequestRecord(request.method, route_key, path, response.status, started, time.perf_counter(), fault)
        )
        return response

    def _route_of(self, request: web.Request) -> RouteSpec | None:
        if request.match_info.http_exception is not None:
            return None
        resource = request.match_info.route.resource
        if resource is None:
            return None
        template = resource.canonical[len(API_PREFIX):]
        return self._specs.get(f"{request.method} {template}")

    async def _handle(
        self, request: web.Request, route: RouteSpec, route_key: str, path: str, handler: Handler
    ) -> tuple[web.StreamResponse, str | None]:
        fault: str | None = None
        for rule in self.faults.take(normalize_route(route_key), request.method, path):
            if rule.kind == DELAY:
                fault = f"delay {rule.seconds:g}s"
                await asyncio.sleep(rule.seconds)
            elif rule.kind == DROP:
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=499), "drop"
            elif rule.kind == STATUS:
                return self._fault_response(route_key, rule.status, rule.retry_after, rule.is_global, rule.scope), (
                    f"status {rule.status}"
                )
        extra_headers: dict[str, str] = {}
        if route_key == RATE_LIMITED_ROUTE:
            answer = self.faults.channel_rate_limit(route_key, int(request.match_info["channel_id"]))
            if answer is not None:
                if answer.limited:
                    body = {"message": "You are being rate limited.", "retry_after": round(answer.retry_after, 3),
                            "global": False}
                    return json_response(body, 429, answer.headers), "rate limit"
                extra_headers = answer.headers
        if route.needs_bot_token and request.headers.get("Authorization") != f"Bot {self.token}":
            return self._error_response(route_key, errors.unauthorized()), fault
        try:
            await self.rest.check_body(request, path)
            response = await handler(request)
        except DiscordHTTPError as error:
            response = self._error_response(route_key, error)
        response.headers.update(extra_headers)
        return response, fault

    def _fault_response(
        self, route_key: str, status: int, retry_after: float, is_global: bool, scope: str
    ) -> web.Response:
        if status == 429:
            headers = too_many_requests_headers(
                retry_after, bucket=bucket_hash(route_key), scope="global" if is_global else scope,
                is_global=is_global,
            )
            body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
            return json_response(body, 429, headers)
        reasons = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                   504: "Gateway Timeout", 524: "A timeout occurred"}
        return json_response({"message": f"{status}: {reasons.get(status, 'Error')}", "code": 0}, status)

    def _error_response(self, route_key: str, error: DiscordHTTPError) -> web.Response:
        if error.violation:
            violations = violations_from(route_key, error)
            for violation in violations:
                log.warning("stand-in violation: %s", violation)
            self._record_violations(violations)
        return json_response(error.body(), error.status)
