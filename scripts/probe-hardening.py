#!/usr/bin/env python3
"""Repeats issue 19's hostile-client probes against an `offlabel` binary, on loopback.

Usage: scripts/probe-hardening.py [path/to/offlabel]   (default: target/release/offlabel)

Each probe starts its own server on 127.0.0.1 (port 0), prints one line per finding
(`probe N: ...`), and stops the server. Needs Python 3 and the `cryptography` package
(for the ES384 test tokens; the JWT probes are skipped without it). Nothing leaves the
machine. Figures are wall-clock on whatever machine runs it: read them as orders of
magnitude, not as assertions.
"""

import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/offlabel")
KEYS = os.path.join(ROOT, "crates/offlabel-cdshooks/tests/data")
PUBLIC_URL = "https://cds.example.org"
ISS = "https://ehr.example.org"
SERVICE = "offlabel-order-select"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims: dict, header: bytes = b'{"alg":"ES384","typ":"JWT"}') -> str:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    with open(os.path.join(KEYS, "test-es384-private.pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    signing_input = f"{b64(header)}.{b64(json.dumps(claims).encode())}".encode()
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA384())))
    return signing_input.decode() + "." + b64(r.to_bytes(48, "big") + s.to_bytes(48, "big"))


class Server:
    def __init__(self, *flags, env=None, log_level="info"):
        self.log = tempfile.NamedTemporaryFile(prefix="probe-", suffix=".log", delete=False)
        e = dict(os.environ, RUST_LOG=log_level)
        e.update(env or {})
        self.proc = subprocess.Popen(
            [BIN, "serve", "--addr", "127.0.0.1:0", *flags], stderr=self.log, env=e
        )
        for _ in range(1000):
            m = re.search(rb"ready: http://(127\.0\.0\.1:\d+)", open(self.log.name, "rb").read())
            if m:
                self.addr = m.group(1).decode()
                host, port = self.addr.split(":")
                self.host, self.port = host, int(port)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.01)
        raise RuntimeError("server did not start: " + open(self.log.name).read())

    def rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def logs(self) -> str:
        return open(self.log.name, encoding="utf-8", errors="replace").read()

    def request(self, method, path, body=None, headers=None, timeout=30):
        req = urllib.request.Request(
            f"http://{self.addr}{path}", data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        os.unlink(self.log.name)


def closed_after(host, port, dribble=b"", every=2.0, limit=60.0):
    """Seconds until the server closes a connection that sends `dribble` one byte
    every `every` seconds (then nothing), or None if still open after `limit`."""
    s = socket.create_connection((host, port))
    s.settimeout(0.2)
    start = time.monotonic()
    sent = 0
    next_send = start
    while time.monotonic() - start < limit:
        now = time.monotonic()
        if sent < len(dribble) and now >= next_send:
            try:
                s.send(dribble[sent : sent + 1])
            except OSError:
                return now - start
            sent += 1
            next_send = now + every
        try:
            if s.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            pass
        except OSError:
            return time.monotonic() - start
    s.close()
    return None


def feedback_body(code: str) -> bytes:
    return json.dumps(
        {
            "feedback": [
                {
                    "card": "0f8a0e4e-0000-4000-8000-000000000000",
                    "outcome": "overridden",
                    "overrideReason": {"reason": {"system": "x", "code": code}},
                    "outcomeTimestamp": "2026-05-01T10:00:00Z",
                }
            ]
        }
    ).encode()


JSON = {"Content-Type": "application/json"}


def probe1():
    s = Server()
    try:
        before = s.rss_kib()
        statuses = []
        for i in range(11):
            body = feedback_body(f"code-{i}-" + "x" * 1_900_000)
            statuses.append(s.request("POST", f"/cds-services/{SERVICE}/feedback", body, JSON)[0])
        after = s.rss_kib()
        secret = "Jane Roe DOB 1950-02-03 MRN 5550123\nINFO forged line"
        st, _, _ = s.request("POST", f"/cds-services/{SERVICE}/feedback", feedback_body(secret), JSON)
        logs = s.logs()
        print(
            f"probe 1: eleven 1.9 MB feedback bodies -> {sorted(set(statuses))}; RSS {before // 1024} -> {after // 1024} MiB; "
            f"log {len(logs)} bytes; PII code -> {st}, in log: {'Jane Roe' in logs}, forged line: {chr(10) + 'INFO forged' in logs}"
        )
    finally:
        s.stop()
    key = os.path.join(KEYS, "test-es384-public.pem")
    s = Server(env={"OFFLABEL_PUBLIC_URL": PUBLIC_URL, "OFFLABEL_CDS_KEY": key, "OFFLABEL_CDS_ISSUERS": ISS})
    try:
        st, _, _ = s.request("POST", f"/cds-services/{SERVICE}/feedback", feedback_body("patient-informed"), JSON)
        print(f"probe 1: feedback without a token, JWT on -> {st}")
    finally:
        s.stop()


def probe2():
    key = os.path.join(KEYS, "test-es384-public.pem")
    s = Server(
        env={"OFFLABEL_PUBLIC_URL": PUBLIC_URL, "OFFLABEL_CDS_KEY": key, "OFFLABEL_CDS_ISSUERS": ISS},
        log_level="debug",
    )
    try:
        header = b'{"alg":"ES384\\n2026-12-03T00:00:00Z DEBUG offlabel_server::cds: CDS Hooks token accepted iss=evil","typ":"JWT"}'
        token = f"{b64(header)}.{b64(b'{}')}.c2ln"
        st, _, _ = s.request("POST", f"/cds-services/{SERVICE}", b"{}", dict(JSON, Authorization=f"Bearer {token}"))
        forged = any(l.startswith("2026-12-03T00:00:00Z") for l in s.logs().splitlines())
        print(f"probe 2: newline in JWT alg -> {st}; forged log line written: {forged}")
    finally:
        s.stop()


def probe3():
    s = Server()
    try:
        idle = closed_after(s.host, s.port, b"", limit=50)
        slow = closed_after(s.host, s.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 40 + b"\r\n\r\n", every=2.0, limit=60)
        print(f"probe 3: idle connection closed after {idle and round(idle, 1)} s; headers at 1 byte/2 s closed after {slow and round(slow, 1)} s")
    finally:
        s.stop()
    s = Server("--concurrency", "4")
    try:
        stalled = []
        for _ in range(4):
            c = socket.create_connection((s.host, s.port))
            c.send(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            stalled.append(c)
        time.sleep(0.5)
        for path in ["/healthz", "/v1/drugs"]:
            t0 = time.monotonic()
            st, _, _ = s.request("GET", path)
            print(f"probe 3: 4 stalled uploads under --concurrency 4: GET {path} -> {st} in {time.monotonic() - t0:.3f} s")
        t0 = time.monotonic()
        stalled[0].settimeout(60)
        reply = stalled[0].recv(200)
        first = reply.split(b"\r\n")[0].decode()
        print(f"probe 9: never-finished body -> {first} after {time.monotonic() - t0 + 0.5:.1f} s; ERROR lines: {s.logs().count('ERROR')}")
        for c in stalled:
            c.close()
    finally:
        s.stop()


def probe4():
    lines = []
    for i in range(100_000):
        if i % 1000 == 9:
            lines.append(b"bad \xff\xfe line")
        elif i % 1000 == 10:
            lines.append(b"")
        else:
            lines.append(b"Cibinqo for alopecia")
    data = b"\n".join(lines) + b"\n"
    t0 = time.monotonic()
    out = subprocess.run([BIN, "ask", "--batch"], input=data, capture_output=True).stdout
    rows = out.splitlines()
    errors = sum(1 for r in rows if b'"error"' in r)
    print(f"probe 4: 100,000 lines (100 not UTF-8, 100 blank) -> {len(rows)} output lines, {errors} error objects, {time.monotonic() - t0:.1f} s")
    big = b"x" * (50 << 20) + b"\nCibinqo for alopecia\n"
    out = subprocess.run([BIN, "ask", "--batch"], input=big, capture_output=True).stdout
    print(f"probe 9: a 50 MB batch line -> {len(out.splitlines())} output lines, {len(out)} bytes in all")


def probe5_6_8(tmp):
    store = os.path.join(tmp, "r.sqlite")
    report = {
        "reporter": {"qualification": "physician", "country": "ES"},
        "patient": {"age": 54, "sex": "F", "initials": "-X"},
        "drugs": [{"name": "Olumiant", "role": "suspect", "dose": "+cmd|' /C calc'!A0"}],
        "reactions": [{"term": "@SUM(1+1)"}],
        "onset": "2026-10-02",
        "serious": False,
        "narrative": '=HYPERLINK("http://evil.example","click")',
    }
    path = os.path.join(tmp, "r.json")
    with open(path, "w") as f:
        json.dump(report, f)
    subprocess.run([BIN, "reports", "--store", store, "add", path], capture_output=True, check=True)
    csv = subprocess.run([BIN, "reports", "--store", store, "export", "--format", "csv"], capture_output=True).stdout.decode()
    cells = [c for c in re.split(r'[,\n]', csv) if c.strip('"').startswith(("=", "+", "-", "@", "\t", "\r"))]
    print(f"probe 5: CSV cells starting with = + - @ tab CR: {len(cells)}")
    with open(path, "w") as f:
        f.write(json.dumps(report)[:-1] + ', "serious": true}')
    r = subprocess.run([BIN, "reports", "--store", store, "add", path], capture_output=True)
    print(f"probe 8: reports add with \"serious\" twice -> exit {r.returncode}: {r.stderr.decode().strip()[:120]}")
    q = os.path.join(tmp, "faers", "2024q2")
    os.makedirs(q)
    open(os.path.join(q, "DEMO24Q2.txt"), "w").write("primaryid$caseid$caseversion$fda_dt\n1$1$1$20240401\n2$2$1$20240401\n-3$3$1$20240401\n")
    open(os.path.join(q, "DRUG24Q2.txt"), "w").write("primaryid$caseid$role_cod$drugname$prod_ai\n1$1$PS$XELJANZ$TOFACITINIB\n2$2$ZZ$OLUMIANT$BARICITINIB\n2$2$PS$XELJ")
    open(os.path.join(q, "REAC24Q2.txt"), "w").write("primaryid$caseid$pt\n1$1$Nausea\n2$2$Rash\n")
    r = subprocess.run([BIN, "faers", "import", "--store", os.path.join(tmp, "f.sqlite"), "--json", os.path.join(tmp, "faers")], capture_output=True)
    summary = json.loads(r.stdout or b"{}")
    examples = [e for f in summary.get("summary", {}).get("files", []) for e in f.get("examples", [])]
    print(f"probe 6: FAERS import with a cut last line, primaryid -3, role_cod ZZ -> bad lines: {examples}")
    prof = os.path.join(tmp, "p.json")
    open(prof, "w").write('{"drug": "baricitinib", "age": 80.0}')
    r = subprocess.run([BIN, "check", "--profile", prof], capture_output=True)
    print(f"probe 9: check --profile with age 80.0 -> exit {r.returncode}")
    return store


def probe7_8_9(store):
    key = os.path.join(KEYS, "test-es384-public.pem")
    r = subprocess.run([BIN, "serve", "--addr", "127.0.0.1:0"], env=dict(os.environ, OFFLABEL_CDS_ISSUERS=ISS), capture_output=True, timeout=30)
    print(f"probe 7: OFFLABEL_CDS_ISSUERS without a key -> exit {r.returncode}: {r.stderr.decode().strip()[:100]}")
    s = Server("--store", store, env={"OFFLABEL_PUBLIC_URL": PUBLIC_URL, "OFFLABEL_CDS_KEY": key, "OFFLABEL_CDS_ISSUERS": ISS, "OFFLABEL_WRITE_TOKEN": "report-token-0123456789"})
    try:
        aud = f"{PUBLIC_URL}/cds-services"
        now = int(time.time())
        huge = sign({"iss": ISS, "aud": aud, "exp": 2**64 - 1, "iat": now, "jti": "huge"})
        results = [s.request("GET", "/cds-services", headers={"Authorization": f"Bearer {huge}"})[0] for _ in range(3)]
        nbf = sign({"iss": ISS, "aud": aud, "exp": now + 300, "iat": now, "nbf": now + 600, "jti": "nbf"})
        st_nbf = s.request("GET", "/cds-services", headers={"Authorization": f"Bearer {nbf}"})[0]
        ok = sign({"iss": ISS, "aud": aud, "exp": now + 300, "iat": now, "jti": "case"})
        st_case = s.request("GET", "/cds-services", headers={"Authorization": f"BEARER {ok}"})[0]
        print(f"probe 7: exp=2^64-1 sent 3 times -> {results}; nbf in 10 min -> {st_nbf}; 'BEARER' scheme -> {st_case}")
        dup = b'{"reporter": {"qualification": "physician", "country": "ES"}, "patient": {"age": 54}, "drugs": [{"name": "Olumiant", "role": "suspect"}], "reactions": [{"term": "Rash"}], "onset": "2026-10-02", "serious": false, "serious": true}'
        st_r, _, body_r = s.request("POST", "/v1/reports", dup, dict(JSON, Authorization="bearer report-token-0123456789"))
        st_c, _, body_c = s.request("POST", "/v1/check", b'{"drug": "baricitinib", "age": 50, "age": 80}', JSON)
        print(f"probe 8: duplicate keys -> POST /v1/reports {st_r}, POST /v1/check {st_c} {json.loads(body_c)['error']['code']}")
        st, h, _ = s.request("POST", f"/cds-services/{SERVICE}", b"{" + b" " * (3 << 20) + b"}", JSON)
        st2, h2, _ = s.request("POST", "/cds-services/nope", b"not json", JSON)
        print(f"probe 9: 3 MB hook body -> {st} {h.get('content-type')}; unknown service -> {st2} {h2.get('content-type')}")
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < 3:
            s.request("GET", "/fhir")
            n += 1
        print(f"probe 9: GET /fhir, one client, sequential: {n / (time.monotonic() - t0):.0f} req/s")
    finally:
        s.stop()


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"no offlabel binary at {BIN}; cargo build --release -p offlabel")
    with tempfile.TemporaryDirectory() as tmp:
        probe1()
        probe2()
        probe3()
        probe4()
        store = probe5_6_8(tmp)
        probe7_8_9(store)


if __name__ == "__main__":
    main()
