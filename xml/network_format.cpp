// Printing a NetworkDef as libvirt 9.0 prints it (network-xml.md §3).
#include "xml/network_format.h"

#include <cstdio>

#include "xml/format_writer.h"

namespace virtnat::xml {
namespace {

std::string AddrAttr(std::string_view name, const IpAddress& addr) {
  return addr.valid() ? Attr(name, addr.ToString()) : "";
}

std::string FormatPci(const PciAddress& a) {
  char buf[128];
  std::snprintf(buf, sizeof buf,
                "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>",
                a.domain, a.bus, a.slot, a.function);
  return buf;
}

void FormatNat(FormatWriter& w, const ForwardDef& fwd) {
  if (!fwd.nat_address && !fwd.nat_port && fwd.nat_ipv6 == TriState::kAbsent) return;
  std::string open = "<nat" + TriAttr("ipv6", fwd.nat_ipv6);
  if (!fwd.nat_address && !fwd.nat_port) {
    w.Line(open + "/>");
    return;
  }
  w.Line(open + ">");
  w.Indent();
  if (fwd.nat_address) {
    w.Line("<address" + AddrAttr("start", fwd.nat_address->start) +
           AddrAttr("end", fwd.nat_address->end) + "/>");
  }
  if (fwd.nat_port) {
    std::string port = "<port" + NumAttr("start", fwd.nat_port->start);
    if (fwd.nat_port->end) port += NumAttr("end", fwd.nat_port->end);
    w.Line(port + "/>");
  }
  w.Outdent();
  w.Line("</nat>");
}

void FormatForward(FormatWriter& w, const ForwardDef& fwd, unsigned flags) {
  if (fwd.mode == ForwardMode::kNone) return;
  std::string dev;
  if (fwd.pf_devs.empty()) dev = fwd.interfaces.empty() ? fwd.dev : fwd.interfaces[0].dev;
  std::string open = "<forward" + Attr("dev", dev) + Attr("mode", ForwardModeName(fwd.mode));
  if (fwd.mode == ForwardMode::kHostdev) {
    open += fwd.managed == TriState::kYes ? " managed='yes'" : " managed='no'";
  }
  bool has_driver = !fwd.driver_name.empty() || !fwd.driver_model.empty();
  bool is_short = fwd.interfaces.empty() && fwd.pci_addresses.empty() && fwd.pf_devs.empty() &&
                  !fwd.nat_address && !fwd.nat_port && !has_driver &&
                  fwd.nat_ipv6 == TriState::kAbsent;
  if (is_short) {
    w.Line(open + "/>");
    return;
  }
  w.Line(open + ">");
  w.Indent();
  if (has_driver) {
    w.Line("<driver" + Attr("name", fwd.driver_name) + Attr("model", fwd.driver_model) + "/>");
  }
  if (fwd.mode == ForwardMode::kNat) FormatNat(w, fwd);
  // libvirt supports a single <pf>.
  // Printed even when empty, as libvirt does, so the output parses again.
  if (!fwd.pf_devs.empty()) w.Line("<pf dev='" + EscapeXml(fwd.pf_devs[0]) + "'/>");
  // A pool derived from a <pf> is runtime state: the inactive form omits it.
  if (fwd.pf_devs.empty() || !(flags & kFormatInactive)) {
    for (const ForwardInterface& iface : fwd.interfaces) {
      std::string line = "<interface" + Attr("dev", iface.dev);
      if (!(flags & kFormatInactive) && iface.connections > 0) {
        line += NumAttr("connections", iface.connections);
      }
      w.Line(line + "/>");
    }
    for (const PciAddress& pci : fwd.pci_addresses) w.Line(FormatPci(pci));
  }
  w.Outdent();
  w.Line("</forward>");
}

void FormatBridge(FormatWriter& w, const NetworkDef& def) {
  bool managed = HasManagedBridge(def.forward.mode);
  const BridgeDef& br = def.bridge;
  if (!managed && br.name.empty() && br.mac_table_manager == MacTableManager::kDefault) return;
  std::string line = "<bridge" + Attr("name", br.name) + Attr("zone", br.zone);
  if (managed) {
    line += std::string(" stp='") + (br.stp ? "on" : "off") + "'" + NumAttr("delay", br.delay);
  }
  line += Attr("macTableManager", MacTableManagerName(br.mac_table_manager));
  w.Line(line + "/>");
}

void FormatLeaseChild(FormatWriter& w, const std::string& open, const char* element,
                      const std::optional<Lease>& lease) {
  if (!lease) {
    w.Line(open + "/>");
    return;
  }
  w.Line(open + ">");
  w.Indent();
  if (lease->expiry == 0) {
    w.Line("<lease expiry='0'/>");
  } else {
    w.Line("<lease" + NumAttr("expiry", lease->expiry) + Attr("unit", LeaseUnitName(lease->unit)) +
           "/>");
  }
  w.Outdent();
  w.Line(std::string("</") + element + ">");
}

void FormatDns(FormatWriter& w, const DnsDef& dns) {
  if (dns.empty()) return;
  std::string open = "<dns" + TriAttr("enable", dns.enable) +
                     TriAttr("forwardPlainNames", dns.forward_plain_names);
  if (dns.forwarders.empty() && dns.txts.empty() && dns.srvs.empty() && dns.hosts.empty()) {
    w.Line(open + "/>");
    return;
  }
  w.Line(open + ">");
  w.Indent();
  for (const DnsForwarder& f : dns.forwarders) {
    w.Line("<forwarder" + Attr("domain", f.domain) + (f.addr ? AddrAttr("addr", *f.addr) : "") +
           "/>");
  }
  for (const DnsTxt& t : dns.txts) {
    w.Line("<txt name='" + EscapeXml(t.name) + "' value='" + EscapeXml(t.value) + "'/>");
  }
  for (const DnsSrv& s : dns.srvs) {
    if (s.service.empty() || s.protocol.empty()) continue;
    std::string line = "<srv" + Attr("service", s.service) + Attr("protocol", s.protocol) +
                       Attr("domain", s.domain) + Attr("target", s.target);
    if (s.port) line += NumAttr("port", s.port);
    if (s.priority) line += NumAttr("priority", s.priority);
    if (s.weight) line += NumAttr("weight", s.weight);
    w.Line(line + "/>");
  }
  for (const DnsHost& h : dns.hosts) {
    w.Line("<host" + AddrAttr("ip", h.ip) + ">");
    w.Indent();
    for (const std::string& name : h.hostnames)
      w.Line("<hostname>" + EscapeXml(name) + "</hostname>");
    w.Outdent();
    w.Line("</host>");
  }
  w.Outdent();
  w.Line("</dns>");
}

void FormatIp(FormatWriter& w, const IpDef& ip) {
  std::string open = "<ip";
  if (ip.family_given) open += ip.address.is_v6() ? " family='ipv6'" : " family='ipv4'";
  open += AddrAttr("address", ip.address);
  if (ip.netmask) open += AddrAttr("netmask", *ip.netmask);
  if (ip.prefix > 0) open += NumAttr("prefix", ip.prefix);
  open += TriAttr("localPtr", ip.local_ptr);
  // libvirt 9.0 prints <ip> as an open/close pair even when it is empty.
  w.Line(open + ">");
  w.Indent();
  if (!ip.tftp_root.empty()) w.Line("<tftp" + Attr("root", ip.tftp_root) + "/>");
  if (ip.has_dhcp()) {
    w.Line("<dhcp>");
    w.Indent();
    for (const DhcpRange& r : ip.ranges) {
      FormatLeaseChild(w, "<range" + AddrAttr("start", r.start) + AddrAttr("end", r.end), "range",
                       r.lease);
    }
    for (const DhcpHost& h : ip.hosts) {
      // libvirt 9.0 prints mac, id and name unescaped; virtnat escapes them.
      FormatLeaseChild(w,
                       "<host" + Attr("mac", h.mac) + Attr("id", h.id) + Attr("name", h.name) +
                           AddrAttr("ip", h.ip),
                       "host", h.lease);
    }
    if (ip.bootp && !ip.bootp->file.empty()) {
      w.Line("<bootp" + Attr("file", ip.bootp->file) +
             (ip.bootp->server ? AddrAttr("server", *ip.bootp->server) : "") + "/>");
    }
    w.Outdent();
    w.Line("</dhcp>");
  }
  w.Outdent();
  w.Line("</ip>");
}

void FormatRoute(FormatWriter& w, const RouteDef& route) {
  std::string line = "<route";
  if (route.family_given) line += route.address.is_v6() ? " family='ipv6'" : " family='ipv4'";
  line += AddrAttr("address", route.address);
  if (route.netmask) line += AddrAttr("netmask", *route.netmask);
  if (route.prefix_given) line += NumAttr("prefix", route.prefix);
  line += AddrAttr("gateway", route.gateway);
  if (route.metric > 0) line += NumAttr("metric", route.metric);
  w.Line(line + "/>");
}

// Element text as libvirt's virBufferEscapeString writes it: newlines, tabs
// and carriage returns stay as they are (a description has several lines).
std::string EscapeText(std::string_view text) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n' && text[i] != '\t' && text[i] != '\r') continue;
    out += EscapeXml(text.substr(start, i - start));
    if (i < text.size()) out += text[i];
    start = i + 1;
  }
  return out;
}

}  // namespace

