"""One timed CTAP operation in a loop, through python-fido2 (Debian python3-fido2 0.9.1) over UDP.

Driven by bench/sections/udp.ts: argv is HOST:PORT OP SECONDS MAX [LOCAL_HOST:LOCAL_PORT], the last
binding the client's socket (the solo1 simulation answers only to 127.0.0.1:7112). The set-up (CTAPHID INIT,
Ctap2's getInfo, a credential to assert with) happens first; then "ready" is printed and the
script waits for a line on stdin, so the caller can read the key process's CPU time just before
and just after the timed loop. The result is one JSON line: {"n": ..., "seconds": ...}.
"""
import json
import os
import sys
import time

from fido2.ctap2 import Ctap2
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

# The connection test/python uses (one datagram per report).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "python"))
from udp_connection import UdpConnection  # noqa: E402

RP = {"id": "bench.example", "name": "Bench"}
ES256 = [{"type": "public-key", "alg": -7}]


def host_port(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    addr = host_port(sys.argv[1])
    op, seconds, limit = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    local = host_port(sys.argv[5]) if len(sys.argv) > 5 else None
    dev = CtapHidDevice(HidDescriptor("udp:%s:%s" % addr, 0x1209, 0x5070, 64, 64), UdpConnection(addr, local))
    ctap = Ctap2(dev)
    cdh = os.urandom(32)
    if op == "getInfo":
        step = ctap.get_info
    elif op == "makeCredential":
        step = lambda: ctap.make_credential(cdh, RP, {"id": os.urandom(16), "name": "u"}, ES256)
    elif op == "makeCredential-rk":
        step = lambda: ctap.make_credential(cdh, RP, {"id": os.urandom(16), "name": "u"}, ES256, options={"rk": True})
    elif op == "getAssertion":
        att = ctap.make_credential(cdh, RP, {"id": b"assert-user", "name": "u"}, ES256, options={"rk": True})
        allow = [{"type": "public-key", "id": att.auth_data.credential_data.credential_id}]
        step = lambda: ctap.get_assertion(RP["id"], cdh, allow)
    else:
        raise SystemExit("unknown op " + op)
    print("ready", flush=True)
    sys.stdin.readline()
    n = 0
    start = time.perf_counter()
    while n < limit and (n == 0 or time.perf_counter() - start < seconds):
        step()
        n += 1
    elapsed = time.perf_counter() - start
    print(json.dumps({"n": n, "seconds": elapsed}), flush=True)
    dev.close()


if __name__ == "__main__":
    main()
