"""Bad input over HTTP: the API contract for malformed, ill-typed, incomplete, out-of-range and hostile requests.

Every case must get the documented 4xx with a JSON error body (code, message, and the field at fault where one
is), must change no stored data (studies, the reference study and its trials are compared before and after), and
the daemon must keep serving (/healthz after every case).
"""

import copy
import json
import os
import socket
import subprocess
import time
import unittest

import _common  # noqa: F401
from _common import Daemon, find_bayesd, raw_request

S = "/api/v1/studies"
REF = S + "/ref"

REF_CONFIG = {
    "name": "ref",
    "parameters": [
        {"name": "x", "type": "float", "low": -5.0, "high": 10.0},
        {"name": "n", "type": "int", "low": 1, "high": 12},
        {"name": "lr", "type": "float", "low": 0.0001, "high": 1.0, "log": True},
        {"name": "k", "type": "categorical", "choices": ["a", "b", "c"]},
    ],
    "objective": {"name": "acc", "goal": "maximize"},
    "constraints": [{"name": "lat", "op": "<=", "bound": 20.0}],
    "strategy": {"name": "sobol"},
    "seed": 7,
}
GOOD_PARAMS = {"x": 1.0, "n": 3, "lr": 0.01, "k": "b"}
GOOD_VALUES = {"acc": 0.9, "lat": 10.0}


def cfg(mutate=None, **top):
    """A valid new-study config (name "newstudy") after `mutate(config)` and top-level overrides."""
    c = copy.deepcopy(REF_CONFIG)
    c["name"] = "newstudy"
    c.update(top)
    if mutate:
        mutate(c)
    return c


def without(*path):
    def m(c):
        obj = c
        for p in path[:-1]:
            obj = obj[p]
        del obj[path[-1]]
    return m


def setting(value, *path):
    def m(c):
        obj = c
        for p in path[:-1]:
            obj = obj[p]
        obj[path[-1]] = value
    return m


def raw_cfg(placeholder_path, literal):
    """Config JSON text with the value at `placeholder_path` replaced by a literal (NaN, Infinity, 1e400...)."""
    c = cfg(setting("__LITERAL__", *placeholder_path))
    return json.dumps(c).replace('"__LITERAL__"', literal)


class Case:
    def __init__(self, label, method, path, body, status, code, field=None):
        self.label, self.method, self.path, self.body = label, method, path, body
        self.status = status if isinstance(status, (set, frozenset)) else {status}
        self.code = code  # None: any code consistent with the status
        self.field = field  # None: not checked; str: error.field must equal it


