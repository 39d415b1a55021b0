"""RFC 9457 problem details: every REST error is one of these, raised where it is known."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An HTTP error as problem JSON. `code` and `params` (extension members) name the
    refusal for a client to translate; `detail` stays the English text for anyone else."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.params = params
        self.extra = extra

    def members(self) -> dict[str, Any]:
        """Its extension members; a problem raised from a domain refusal (rooms/errors.py)
        carries that refusal's code and parameters."""
        cause = self.__cause__
        # a domain refusal names itself with a string; other causes (a socket's Denied)
        # carry codes of their own that are no refusal's name
        refusal_code = getattr(cause, "code", None)
        code = self.code or (refusal_code if isinstance(refusal_code, str) else None)
        params = self.params if self.params is not None else getattr(cause, "params", None)
        out = dict(self.extra)
        if code:
            out |= {"code": code, "params": dict(params or {})}
        return out


def problem_response(
    status: int, detail: str, instance: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if "retry_after" in extra:
        extra["retry_after"] = round(extra["retry_after"], 1)
        headers["Retry-After"] = str(max(1, round(extra["retry_after"])))
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, request.url.path, **exc.members())


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem_response(exc.status_code, str(exc.detail), request.url.path)


async def handle_error(request: Request, exc: Exception) -> Response:
    return problem_response(500, "unexpected error; it was logged", request.url.path)
