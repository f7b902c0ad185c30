#pragma once
// libvirt's lease status file, BRIDGE.status: the JSON array its dnsmasq
// lease helper keeps in /var/lib/libvirt/dnsmasq/ and Debian's
// libnss-libvirt reads (`hosts: files libvirt` in nsswitch.conf resolves a
// guest's DHCP hostname to its leased address). Pure: rendering only; the
// publisher (lease_publisher.h) writes it.
//
// One object per lease with libvirt's keys in libvirt's order: "iaid" (IPv6
// only), "ip-address", "mac-address", "hostname" (when the guest sent one),
// "client-id" (when known), "expiry-time" (epoch seconds; left out for an
// infinite lease, as libvirt does). Leases without a MAC address are left
// out: libvirt's helper records none, and libnss-libvirt rejects the whole
// file when an entry lacks "mac-address".

#include <string>
#include <vector>

#include "driver/dnsmasq/dnsmasq_leases.h"

namespace virtnat::driver {

std::string RenderLeaseStatus(const std::vector<DnsmasqLease>& leases);

}  // namespace virtnat::driver