def create_cases():
    bad = "invalid_argument"
    C = lambda label, body, field=None, status=400, code=bad: Case(label, "POST", S, body, status, code, field)  # noqa
    cases = [
        # Malformed JSON.
        C("truncated json", '{"name": "x", ', None),
        C("not json", "not json at all", None),
        C("empty body", "", None),
        C("trailing garbage", json.dumps(cfg()) + " }", None),
        C("invalid utf-8", b'{"name": "\xff\xfe"}', None),
        C("single quotes", "{'name': 'x'}", None),
        # Wrong JSON types at every level.
        C("body is array", "[]", None),
        C("body is string", '"newstudy"', None),
        C("body is number", "42", None),
        C("body is null", "null", None),
        C("name number", cfg(name=5), "name"),
        C("name null", cfg(name=None), "name"),
        C("parameters object", cfg(parameters={"x": {}}), "parameters"),
        C("parameters string", cfg(parameters="x"), "parameters"),
        C("parameter is string", cfg(setting("x", "parameters", 0)), "parameters[0]"),
        C("parameter is number", cfg(setting(5, "parameters", 1)), "parameters[1]"),
        C("parameter name number", cfg(setting(5, "parameters", 0, "name")), "parameters[0].name"),
        C("parameter type number", cfg(setting(1, "parameters", 0, "type")), "parameters[0].type"),
        C("parameter type unknown", cfg(setting("double", "parameters", 0, "type")), "parameters[0].type"),
        C("low string", cfg(setting("0", "parameters", 0, "low")), "parameters[0].low"),
        C("low bool", cfg(setting(True, "parameters", 0, "low")), "parameters[0].low"),
        C("low null", cfg(setting(None, "parameters", 0, "low")), "parameters[0].low"),
        C("high array", cfg(setting([1], "parameters", 0, "high")), "parameters[0].high"),
        C("log string", cfg(setting("yes", "parameters", 2, "log")), "parameters[2].log"),
        C("choices string", cfg(setting("abc", "parameters", 3, "choices")), "parameters[3].choices"),
        C("choices object", cfg(setting({"a": 1}, "parameters", 3, "choices")), "parameters[3].choices"),
        C("choices empty", cfg(setting([], "parameters", 3, "choices")), "parameters[3].choices"),
        C("choice nested array", cfg(setting(["a", ["b"]], "parameters", 3, "choices")), "parameters[3].choices[1]"),
        C("choice null", cfg(setting([None], "parameters", 3, "choices")), "parameters[3].choices[0]"),
        C("choice duplicated", cfg(setting(["a", "a"], "parameters", 3, "choices")), "parameters[3].choices[1]"),
        C("objective string", cfg(objective="acc"), "objective"),
        C("objective array", cfg(objective=[]), "objective"),
        C("objective name number", cfg(setting(1, "objective", "name")), "objective.name"),
        C("objective goal unknown", cfg(setting("max", "objective", "goal")), "objective.goal"),
        C("objective goal number", cfg(setting(1, "objective", "goal")), "objective.goal"),
        C("constraints object", cfg(constraints={"lat": 1}), "constraints"),
        C("constraint string", cfg(setting("lat", "constraints", 0)), "constraints[0]"),
        C("constraint op unknown", cfg(setting("<", "constraints", 0, "op")), "constraints[0].op"),
        C("constraint bound string", cfg(setting("20", "constraints", 0, "bound")), "constraints[0].bound"),
        C("strategy string", cfg(strategy="sobol"), "strategy"),
        C("strategy name unknown", cfg(strategy={"name": "bogus"}), None),
        C("strategy name number", cfg(strategy={"name": 5}), "strategy.name"),
        C("seed string", cfg(seed="7"), "seed"),
        C("seed negative", cfg(seed=-1), "seed"),
        C("seed fractional", cfg(seed=1.5), "seed"),
        C("outputs object", cfg(outputs={"a": 1}), "outputs"),
        C("fidelity string", cfg(fidelity="epochs"), "fidelity"),
        C("fidelity low string", cfg(fidelity={"name": "ep", "low": "1", "high": 5}), "fidelity.low"),
        # Missing required fields.
        C("no name", cfg(without("name")), "name"),
        C("no parameters", cfg(without("parameters")), "parameters"),
        C("no objective", cfg(without("objective")), "objective"),
        C("parameter without name", cfg(without("parameters", 0, "name")), "parameters[0].name"),
        C("parameter without type", cfg(without("parameters", 0, "type")), "parameters[0].type"),
        C("parameter without low", cfg(without("parameters", 0, "low")), "parameters[0].low"),
        C("parameter without high", cfg(without("parameters", 1, "high")), "parameters[1].high"),
        C("categorical without choices", cfg(without("parameters", 3, "choices")), "parameters[3].choices"),
        C("objective without name", cfg(without("objective", "name")), "objective.name"),
        C("constraint without bound", cfg(without("constraints", 0, "bound")), "constraints[0].bound"),
        C("constraint without op", cfg(without("constraints", 0, "op")), "constraints[0].op"),
        C("constraint without name", cfg(without("constraints", 0, "name")), "constraints[0].name"),
        # Unknown fields.
        C("unknown top-level field", cfg(colour="red"), "colour"),
        C("unknown parameter field", cfg(setting(1, "parameters", 0, "lo")), "parameters[0].lo"),
        C("unknown objective field", cfg(setting(1, "objective", "goall")), "objective.goall"),
        C("unknown constraint field", cfg(setting(1, "constraints", 0, "bnd")), "constraints[0].bnd"),
        C("unknown strategy option", cfg(strategy={"name": "sobol", "bogus_option": 1}), None),
        # Empty parameter list, bounds, log ranges.
        C("empty parameters", cfg(parameters=[]), "parameters"),
        C("low > high", cfg(setting(20.0, "parameters", 0, "low")), "parameters[0].low"),
        C("low == high", cfg(setting(10.0, "parameters", 0, "low")), "parameters[0].low"),
        C("int low == high", cfg(setting(12, "parameters", 1, "low")), "parameters[1].low"),
        C("int low fractional", cfg(setting(1.5, "parameters", 1, "low")), "parameters[1].low"),
        C("log low zero", cfg(setting(0.0, "parameters", 2, "low")), "parameters[2].low"),
        C("log low negative", cfg(setting(-1.0, "parameters", 2, "low")), "parameters[2].low"),
        # Duplicate names, unknown outcomes.
        C("duplicate parameter names", cfg(setting("x", "parameters", 1, "name")), "parameters[1].name"),
        C("parameter named like objective", cfg(setting("acc", "parameters", 1, "name")), None),
        C("parameter named like constraint", cfg(setting("lat", "parameters", 1, "name")), None),
        C("duplicate output names", cfg(outputs=[{"name": "d"}, {"name": "d"}],
                                         objective={"name": "gap", "goal": "minimize", "targets": {"d": 1.0}},
                                         constraints=[]), "outputs[1].name"),
        C("constraint on unknown outcome", cfg(outputs=[{"name": "d"}, {"name": "y"}],
                                               objective={"name": "gap", "goal": "minimize",
                                                          "targets": {"d": 300.0, "y": 1.0}},
                                               constraints=[{"name": "weight", "op": "<=", "bound": 1}]),
          "constraints[0].name"),
        C("target on unknown output", cfg(outputs=[{"name": "d"}],
                                          objective={"name": "gap", "goal": "minimize", "targets": {"zz": 1.0}},
                                          constraints=[]), None),
        C("expression on unknown output", cfg(outputs=[{"name": "d"}],
                                              objective={"name": "gap", "goal": "minimize", "expression": "d+zz"},
                                              constraints=[]), None),
        # NaN, Infinity, huge numbers.
        C("low NaN", raw_cfg(("parameters", 0, "low"), "NaN"), None),
        C("low Infinity", raw_cfg(("parameters", 0, "low"), "-Infinity"), None),
        C("high 1e400", raw_cfg(("parameters", 0, "high"), "1e400"), None),
        C("bound 1e400", raw_cfg(("constraints", 0, "bound"), "1e400"), None),
        C("seed 1e400", raw_cfg(("seed",), "1e400"), None),
        C("choice -1e400", raw_cfg(("parameters", 3, "choices"), "[-1e400]"), None),
        C("target NaN", json.dumps(cfg(outputs=[{"name": "d"}], constraints=[],
                                       objective={"name": "gap", "goal": "minimize",
                                                  "targets": {"d": "__L__"}})).replace('"__L__"', "NaN"), None),
        # Study names.
        C("name path traversal", cfg(name="../../etc"), "name"),
        C("name encoded traversal", cfg(name="..%2F..%2Fetc"), "name"),
        C("name dotdot", cfg(name=".."), "name"),
        C("name empty", cfg(name=""), "name"),
        C("name with slash", cfg(name="a/b"), "name"),
        C("name with space", cfg(name="a b"), "name"),
        C("name with NUL", cfg(name="a\u0000b"), "name"),
        C("name 129 chars", cfg(name="a" * 129), "name"),
        C("name 1 MB", cfg(name="a" * 1_000_000), "name"),
        # Existing name with a different config.
        Case("existing name", "POST", S, cfg(name="ref"), 409, "already_exists"),
        Case("existing name if_exists=return, other config", "POST", S,
             dict(cfg(name="ref", seed=8), if_exists="return"), 409, "already_exists"),
        C("if_exists unknown", dict(cfg(), if_exists="overwrite"), "if_exists"),
    ]
    return cases