std::string FormatNetworkXml(const NetworkDef& def, unsigned flags) {
  FormatWriter w;
  std::string open = "<network";
  if (!def.dnsmasq_options.empty()) open += Attr("xmlns:dnsmasq", kDnsmasqNamespace);
  if (!def.port_forwards.empty()) open += Attr("xmlns:vn", kVirtnatNamespace);
  if (!(flags & kFormatInactive) && def.connections > 0) {
    open += NumAttr("connections", def.connections);
  }
  if (def.ipv6) open += " ipv6='yes'";
  open += TriAttr("trustGuestRxFilters", def.trust_guest_rx_filters);
  w.Line(open + ">");
  w.Indent();
  w.Line("<name>" + EscapeXml(def.name) + "</name>");
  w.Line("<uuid>" + FormatUuid(def.uuid) + "</uuid>");
  // libvirt 9.7+ (9.0 dropped them).
  if (!def.title.empty()) w.Line("<title>" + EscapeText(def.title) + "</title>");
  if (!def.description.empty()) {
    w.Line("<description>" + EscapeText(def.description) + "</description>");
  }
  if (def.metadata) w.Raw(*def.metadata);
  FormatForward(w, def.forward, flags);
  FormatBridge(w, def);
  if (def.mtu) w.Line("<mtu" + NumAttr("size", def.mtu) + "/>");
  if (def.mac) w.Line("<mac address='" + FormatMac(*def.mac) + "'/>");
  if (!def.domain.name.empty()) {
    // libvirt 9.0 prints the domain unescaped; virtnat escapes it.
    w.Line("<domain" + Attr("name", def.domain.name) + TriAttr("localOnly", def.domain.local_only) +
           "/>");
  }
  FormatDns(w, def.dns);
  if (def.vlan) FormatVlan(w, *def.vlan);
  if (def.bandwidth) FormatBandwidth(w, *def.bandwidth);
  if (def.port_isolated != TriState::kAbsent) {
    w.Line("<port" + TriAttr("isolated", def.port_isolated) + "/>");
  }
  for (const IpDef& ip : def.ips) FormatIp(w, ip);
  for (const RouteDef& route : def.routes) FormatRoute(w, route);
  if (def.virtualport) FormatVirtualPort(w, *def.virtualport);
  for (const PortGroup& group : def.portgroups) FormatPortGroup(w, group);
  for (const PortForward& forward : def.port_forwards) FormatPortForward(w, forward);
  if (!def.dnsmasq_options.empty()) {
    w.Line("<dnsmasq:options>");
    w.Indent();
    for (const std::string& option : def.dnsmasq_options) {
      w.Line("<dnsmasq:option" + Attr("value", option) + "/>");
    }
    w.Outdent();
    w.Line("</dnsmasq:options>");
  }
  w.Outdent();
  w.Line("</network>");
  return w.Take();
}

}  // namespace virtnat::xml
