#pragma once
// Python helpers for the IPv6 traffic tests (run with Debian's
// /usr/bin/python3 inside a namespace). Debian 12's busybox has no
// udhcpc6 and no other DHCPv6 client is among the project's packages, so a
// guest asks dnsmasq for its address with this minimal client: a real
// Solicit/Advertise/Request/Reply exchange (RFC 8415) from the guest's
// link-local address, identified by a DUID-LL made of its MAC.

namespace virtnat::testing {

// argv: IFNAME MAC. Prints the address of the IA_NA dnsmasq assigned, or
// exits non-zero with the reason.
inline constexpr const char* kDhcpv6Client = R"(import os, socket, struct, sys, time
ifname, mac = sys.argv[1], sys.argv[2]
index = socket.if_nametoindex(ifname)
duid = struct.pack('!HH', 3, 1) + bytes.fromhex(mac.replace(':', ''))
def opt(code, data):
    return struct.pack('!HH', code, len(data)) + data
def parse(data):
    found = {}
    while len(data) >= 4:
        code, length = struct.unpack('!HH', data[:4])
        found.setdefault(code, data[4:4 + length])
        data = data[4 + length:]
    return found
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.bind(('::', 546, 0, index))
s.settimeout(0.5)
def exchange(kind, answer, body, tries=20):
    for _ in range(tries):
        xid = os.urandom(3)
        msg = bytes([kind]) + xid + opt(1, duid) + opt(8, b'\0\0') + body
        try:
            s.sendto(msg, ('ff02::1:2', 547, 0, index))
        except OSError:
            pass  # no usable link-local address yet (DAD)
        end = time.time() + 0.5
        while time.time() < end:
            try:
                data = s.recv(4096)
            except socket.timeout:
                break
            if data[0] == answer and data[1:4] == xid:
                return parse(data[4:])
    sys.exit('no answer to DHCPv6 message type %d' % kind)
ia_na = opt(3, struct.pack('!III', 1, 0, 0))
advertise = exchange(1, 2, ia_na)
if 3 not in advertise:
    sys.exit('advertise without IA_NA')
reply = exchange(3, 7, opt(2, advertise[2]) + opt(3, advertise[3]), tries=3)
ia = parse(reply.get(3, b'')[12:])
if 5 not in ia:
    sys.exit('reply without an address: %r' % reply)
print(socket.inet_ntop(socket.AF_INET6, ia[5][:16]))
)";

// argv: IFNAME. Sends one router advertisement to all nodes on IFNAME:
// a default router for 1800 s, no prefix (so the receiver learns a route
// but no address whose lifetime would tick).
inline constexpr const char* kRouterAdvertisement = R"(import socket, struct, sys
index = socket.if_nametoindex(sys.argv[1])
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
s.sendto(struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 1800, 0, 0), ('ff02::1', 0, 0, index))
)";

}  // namespace virtnat::testing