def trial_cases():
    bad = "invalid_argument"
    sug = REF + "/suggest"
    comp = REF + "/trials/2/complete"
    ext = REF + "/trials"
    P = lambda label, path, body, field=None, status=400, code=bad: Case(label, "POST", path, body, status, code,  # noqa
                                                                          field)
    cases = [
        # suggest
        P("suggest malformed", sug, "{count: 1}"),
        P("suggest body array", sug, "[]"),
        P("suggest count string", sug, {"count": "3"}, "count"),
        P("suggest count bool", sug, {"count": True}, "count"),
        P("suggest count zero", sug, {"count": 0}, "count"),
        P("suggest count negative", sug, {"count": -1}, "count"),
        P("suggest count fractional", sug, {"count": 2.5}, "count"),
        P("suggest count 1e6", sug, {"count": 1000000}, "count"),
        P("suggest count 1e6 float", sug, '{"count": 1e6}', "count"),
        P("suggest count 1e400", sug, '{"count": 1e400}'),
        P("suggest count NaN", sug, '{"count": NaN}'),
        P("suggest worker number", sug, {"worker": 5}, "worker"),
        P("suggest unknown field", sug, {"cnt": 1}, "cnt"),
        P("suggest unknown study", S + "/nope/suggest", {}, None, 404, "not_found"),
        # complete
        P("complete malformed", comp, '{"values": {"acc": 0.9,'),
        P("complete body array", comp, "[]"),
        P("complete body empty object", comp, {}, "values"),
        P("complete values array", comp, {"values": [0.9, 10]}, "values"),
        P("complete values string", comp, {"values": "0.9"}, "values"),
        P("complete value string", comp, {"values": {"acc": "0.9", "lat": 10.0}}, "values.acc"),
        P("complete value null", comp, {"values": {"acc": None, "lat": 10.0}}, "values.acc"),
        P("complete value bool", comp, {"values": {"acc": True, "lat": 10.0}}, "values.acc"),
        P("complete value NaN", comp, '{"values": {"acc": NaN, "lat": 10.0}}'),
        P("complete value Infinity", comp, '{"values": {"acc": Infinity, "lat": 10.0}}'),
        P("complete value 1e400", comp, '{"values": {"acc": 1e400, "lat": 10.0}}'),
        P("complete missing objective", comp, {"values": {"lat": 10.0}}, "values.acc"),
        P("complete missing constraint", comp, {"values": {"acc": 0.9}}, "values.lat"),
        P("complete unknown outcome", comp, {"values": dict(GOOD_VALUES, bogus=1.0)}, "values.bogus"),
        P("complete noise string", comp, {"values": GOOD_VALUES, "noise": "x"}, "noise"),
        P("complete noise negative", comp, {"values": GOOD_VALUES, "noise": {"acc": -0.1}}, "noise.acc"),
        P("complete noise unknown outcome", comp, {"values": GOOD_VALUES, "noise": {"zz": 0.1}}, "noise.zz"),
        P("complete cost string", comp, {"values": GOOD_VALUES, "cost": "3"}, "cost"),
        P("complete cost negative", comp, {"values": GOOD_VALUES, "cost": -1}, "cost"),
        P("complete cost 1e400", comp, '{"values": {"acc": 0.9, "lat": 10.0}, "cost": 1e400}'),
        P("complete unknown field", comp, {"values": GOOD_VALUES, "valuez": 1}, "valuez"),
        P("complete twice", REF + "/trials/0/complete", {"values": GOOD_VALUES}, None, 409, "failed_precondition"),
        P("complete failed trial", REF + "/trials/1/complete", {"values": GOOD_VALUES}, None, 409,
          "failed_precondition"),
        P("fail completed trial", REF + "/trials/0/fail", {"reason": "x"}, None, 409, "failed_precondition"),
        P("abandon completed trial", REF + "/trials/0/abandon", {}, None, 409, "failed_precondition"),
        P("fail reason number", REF + "/trials/2/fail", {"reason": 5}, "reason"),
        P("complete unknown trial", REF + "/trials/999/complete", {"values": GOOD_VALUES}, None, 404, "not_found"),
        P("complete trial -1", REF + "/trials/-1/complete", {"values": GOOD_VALUES}, None, {400, 404}, None),
        P("complete trial abc", REF + "/trials/abc/complete", {"values": GOOD_VALUES}, None, {400, 404}, None),
        P("complete trial huge", REF + "/trials/99999999999999999999999/complete", {"values": GOOD_VALUES}, None,
          {400, 404}, None),
        P("complete unknown study", S + "/nope/trials/0/complete", {"values": GOOD_VALUES}, None, 404, "not_found"),
        # external trials
        P("external params array", ext, {"params": [1, 3], "values": GOOD_VALUES}, "params"),
        P("external x above high", ext, {"params": dict(GOOD_PARAMS, x=10.5), "values": GOOD_VALUES}, "params.x"),
        P("external x below low", ext, {"params": dict(GOOD_PARAMS, x=-6), "values": GOOD_VALUES}, "params.x"),
        P("external x string", ext, {"params": dict(GOOD_PARAMS, x="1.0"), "values": GOOD_VALUES}, "params.x"),
        P("external x NaN", ext, '{"params": {"x": NaN, "n": 3, "lr": 0.01, "k": "b"}, '
                                 '"values": {"acc": 0.9, "lat": 10.0}}'),
        P("external x 1e400", ext, '{"params": {"x": 1e400, "n": 3, "lr": 0.01, "k": "b"}, '
                                   '"values": {"acc": 0.9, "lat": 10.0}}'),
        P("external n fractional", ext, {"params": dict(GOOD_PARAMS, n=2.5), "values": GOOD_VALUES}, "params.n"),
        P("external n out of range", ext, {"params": dict(GOOD_PARAMS, n=13), "values": GOOD_VALUES}, "params.n"),
        P("external lr zero (log)", ext, {"params": dict(GOOD_PARAMS, lr=0.0), "values": GOOD_VALUES}, "params.lr"),
        P("external unknown choice", ext, {"params": dict(GOOD_PARAMS, k="z"), "values": GOOD_VALUES}, "params.k"),
        P("external choice wrong type", ext, {"params": dict(GOOD_PARAMS, k=1), "values": GOOD_VALUES},
          "params.k"),
        P("external missing param", ext, {"params": {"x": 1.0, "n": 3, "lr": 0.01}, "values": GOOD_VALUES},
          "params.k"),
        P("external unknown param", ext, {"params": dict(GOOD_PARAMS, zz=1), "values": GOOD_VALUES}, "params.zz"),
        P("external missing values", ext, {"params": GOOD_PARAMS}, "values"),
        P("external value NaN", ext, '{"params": {"x": 1.0, "n": 3, "lr": 0.01, "k": "b"}, '
                                     '"values": {"acc": NaN, "lat": 10.0}}'),
        P("external missing constraint value", ext, {"params": GOOD_PARAMS, "values": {"acc": 0.5}}, "values.lat"),
        P("external state unknown", ext, {"params": GOOD_PARAMS, "values": GOOD_VALUES, "state": "bogus"}, "state"),
        P("external state pending", ext, {"params": GOOD_PARAMS, "values": GOOD_VALUES, "state": "pending"},
          "state"),
        P("external fidelity without fidelity", ext, {"params": GOOD_PARAMS, "values": GOOD_VALUES, "fidelity": 3},
          "fidelity"),
        P("external unknown field", ext, {"params": GOOD_PARAMS, "values": GOOD_VALUES, "extra": 1}, "extra"),
        # predict, rank
        P("predict points object", REF + "/predict", {"points": {"x": 1}}, "points"),
        P("predict point out of range", REF + "/predict", {"points": [dict(GOOD_PARAMS, x=99)]}, None,
          {400, 409}, None),
        P("rank numbers string", REF + "/rank", {"numbers": "0,1"}, "numbers"),
        # unknown study / trial reads
        Case("get unknown study", "GET", S + "/nope", None, 404, "not_found"),
        Case("trials of unknown study", "GET", S + "/nope/trials", None, 404, "not_found"),
        Case("best of unknown study", "GET", S + "/nope/best", None, 404, "not_found"),
        Case("delete unknown study", "DELETE", S + "/nope", None, 404, "not_found"),
        Case("get unknown trial", "GET", REF + "/trials/999", None, 404, "not_found"),
        Case("trials bad state filter", "GET", REF + "/trials?state=bogus", None, 400, bad, "state"),
        Case("trials negative limit", "GET", REF + "/trials?limit=-1", None, 400, bad, "limit"),
        Case("export unknown format", "GET", REF + "/export?format=xml", None, 400, bad, "format"),
        # invalid names in the path
        Case("path traversal name", "GET", S + "/..%2F..%2Fetc", None, {400, 404}, None),
        Case("path traversal name delete", "DELETE", S + "/..%2F..%2Fetc%2Fpasswd", None, {400, 404}, None),
        Case("path dotdot", "GET", S + "/..", None, {400, 404}, None),
        Case("path name 1 MB", "GET", S + "/" + "a" * 1_000_000, None, {400, 404, 414}, None),
        Case("suggest traversal", "POST", S + "/..%2F..%2Fetc/suggest", {}, {400, 404}, None),
    ]
    return cases


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(find_bayesd()).start()
        c = cls.daemon.client()
        ref = c.create_study(REF_CONFIG)
        t0, t1, t2 = ref.suggest(count=3)
        t0.complete(GOOD_VALUES)
        t1.fail("crashed")
        ref.add_trial(GOOD_PARAMS, GOOD_VALUES)
        c.close()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def req(self, method, path, body=None, headers=None):
        return raw_request(self.daemon.port, method, path, body, headers)

    def snapshot(self):
        snap = []
        for path in (S, REF, REF + "/trials"):
            status, body, _ = self.req("GET", path)
            self.assertEqual(status, 200, f"GET {path}: {body}")
            snap.append(body)
        return snap

    def check_error(self, case, status, body, headers):
        where = f"{case.label}: {case.method} {case.path[:100]} -> {status} {str(body)[:300]}"
        self.assertIn(status, case.status, where)
        self.assertIn("json", headers.get("content-type", ""), where)
        self.assertIsInstance(body, dict, where)
        err = body.get("error")
        self.assertIsInstance(err, dict, where)
        self.assertIsInstance(err.get("code"), str, where)
        self.assertIsInstance(err.get("message"), str, where)
        self.assertTrue(err["message"], where)
        if case.code:
            self.assertEqual(err["code"], case.code, where)
        if case.field is not None:
            self.assertEqual(err.get("field"), case.field, where)

    def run_cases(self, cases):
        before = self.snapshot()
        for case in cases:
            with self.subTest(case.label):
                status, body, headers = socket_request(self.daemon.port, case.method, case.path, case.body)
                self.check_error(case, status, body, headers)
                self.assertEqual(self.req("GET", "/healthz")[0], 200, f"{case.label}: daemon stopped serving")
                after = self.snapshot()
                self.assertEqual(after, before, f"{case.label}: stored data changed")
                before = after

    def test_create_study_cases(self):
        self.run_cases(create_cases())

    def test_trial_cases(self):
        self.run_cases(trial_cases())

    def test_body_over_default_limit_413(self):
        before = self.snapshot()
        big = b'{"name": "big", "pad": "' + b"x" * (1 << 20) + b'"}'
        for path in (S, REF + "/trials/2/complete", REF + "/suggest"):
            with self.subTest(path):
                status, body, headers = socket_request(self.daemon.port, "POST", path, big)
                self.assertEqual(status, 413, f"{path}: {body!r:.300}")
                self.assertEqual(body["error"]["code"], "payload_too_large")
                self.assertEqual(self.req("GET", "/healthz")[0], 200)
        self.assertEqual(self.snapshot(), before)

    def test_valid_requests_still_work_after_all_that(self):
        status, body, _ = self.req("POST", S, cfg(name="afterwards"))
        self.assertEqual(status, 201, body)
        status, body, _ = self.req("POST", S + "/afterwards/suggest", {"count": 2})
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["trials"]), 2)
        status, _, _ = self.req("DELETE", S + "/afterwards")
        self.assertEqual(status, 200)


