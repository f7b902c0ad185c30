#!/usr/bin/env python3
"""Writes rpc/unsupported_procedures.inc: for every call of libvirt's REMOTE
program, the public API the daemon would run for it and what that API answers
on a connection whose driver has no such function.

Run once per libvirt release against an unpacked libvirt source tree (for
example Debian's `apt-get source libvirt`):

    tools/gen_unsupported_procedures.py /path/to/libvirt-11.3.0 > rpc/unsupported_procedures.inc

Every fact comes from that tree, nothing is typed in by hand:
- the procedure numbers and names: src/remote/remote_protocol.x;
- which numbers are events the daemon sends (a remote_<name>_msg struct): the
  daemon has no handler for them, so they stay "unknown procedure";
- the API behind a call: for a handler the daemon's generator writes
  (@generate: both|server), "vir" + the procedure name in CamelCase, matched
  without regard to case against the functions defined in src/libvirt*.c;
  for a hand-written handler (remote_daemon_dispatch.c), the functions its
  body calls that can report "not supported": the one of the procedure's
  name if it is among them, else the first (CONNECT_DOMAIN_EVENT_REGISTER
  runs virConnectDomainEventRegisterAny, not a function of its own name);
- the error domain: VIR_FROM_THIS of the file that defines the API
  (virReportUnsupportedError reports in it);
- whether the API refuses a read-only connection first: its body calls
  virCheckReadOnlyGoto before it looks for the driver's function;
- the AUTH_* calls run no API: they are listed with no API name.
"""

import pathlib
import re
import sys


def camel(name):
    return "".join(part.capitalize() for part in name.lower().split("_"))


def functions(path):
    """Yields (name, body) of the top-level C functions defined in `path`:
    "name(" at the start of a line (below its return type) or after a return
    type on the same line, with a "{" in column 0 before any ";", up to the
    first "}" in column 0. Macros such as VIR_LOG_INIT( are not names here."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(?:(?:const\s+)?\w+\s+\**)?([a-z]\w*)\(", lines[i])
        if m:
            k = i
            while k < len(lines) and not lines[k].startswith("{") and ";" not in lines[k]:
                k += 1
            if k < len(lines) and lines[k].startswith("{"):
                j = k
                while j < len(lines) and lines[j] != "}":
                    j += 1
                yield m.group(1), "\n".join(lines[i:j])
                i = j
        i += 1


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = pathlib.Path(sys.argv[1]) / "src"
    protocol = (src / "remote" / "remote_protocol.x").read_text(encoding="utf-8")

    procs = [(int(n), name) for name, n in re.findall(r"REMOTE_PROC_(\w+)\s*=\s*(\d+)", protocol)]
    events = {m.replace("_", "") for m in re.findall(r"^struct remote_(\w+)_msg\b", protocol, re.M)}
    generated = {}
    for block, name in re.findall(r"/\*\*(.*?)\*/\s*REMOTE_PROC_(\w+)\s*=", protocol, re.S):
        m = re.search(r"@generate:\s*(\w+)", block)
        generated[name] = m.group(1) in ("both", "server") if m else False

    apis = {}  # lower-case name -> (name, domain, checks read-only)
    for path in sorted(src.glob("libvirt*.c")):
        text = path.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"#define VIR_FROM_THIS (VIR_FROM_\w+)", text)
        if not m:
            continue
        for name, body in functions(path):
            if name.startswith("vir"):
                apis[name.lower()] = (name, m.group(1), "virCheckReadOnlyGoto" in body,
                                      "virReportUnsupportedError" in body)

    handlers = {}
    dispatch = src / "remote" / "remote_daemon_dispatch.c"
    for name, body in functions(dispatch):
        if name.startswith("remoteDispatch"):
            handlers[name[len("remoteDispatch"):].lower()] = body

    rows = []
    unmatched = []
    for number, name in sorted(procs):
        key = name.replace("_", "").lower()
        if key in events:
            continue
        if name.startswith("AUTH_"):
            rows.append((number, name, None))
            continue
        api = None
        if not generated.get(name) and key in handlers:
            called = [c.lower() for c in re.findall(r"\b(vir\w+)\s*\(", handlers[key])]
            called = [c for c in called if c in apis and apis[c][3]]
            if called:
                api = apis["vir" + key] if "vir" + key in called else apis[called[0]]
        if api is None:
            api = apis.get("vir" + key)
        if api is None:
            unmatched.append(f"{number} {name}")
            continue
        rows.append((number, name, api))
    if unmatched:
        sys.exit("no API found for: " + ", ".join(unmatched))

    version = re.search(r"libvirt-([\d.]+)", str(pathlib.Path(sys.argv[1]).resolve()))
    print("// Generated by tools/gen_unsupported_procedures.py from libvirt "
          f"{version.group(1) if version else '(unknown version)'}; do not edit.")
    print("// {number, \"public API\" or nullptr, error domain, API refuses read-only first,"
          " \"NAME\"}")
    for number, name, api in rows:
        if api is None:
            print(f"{{{number}, nullptr, VIR_FROM_RPC, false, \"{name}\"}},")
        else:
            api_name, domain, readonly, _ = api
            print(f"{{{number}, \"{api_name}\", {domain}, {'true' if readonly else 'false'},"
                  f" \"{name}\"}},")


if __name__ == "__main__":
    main()
