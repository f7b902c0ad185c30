#pragma once
// Python helpers the traffic tests run inside namespaces (with Debian's
// /usr/bin/python3): a TCP server that answers each connection with the
// peer's address, and a client that prints the answer, "refused" or
// "timeout".

namespace virtnat::testing {

inline constexpr const char* kPython = "/usr/bin/python3";

// argv: ADDRESS PORT READY-FILE; touches READY-FILE once listening.
inline constexpr const char* kTcpEchoPeerServer = R"(import socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
open(sys.argv[3], 'w').close()
while True:
    c, peer = s.accept()
    c.sendall((peer[0] + '\n').encode())
    c.close()
)";

// argv: ADDRESS PORT.
inline constexpr const char* kTcpProbeClient = R"(import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    print(c.recv(100).decode().strip())
except ConnectionRefusedError:
    print('refused')
except OSError:
    print('timeout')
)";

}  // namespace virtnat::testing