def socket_request(port, method, path, body=None, headers=None):
    """One request on a raw socket (Connection: close); tolerates the server answering before reading the body
    (413, 414) and closing. ``body``: bytes, str, or an object to JSON-encode (NaN allowed).
    Returns (status, decoded JSON or text, lower-cased headers)."""
    if body is None:
        data = b""
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = json.dumps(body).encode("utf-8")
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        try:
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered early; read what it said
        raw = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            raw += chunk
    finally:
        s.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    if not head:
        return None, None, {}
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split(" ", 2)[1])
    hdrs = {}
    for line in head_lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if "content-length" in hdrs:
        rest = rest[:int(hdrs["content-length"])]
    text = rest.decode("utf-8", "replace")
    try:
        decoded = json.loads(text) if text.strip() else None
    except ValueError:
        decoded = text
    return status, decoded, hdrs


class BodyLimitFlagTest(unittest.TestCase):
    def test_max_body_bytes_flag(self):
        d = Daemon(find_bayesd(), args=["--max-body-bytes", "4096"]).start()
        self.addCleanup(d.cleanup)
        status, body, _ = socket_request(d.port, "POST", S, json.dumps(cfg(name="small", pad="x" * 5000)))
        self.assertEqual(status, 413, body)
        self.assertEqual(body["error"]["code"], "payload_too_large")
        status, body, _ = raw_request(d.port, "POST", S, cfg(name="small"))
        self.assertEqual(status, 201, body)
        status, body, _ = raw_request(d.port, "GET", S)
        self.assertEqual([s["name"] for s in body["studies"]], ["small"])


