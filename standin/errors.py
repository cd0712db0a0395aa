"""Discord's error answers, the record of every rule the bot broke, and story-side errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from standin.validation import FieldError, errors_tree


class StandInError(Exception):
    """Base class of errors raised by the stand-in's test-facing API."""


class InvalidInvocation(StandInError, ValueError):
    """A story asked for something Discord's client would never send (unknown command, bad option…)."""


class WaitTimeout(StandInError, AssertionError):
    """A bounded wait ran out; the message says what was awaited."""


class DiscordHTTPError(Exception):
    """An error answer, shaped like Discord's: ``{"code", "message"[, "errors"]}``."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        field_errors: Sequence[FieldError] = (),
        *,
        detail: str = "",
        violation: bool = True,
    ) -> None:
        super().__init__(f"{status} {code} {message}{': ' + detail if detail else ''}")
        self.status = status
        self.code = code
        self.message = message
        self.field_errors = list(field_errors)
        #: Why, in the stand-in's words (kept out of the body Discord would send).
        self.detail = detail
        #: False for answers that are not the bot's fault (login with a wrong token).
        self.violation = violation

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field_errors:
            body["errors"] = errors_tree(self.field_errors)
        return body


def invalid_form_body(field_errors: Sequence[FieldError]) -> DiscordHTTPError:
    return DiscordHTTPError(400, 50035, "Invalid Form Body", field_errors)


def unauthorized() -> DiscordHTTPError:
    return DiscordHTTPError(401, 0, "401: Unauthorized", violation=False)


def missing_access(detail: str = "") -> DiscordHTTPError:
    return DiscordHTTPError(403, 50001, "Missing Access", detail=detail)


def missing_permissions(detail: str = "") -> DiscordHTTPError:
    return DiscordHTTPError(403, 50013, "Missing Permissions", detail=detail)


def unknown(kind: str, detail: str = "") -> DiscordHTTPError:
    codes = {
        "Application": 10002,
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Webhook": 10015,
        "interaction": 10062,
        "application command": 10063,
    }
    return DiscordHTTPError(404, codes[kind], f"Unknown {kind}", detail=detail)


def already_acknowledged(detail: str = "") -> DiscordHTTPError:
    return DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.", detail=detail)


def invalid_webhook_token(detail: str = "") -> DiscordHTTPError:
    return DiscordHTTPError(401, 50027, "Invalid Webhook Token", detail=detail)


def empty_message() -> DiscordHTTPError:
    return DiscordHTTPError(400, 50006, "Cannot send an empty message")


def cannot_edit_others_message() -> DiscordHTTPError:
    return DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")


def entity_too_large() -> DiscordHTTPError:
    return DiscordHTTPError(413, 40005, "Request entity too large")


def route_not_found() -> DiscordHTTPError:
    return DiscordHTTPError(404, 0, "404: Not Found")


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule the bot broke, as Discord would have answered it."""

    route: str
    status: int
    code: int
    message: str
    path: str = ""
    detail: str = ""

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.route} → {self.status} {self.code} {self.message}{where}{detail}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "detail": self.detail,
        }


def violations_from(route: str, error: DiscordHTTPError) -> list[Violation]:
    """One violation per broken field (or one for the whole request)."""
    if not error.field_errors:
        return [Violation(route, error.status, error.code, error.message, detail=error.detail)]
    return [
        Violation(
            route, error.status, error.code, error.message, fe.dotted,
            f"{fe.code}: {fe.message}" + (f" ({fe.rule})" if fe.rule else ""),
        )
        for fe in error.field_errors
    ]
