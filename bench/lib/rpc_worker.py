"""One concurrent RPC client: its own process, its own connection.

argv: URI OP CALLS with OP `list` (listAllNetworks) or `xml` (XMLDesc of the
defined networks in turn). Prints `ready` once connected, waits for a line
on stdin so that all clients start together, then prints one JSON object:
per-call latencies in milliseconds and its start and end on the monotonic clock.
"""

import json
import sys
import time

import libvirt


def main():
    uri, op, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(uri)
    nets = conn.listAllNetworks(0)
    if op == "xml" and not nets:
        raise SystemExit("no networks defined")
    print("ready", flush=True)
    sys.stdin.readline()
    samples = []
    t_start = time.monotonic()
    for k in range(calls):
        t0 = time.perf_counter()
        if op == "list":
            conn.listAllNetworks(0)
        else:
            nets[k % len(nets)].XMLDesc(0)
        samples.append((time.perf_counter() - t0) * 1e3)
    t_end = time.monotonic()  # CLOCK_MONOTONIC: comparable across the clients
    print(json.dumps({"ms": samples, "start": t_start, "end": t_end}), flush=True)
    conn.close()


if __name__ == "__main__":
    main()