class TokenTest(unittest.TestCase):
    def test_bearer_token_required(self):
        d = Daemon(find_bayesd(), token="s3cret-token").start()
        self.addCleanup(d.cleanup)
        good = {"Authorization": "Bearer s3cret-token"}
        for label, headers in [("missing", {}), ("wrong", {"Authorization": "Bearer nope"}),
                               ("no scheme", {"Authorization": "s3cret-token"}),
                               ("basic", {"Authorization": "Basic czNjcmV0LXRva2Vu"}),
                               ("prefix", {"Authorization": "Bearer s3cret"}),
                               ("longer", {"Authorization": "Bearer s3cret-token-and-more"}),
                               ("empty bearer", {"Authorization": "Bearer "})]:
            for method, path, body in [("GET", S, None), ("POST", S, cfg(name="sneaky")),
                                       ("DELETE", S + "/x", None), ("GET", "/api/v1/events", None)]:
                with self.subTest(f"{label} {method} {path}"):
                    status, resp, headers_out = raw_request(d.port, method, path, body, headers)
                    self.assertEqual(status, 401, resp)
                    self.assertEqual(resp["error"]["code"], "unauthenticated")
        status, resp, _ = raw_request(d.port, "GET", S, None, good)
        self.assertEqual(status, 200, resp)
        self.assertEqual(resp["studies"], [], "a request without a valid token created a study")
        status, resp, _ = raw_request(d.port, "POST", S, cfg(name="ok"), good)
        self.assertEqual(status, 201, resp)


