"""Planned REST failures (429, 5xx, slow answers, dropped connections) and per-channel rate limits.

Routes are named like Discord's docs, ``"POST /channels/{channel_id}/messages"`` (any
parameter names work), or by a concrete path, ``"POST /channels/1234/messages"``.
Gateway failures (close codes, RECONNECT, INVALID_SESSION, drops) are on
:class:`standin.gateway.Gateway`.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

_PARAM_RE = re.compile(r"\{[^}]*\}")

STATUS = "status"
DELAY = "delay"
DROP = "drop"


def normalize_route(route: str) -> str:
    """``"post /channels/{id}/messages"`` → ``"POST /channels/{}/messages"``."""
    method, _, path = route.strip().partition(" ")
    if not path:
        raise ValueError(f"route {route!r} must look like 'POST /channels/{{channel_id}}/messages'")
    path = path.strip()
    if path.startswith("/api/v10"):
        path = path[len("/api/v10"):]
    return f"{method.upper()} {_PARAM_RE.sub('{}', path)}"


def bucket_hash(route_key: str) -> str:
    return hashlib.blake2b(route_key.encode(), digest_size=8).hexdigest()


@dataclass
class FaultRule:
    """One planned failure for the next ``remaining`` matching requests."""

    route: str
    kind: str
    remaining: int
    status: int = 500
    retry_after: float = 1.0
    is_global: bool = False
    scope: str = "user"
    seconds: float = 0.0
    fired: int = 0
    concrete_path: str | None = None

    def matches(self, route_key: str, method: str, path: str) -> bool:
        if self.remaining <= 0:
            return False
        if self.concrete_path is not None:
            return f"{method} {path}" == self.concrete_path
        return route_key == self.route


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """A fault that fired, for tests and benchmarks to read."""

    route: str
    path: str
    kind: str
    status: int | None
    at: float


@dataclass(frozen=True, slots=True)
class RateLimitAnswer:
    """Rate-limit headers for one request, and whether it is refused (429)."""

    headers: dict[str, str]
    limited: bool
    retry_after: float


def rate_limit_headers(
    *, limit: int, remaining: int, reset_after: float, bucket: str, scope: str | None = None
) -> dict[str, str]:
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }
    if scope is not None:
        headers["X-RateLimit-Scope"] = scope
    return headers


def too_many_requests_headers(rule_retry_after: float, *, bucket: str, scope: str, is_global: bool) -> dict[str, str]:
    """Headers of a 429; ``Via`` is what tells discord.py it is Discord, not a Cloudflare ban."""
    headers = rate_limit_headers(limit=5, remaining=0, reset_after=rule_retry_after, bucket=bucket, scope=scope)
    headers["Via"] = "1.1 google"
    headers["Retry-After"] = str(max(1, math.ceil(rule_retry_after)))
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return headers


@dataclass
class _Window:
    reset_at: float
    used: int = 0


@dataclass
class Faults:
    """Planned REST failures; ``routes`` are the templates the server serves (for checking names)."""

    routes: set[str] = field(default_factory=set)
    rules: list[FaultRule] = field(default_factory=list)
    fired: list[FaultEvent] = field(default_factory=list)
    rate_limit: int | None = None
    rate_window: float = 5.0
    _windows: dict[int, _Window] = field(default_factory=dict)

    def _route_key(self, route: str) -> tuple[str, str | None]:
        """The normalized template, and the concrete path when ``route`` names one."""
        key = normalize_route(route)
        if key in self.routes:
            return key, None
        method, _, path = key.partition(" ")
        if not any(self._template_matches(template, method, path) for template in self.routes):
            raise ValueError(f"the stand-in serves no route {route!r} (known: {sorted(self.routes)})")
        return key, key

    def _add(self, rule: FaultRule) -> FaultRule:
        if rule.remaining < 1:
            raise ValueError("times must be at least 1")
        self.rules.append(rule)
        return rule

    @staticmethod
    def _template_matches(template: str, method: str, path: str) -> bool:
        template_method, _, template_path = template.partition(" ")
        if template_method != method:
            return False
        pattern = "^" + re.escape(template_path).replace(r"\{\}", "[^/]+") + "$"
        return re.match(pattern, path) is not None

    def fail_next(
        self,
        route: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: float = 1.0,
        is_global: bool = False,
        scope: str = "user",
    ) -> FaultRule:
        """Answer the next ``times`` matching requests with ``status`` (429 carries rate-limit headers)."""
        key, concrete = self._route_key(route)
        return self._add(
            FaultRule(
                key, STATUS, times, status=status, retry_after=retry_after,
                is_global=is_global, scope=scope, concrete_path=concrete,
            )
        )

    def delay_next(self, route: str, seconds: float, *, times: int = 1) -> FaultRule:
        """Hold the next ``times`` matching requests for ``seconds`` before answering normally."""
        key, concrete = self._route_key(route)
        return self._add(FaultRule(key, DELAY, times, seconds=seconds, concrete_path=concrete))

    def drop_next(self, route: str, *, times: int = 1) -> FaultRule:
        """Cut the TCP connection of the next ``times`` matching requests without answering."""
        key, concrete = self._route_key(route)
        return self._add(FaultRule(key, DROP, times, concrete_path=concrete))

    def clear(self) -> None:
        self.rules.clear()

    def take(self, route_key: str, method: str, path: str) -> list[FaultRule]:
        """Rules that fire for this request (a delay, then at most one status or drop)."""
        taken: list[FaultRule] = []
        for kind in (DELAY, STATUS, DROP):
            for rule in self.rules:
                if rule.kind == kind and rule.matches(route_key, method, path):
                    rule.remaining -= 1
                    rule.fired += 1
                    taken.append(rule)
                    status = rule.status if kind == STATUS else None
                    self.fired.append(FaultEvent(route_key, path, kind, status, time.perf_counter()))
                    break
            if taken and taken[-1].kind in (STATUS, DROP):
                break
        self.rules = [rule for rule in self.rules if rule.remaining > 0]
        return taken

    # ---------------------------------------------------------------- realistic channel limits

    def enable_rate_limits(self, limit: int = 5, window: float = 5.0) -> None:
        """Limit ``POST /channels/{id}/messages`` to ``limit`` per ``window`` seconds per channel."""
        self.rate_limit = limit
        self.rate_window = window
        self._windows.clear()

    def disable_rate_limits(self) -> None:
        self.rate_limit = None
        self._windows.clear()

    def channel_rate_limit(self, route_key: str, channel_id: int) -> RateLimitAnswer | None:
        if self.rate_limit is None:
            return None
        now = time.monotonic()
        window = self._windows.get(channel_id)
        if window is None or now >= window.reset_at:
            window = self._windows[channel_id] = _Window(now + self.rate_window)
        reset_after = max(0.0, window.reset_at - now)
        bucket = bucket_hash(route_key)
        if window.used >= self.rate_limit:
            self.fired.append(FaultEvent(route_key, str(channel_id), "rate_limit", 429, time.perf_counter()))
            headers = too_many_requests_headers(reset_after, bucket=bucket, scope="user", is_global=False)
            headers["X-RateLimit-Limit"] = str(self.rate_limit)
            return RateLimitAnswer(headers, True, reset_after)
        window.used += 1
        headers = rate_limit_headers(
            limit=self.rate_limit, remaining=self.rate_limit - window.used, reset_after=reset_after, bucket=bucket
        )
        return RateLimitAnswer(headers, False, 0.0)

    def known_routes(self, templates: Iterable[str]) -> None:
        self.routes = {normalize_route(template) for template in templates}
