"""The bayesd client: studies, trials, ask/tell.

Example::

    from bayesd_client import Client

    client = Client("http://127.0.0.1:8080")
    study = client.create_study(
        "branin",
        parameters=[{"name": "x1", "type": "float", "low": -5, "high": 10},
                    {"name": "x2", "type": "float", "low": 0, "high": 15}],
        objective={"name": "y", "goal": "minimize"},
        strategy={"name": "sobol"},
        if_exists="return")
    for _ in range(20):
        trial = study.suggest()
        trial.complete({"y": branin(**trial.params)})
    print(study.best().trial)
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._transport import Transport

API = "api/v1"
_TERMINAL_STATES = ("completed", "failed", "abandoned")


class Trial:
    """One trial of a study: a point to evaluate (``params``) and, once told, its outcome.

    Attributes mirror the server's trial JSON: ``number``, ``state`` (``"pending"``, ``"completed"``, ``"failed"``,
    ``"abandoned"``), ``params`` (dict, values in their own types), ``fidelity`` (``None`` without a fidelity),
    ``values`` (dict once completed), ``feasible``, ``worker``, ``diagnostics``; ``data`` is the full JSON object.
    """

    def __init__(self, study: "Study", data: Mapping[str, Any]):
        self.study = study
        self.data: Dict[str, Any] = dict(data)

    # Attribute views over the JSON object.
    number = property(lambda self: self.data.get("number"))
    state = property(lambda self: self.data.get("state"))
    params = property(lambda self: self.data.get("params") or {})
    fidelity = property(lambda self: self.data.get("fidelity"))
    values = property(lambda self: self.data.get("values"))
    feasible = property(lambda self: self.data.get("feasible"))
    worker = property(lambda self: self.data.get("worker"))
    diagnostics = property(lambda self: self.data.get("diagnostics"))
    created_at = property(lambda self: self.data.get("created_at"))
    completed_at = property(lambda self: self.data.get("completed_at"))

    def __repr__(self) -> str:
        extra = f", values={self.values!r}" if self.values is not None else ""
        fid = f", fidelity={self.fidelity!r}" if self.fidelity is not None else ""
        return f"Trial(study={self.study.name!r}, number={self.number}, state={self.state!r}, " \
               f"params={self.params!r}{fid}{extra})"

    def _update(self, answer: Any) -> "Trial":
        if isinstance(answer, dict):
            inner = answer.get("trial") if isinstance(answer.get("trial"), dict) else answer
            if "number" in inner:
                self.data.update(inner)
        return self

    def _path(self, *more: Any) -> str:
        return self.study._client._t.path(*API.split("/"), "studies", self.study.name, "trials", self.number, *more)

    def complete(self, values: Mapping[str, float], noise: Optional[Mapping[str, float]] = None,
                 cost: Optional[float] = None) -> "Trial":
        """Reports the measured outcomes (every objective output and constraint, finite numbers).

        Args:
            values: outcome name -> measured value, e.g. ``{"accuracy": 0.93, "latency_ms": 12.1}``.
            noise: optional outcome name -> standard error of that measurement.
            cost: optional cost of the evaluation (e.g. seconds), for cost-aware strategies.

        Returns this trial, updated from the server's answer. Raises :class:`FailedPreconditionError` (409) if the
        trial was already completed/failed/abandoned, :class:`InvalidArgumentError` for missing or bad values.
        Not retried automatically once sent (completing is not idempotent): on :class:`ConnectionFailedError`
        re-read the trial with :meth:`refresh` to learn whether it took effect.
        """
        body: Dict[str, Any] = {"values": dict(values)}
        if noise is not None:
            body["noise"] = dict(noise)
        if cost is not None:
            body["cost"] = cost
        answer = self.study._client._t.request("POST", self._path("complete"), body)
        self._update(answer)
        if self.state not in _TERMINAL_STATES:
            self.data.update({"state": "completed", "values": dict(values)})
        return self

    def fail(self, reason: str = "") -> "Trial":
        """Marks the trial failed (the evaluation crashed or diverged); ``reason`` is stored for the record."""
        answer = self.study._client._t.request("POST", self._path("fail"), {"reason": reason})
        self._update(answer)
        if self.state not in _TERMINAL_STATES:
            self.data["state"] = "failed"
        return self

    def abandon(self) -> "Trial":
        """Gives the trial back without a result (the worker stopped); the point may be suggested again."""
        answer = self.study._client._t.request("POST", self._path("abandon"), {})
        self._update(answer)
        if self.state not in _TERMINAL_STATES:
            self.data["state"] = "abandoned"
        return self

    def refresh(self) -> "Trial":
        """Re-reads this trial from the server."""
        return self._update(self.study._client._t.request("GET", self._path()))


@dataclass
class Best:
    """Answer of :meth:`Study.best`.

    ``trial``: the best feasible completed trial at the target fidelity (``None`` when there is none yet);
    ``recommendation``: ``{"params": {...}, "predicted": {...}}`` from the model, or ``None``; ``data``: raw JSON.
    """
    trial: Optional[Trial]
    recommendation: Optional[Dict[str, Any]]
    data: Dict[str, Any]


class Study:
    """A study on the daemon, addressed by name. Cheap to create; holds the last known config and summary."""

    def __init__(self, client: "Client", data: Mapping[str, Any]):
        self._client = client
        self.data: Dict[str, Any] = dict(data)

    name = property(lambda self: self.data["name"])
    id = property(lambda self: self.data.get("id"))
    config = property(lambda self: self.data.get("config") or {})
    summary = property(lambda self: self.data.get("summary") or {})
    created_at = property(lambda self: self.data.get("created_at"))

    def __repr__(self) -> str:
        return f"Study(name={self.name!r}, summary={self.summary!r})"

    def _path(self, *more: Any, query: Optional[Mapping[str, Any]] = None) -> str:
        return self._client._t.path(*API.split("/"), "studies", self.name, *more, query=query)

    def _req(self, method: str, *more: Any, body: Any = None, query: Optional[Mapping[str, Any]] = None,
             **kw: Any) -> Any:
        return self._client._t.request(method, self._path(*more, query=query), body, **kw)

    def refresh(self) -> "Study":
        """Re-reads config and summary from the server."""
        self.data = dict(self._req("GET"))
        return self

    def suggest(self, count: Optional[int] = None, worker: Optional[str] = None) -> Union[Trial, List[Trial]]:
        """Asks for points to evaluate.

        ``study.suggest()`` returns one :class:`Trial`; ``study.suggest(count=4, worker="node-7")`` returns a list.
        Each suggestion is a pending trial until completed, failed or abandoned; concurrent callers never get the
        same point. Not retried once sent (a lost answer would leave an extra pending trial, never a duplicate).
        """
        body: Dict[str, Any] = {}
        if count is not None:
            body["count"] = count
        if worker is not None:
            body["worker"] = worker
        answer = self._req("POST", "suggest", body=body)
        trials = [Trial(self, t) for t in (answer or {}).get("trials", [])]
        if count is None:
            if len(trials) != 1:
                raise RuntimeError(f"suggest answered {len(trials)} trials, expected 1: {answer!r}")
            return trials[0]
        return trials

    def add_trial(self, params: Mapping[str, Any], values: Optional[Mapping[str, float]] = None, *,
                  noise: Optional[Mapping[str, float]] = None, fidelity: Optional[float] = None,
                  state: Optional[str] = None) -> Trial:
        """Records an externally evaluated trial (warm start, imports); ``state="failed"`` records a failure."""
        body: Dict[str, Any] = {"params": dict(params)}
        if values is not None:
            body["values"] = dict(values)
        if noise is not None:
            body["noise"] = dict(noise)
        if fidelity is not None:
            body["fidelity"] = fidelity
        if state is not None:
            body["state"] = state
        answer = self._req("POST", "trials", body=body)
        inner = answer.get("trial") if isinstance(answer, dict) and isinstance(answer.get("trial"), dict) else answer
        return Trial(self, inner or {})

    def trial(self, number: int) -> Trial:
        """One trial by number."""
        answer = self._req("GET", "trials", number)
        inner = answer.get("trial") if isinstance(answer, dict) and isinstance(answer.get("trial"), dict) else answer
        return Trial(self, inner)

    def trials(self, state: Optional[str] = None, *, page_size: Optional[int] = None) -> List[Trial]:
        """All trials in number order, optionally only those in ``state``; pages through large studies."""
        out: List[Trial] = []
        offset = 0
        while True:
            query: Dict[str, Any] = {"state": state}
            if page_size is not None or offset:
                query.update({"offset": offset, "limit": page_size})
            answer = self._req("GET", "trials", query=query) or {}
            page = answer.get("trials", [])
            out.extend(Trial(self, t) for t in page)
            total = answer.get("total")
            offset += len(page)
            if not page or total is None or offset >= total:
                return out

    def best(self) -> Best:
        """The best feasible completed trial at the target fidelity, and the model's recommendation if any."""
        answer = self._req("GET", "best") or {}
        t = answer.get("trial")
        return Best(Trial(self, t) if isinstance(t, dict) else None, answer.get("recommendation"), answer)

    def predict(self, points: Sequence[Mapping[str, Any]]) -> List[Dict[str, Dict[str, float]]]:
        """Posterior ``{"outcome": {"mean": m, "sd": s}}`` of every modelled outcome at each point."""
        answer = self._req("POST", "predict", body={"points": [dict(p) for p in points]}, idempotent=True)
        return (answer or {}).get("predictions", [])

    def export(self, format: str = "json") -> Any:
        """The study's trials as ``csv`` (text) or ``json`` (decoded)."""
        if format == "csv":
            return self._req("GET", "export", query={"format": "csv"}, raw=True)
        return self._req("GET", "export", query={"format": format})

    def rank(self, numbers_best_first: Sequence[int]) -> Any:
        """Tells a ranking study (zeroth-order, comparisons only) the order of trials, best first."""
        return self._req("POST", "rank", body={"numbers": [int(n) for n in numbers_best_first]})

    def delete(self) -> None:
        """Deletes this study and all its trials."""
        self._req("DELETE")