class BindTest(unittest.TestCase):
    def run_serve(self, args, env=None, timeout=10):
        d = Daemon(find_bayesd())
        self.addCleanup(d.cleanup)
        cmd = [d.binary, "serve", "--db", d.db, "--port", "0", "--port-file", d.port_file] + args
        e = dict(os.environ)
        e.pop("BAYESD_TOKEN", None)
        e.update(env or {})
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=e, stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and p.poll() is None and not os.path.exists(d.port_file):
            time.sleep(0.05)
        return p, d

    def test_non_loopback_without_token_refused(self):
        for host in ("0.0.0.0", "::"):
            with self.subTest(host):
                p, d = self.run_serve(["--host", host])
                try:
                    rc = p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                    self.fail(f"bayesd serve --host {host} without a token kept running")
                out = p.stdout.read().decode("utf-8", "replace")
                self.assertNotEqual(rc, 0)
                self.assertFalse(os.path.exists(d.port_file), "it listened before refusing")
                self.assertRegex(out.lower(), r"token", out)
                self.assertIn("--insecure-no-auth", out)

    def test_non_loopback_allowed_with_token_or_insecure_flag(self):
        for label, args, env in [("--insecure-no-auth", ["--insecure-no-auth"], None),
                                 ("--token", ["--token", "t0k"], None),
                                 ("BAYESD_TOKEN", [], {"BAYESD_TOKEN": "t0k"})]:
            with self.subTest(label):
                p, d = self.run_serve(["--host", "0.0.0.0"] + args, env)
                self.assertIsNone(p.poll(), p.stdout.read().decode() if p.poll() is not None else "")
                self.assertTrue(os.path.exists(d.port_file))
                port = int(open(d.port_file).read())
                status, _, _ = raw_request(port, "GET", S, None,
                                           {"Authorization": "Bearer t0k"} if label != "--insecure-no-auth" else {})
                self.assertEqual(status, 200)
                p.terminate()
                self.assertEqual(p.wait(15), 0)


if __name__ == "__main__":
    unittest.main()
