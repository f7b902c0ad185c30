// Printing the port-related parts of a <network>: vlan, bandwidth,
// virtualport, portgroup, and the port forward extension.
#include "xml/format_writer.h"

namespace virtnat::xml {

void FormatVlan(FormatWriter& w, const Vlan& vlan) {
  if (vlan.tags.empty()) return;
  // libvirt marks a vlan as trunk when it has several tags, and prints it so.
  bool trunk = vlan.trunk == TriState::kYes || vlan.tags.size() > 1;
  w.Line(trunk ? "<vlan trunk='yes'>" : "<vlan>");
  w.Indent();
  for (const VlanTag& tag : vlan.tags) {
    w.Line("<tag" + NumAttr("id", tag.id) + Attr("nativeMode", tag.native_mode) + "/>");
  }
  w.Outdent();
  w.Line("</vlan>");
}

namespace {

void FormatRate(FormatWriter& w, const char* element, const std::optional<BandwidthRate>& rate) {
  if (!rate || (rate->average == 0 && rate->floor == 0)) return;
  std::string line = std::string("<") + element;
  if (rate->average) line += NumAttr("average", rate->average);
  if (rate->peak) line += NumAttr("peak", rate->peak);
  if (rate->floor) line += NumAttr("floor", rate->floor);
  if (rate->burst) line += NumAttr("burst", rate->burst);
  w.Line(line + "/>");
}

}  // namespace

void FormatBandwidth(FormatWriter& w, const Bandwidth& bandwidth) {
  // A <bandwidth> whose rates print nothing would read back as no bandwidth.
  auto printed = [](const std::optional<BandwidthRate>& r) {
    return r && (r->average != 0 || r->floor != 0);
  };
  if (!printed(bandwidth.inbound) && !printed(bandwidth.outbound)) return;
  w.Line("<bandwidth>");
  w.Indent();
  FormatRate(w, "inbound", bandwidth.inbound);
  FormatRate(w, "outbound", bandwidth.outbound);
  w.Outdent();
  w.Line("</bandwidth>");
}

void FormatVirtualPort(FormatWriter& w, const VirtualPort& port) {
  // Each parameter belongs to some profile types only; libvirt prints the
  // ones that fit the type, in this order, and all of them for an untyped one.
  const std::string& type = port.type;
  bool untyped = type.empty();
  bool qbg = untyped || type == "802.1Qbg";
  bool qbh = untyped || type == "802.1Qbh";
  bool ovs = untyped || type == "openvswitch";
  bool midonet = untyped || type == "midonet";
  std::string params;
  if (qbg) {
    params += Attr("managerid", port.manager_id);
    params += Attr("typeid", port.type_id);
    params += Attr("typeidversion", port.type_id_version);
    params += Attr("instanceid", port.instance_id);
  }
  if (ovs || midonet) params += Attr("interfaceid", port.interface_id);
  if (ovs || qbh) params += Attr("profileid", port.profile_id);
  if (params.empty()) {
    if (!untyped) w.Line("<virtualport" + Attr("type", type) + "/>");
    return;
  }
  w.Line("<virtualport" + Attr("type", type) + ">");
  w.Indent();
  w.Line("<parameters" + params + "/>");
  w.Outdent();
  w.Line("</virtualport>");
}

void FormatPortGroup(FormatWriter& w, const PortGroup& group) {
  // libvirt 9.0 prints the name unescaped; virtnat escapes it (an '&' would
  // make the saved definition unparsable). See known-differences.md.
  w.Line("<portgroup" + Attr("name", group.name) + (group.is_default ? " default='yes'" : "") +
         TriAttr("trustGuestRxFilters", group.trust_guest_rx_filters) + ">");
  w.Indent();
  if (group.vlan) FormatVlan(w, *group.vlan);
  if (group.virtualport) FormatVirtualPort(w, *group.virtualport);
  if (group.bandwidth) FormatBandwidth(w, *group.bandwidth);
  w.Outdent();
  w.Line("</portgroup>");
}

void FormatPortForward(FormatWriter& w, const PortForward& forward) {
  std::string open = "<vn:portForward" + Attr("proto", PortProtocolName(forward.proto)) +
                     Attr("guest", forward.guest.ToString());
  if (forward.address) open += Attr("address", forward.address->ToString());
  open += Attr("dev", forward.dev);
  if (forward.ranges.empty()) {
    w.Line(open + "/>");
    return;
  }
  w.Line(open + ">");
  w.Indent();
  for (const PortForwardRange& range : forward.ranges) {
    // end and to are printed only where they differ from their default
    // (start), so the seed's one-liner comes back as written.
    std::string line = "<vn:range" + NumAttr("start", range.start);
    if (range.end != range.start) line += NumAttr("end", range.end);
    if (range.to != range.start) line += NumAttr("to", range.to);
    w.Line(line + "/>");
  }
  w.Outdent();
  w.Line("</vn:portForward>");
}

}  // namespace virtnat::xml