class Client:
    """A connection to one bayesd daemon. Thread-safe (one keep-alive connection per thread).

    Args:
        url: the daemon's base URL.
        token: bearer token; defaults to the ``BAYESD_TOKEN`` environment variable when ``None``.
        timeout: socket timeout per request, in seconds.
        retries: how many times a request is retried when the daemon cannot be reached (see the transport's
            retry policy: non-idempotent requests are retried only if they were never sent).
        backoff: first retry delay in seconds, doubled per retry (capped at 2 s).
    """

    def __init__(self, url: str = "http://127.0.0.1:8080", token: Optional[str] = None, timeout: float = 30.0,
                 retries: int = 4, backoff: float = 0.1):
        if token is None:
            token = os.environ.get("BAYESD_TOKEN") or None
        self.url = url
        self._t = Transport(url, token, timeout, retries, backoff)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the client's connections."""
        self._t.close()

    def _path(self, *segments: Any, query: Optional[Mapping[str, Any]] = None) -> str:
        return self._t.path(*API.split("/"), *segments, query=query)

    def health(self) -> Dict[str, Any]:
        """``GET /healthz``."""
        return self._t.request("GET", self._t.path("healthz"))

    def create_study(self, name: Union[str, Mapping[str, Any]], parameters: Optional[Sequence[Mapping]] = None,
                     objective: Optional[Mapping[str, Any]] = None, constraints: Optional[Sequence[Mapping]] = None,
                     outputs: Optional[Sequence[Mapping]] = None, fidelity: Optional[Mapping[str, Any]] = None,
                     strategy: Optional[Mapping[str, Any]] = None, seed: Optional[int] = None,
                     if_exists: str = "error", **extra: Any) -> Study:
        """Creates a study and returns it.

        Either pass the fields (``create_study("svm", parameters=[...], objective={...})``) or a full config dict
        (``create_study({"name": "svm", "parameters": [...], ...})``); keyword arguments override the dict.
        ``if_exists="return"`` returns the existing study when one of that name exists with an equal config
        (a different config still raises :class:`AlreadyExistsError`); ``"error"`` always raises on a name clash.
        """
        if if_exists not in ("error", "return"):
            raise ValueError(f'if_exists must be "error" or "return", got {if_exists!r}')
        if isinstance(name, Mapping):
            body = copy.deepcopy(dict(name))
        else:
            body = {"name": name}
        for key, value in (("parameters", parameters), ("objective", objective), ("constraints", constraints),
                           ("outputs", outputs), ("fidelity", fidelity), ("strategy", strategy), ("seed", seed)):
            if value is not None:
                body[key] = copy.deepcopy(value)
        body.update(extra)
        if if_exists == "return":
            body["if_exists"] = "return"
        elif body.get("if_exists") == "return":
            pass  # the config dict asked for it
        answer = self._t.request("POST", self._path("studies"), body,
                                 idempotent=body.get("if_exists") == "return")
        return Study(self, answer)

    def get_study(self, name: str) -> Study:
        """The study called ``name`` (:class:`NotFoundError` if there is none)."""
        return Study(self, self._t.request("GET", self._path("studies", name)))

    def list_studies(self) -> List[Study]:
        """All studies, each with its summary."""
        answer = self._t.request("GET", self._path("studies"))
        items = answer.get("studies", []) if isinstance(answer, dict) else (answer or [])
        return [Study(self, s) for s in items]

    def delete_study(self, name: str) -> None:
        """Deletes the study called ``name`` and its trials."""
        self._t.request("DELETE", self._path("studies", name))

    def study(self, name: str) -> Study:
        """A handle on study ``name`` without a request (config/summary empty until :meth:`Study.refresh`)."""
        return Study(self, {"name": name})
