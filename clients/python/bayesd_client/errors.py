"""Exceptions raised by the bayesd client.

Every error the daemon answers (a 4xx/5xx with the body
``{"error": {"code": ..., "message": ..., "field": ...}}``) becomes a :class:`BayesdError` subclass chosen by the
error ``code``; failures to reach the daemon at all become :class:`ConnectionFailedError`.
"""

from __future__ import annotations

from typing import Any, Optional


class BayesdError(Exception):
    """An error answered by the daemon, or a failure to reach it.

    Attributes:
        code: the server's error code (``"invalid_argument"``, ``"not_found"``, ...), or ``"connection_failed"``
            when the daemon could not be reached.
        message: the server's human-readable message.
        field: the request field at fault (``"parameters[1].low"``), when the server named one.
        http_status: the HTTP status code, ``None`` when no answer was received.
        body: the decoded response body (dict or text), for diagnostics.
    """

    default_code = "unknown"

    def __init__(self, code: Optional[str] = None, message: str = "", field: Optional[str] = None,
                 http_status: Optional[int] = None, body: Any = None):
        self.code = code or self.default_code
        self.message = message
        self.field = field
        self.http_status = http_status
        self.body = body
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [f"[{self.code}"]
        if self.http_status is not None:
            parts.append(f" {self.http_status}")
        parts.append("]")
        text = "".join(parts) + (f" {self.message}" if self.message else "")
        if self.field:
            text += f" (field: {self.field})"
        return text

    def __reduce__(self):  # keep pickling (multiprocessing) working with the keyword-style constructor
        return (self.__class__, (self.code, self.message, self.field, self.http_status, self.body))


class InvalidArgumentError(BayesdError):
    """400 ``invalid_argument``: the request is malformed or breaks a rule; ``field`` says where."""
    default_code = "invalid_argument"


class UnauthenticatedError(BayesdError):
    """401 ``unauthenticated``: missing or wrong bearer token."""
    default_code = "unauthenticated"


class NotFoundError(BayesdError):
    """404 ``not_found``: no such study or trial."""
    default_code = "not_found"


class ConflictError(BayesdError):
    """409: the request conflicts with the current state (base of the two 409 codes)."""
    default_code = "conflict"


class AlreadyExistsError(ConflictError):
    """409 ``already_exists``: a study of that name exists (with a different config, or ``if_exists="error"``)."""
    default_code = "already_exists"


class FailedPreconditionError(ConflictError):
    """409 ``failed_precondition``: e.g. completing a trial that is already completed or failed."""
    default_code = "failed_precondition"


class PayloadTooLargeError(BayesdError):
    """413 ``payload_too_large``: the request body is over the daemon's ``--max-body-bytes``."""
    default_code = "payload_too_large"


class UnavailableError(BayesdError):
    """503 ``unavailable``: the daemon cannot serve the request right now."""
    default_code = "unavailable"


class InternalError(BayesdError):
    """500 ``internal``: a bug or an unexpected failure in the daemon."""
    default_code = "internal"


class ConnectionFailedError(BayesdError):
    """The daemon could not be reached (refused, reset, timed out) after the allowed retries."""
    default_code = "connection_failed"


_BY_CODE = {
    "invalid_argument": InvalidArgumentError,
    "unauthenticated": UnauthenticatedError,
    "not_found": NotFoundError,
    "already_exists": AlreadyExistsError,
    "failed_precondition": FailedPreconditionError,
    "payload_too_large": PayloadTooLargeError,
    "unavailable": UnavailableError,
    "internal": InternalError,
}

_BY_STATUS = {
    400: InvalidArgumentError,
    401: UnauthenticatedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    503: UnavailableError,
    500: InternalError,
}


def error_from_response(http_status: int, body: Any) -> BayesdError:
    """Builds the exception for a non-2xx answer: by the body's error code, else by the HTTP status."""
    code = message = field = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        code = err.get("code") if isinstance(err.get("code"), str) else None
        message = err.get("message") if isinstance(err.get("message"), str) else None
        field = err.get("field") if isinstance(err.get("field"), str) else None
    cls = _BY_CODE.get(code or "") or _BY_STATUS.get(http_status) or BayesdError
    if message is None:
        message = body if isinstance(body, str) and body else f"HTTP {http_status}"
    return cls(code or (cls.default_code if cls is not BayesdError else f"http_{http_status}"),
               message, field, http_status, body)
