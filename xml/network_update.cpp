// UpdateNetworkDef: virNetworkDefUpdateSection plus the re-check libvirt
// gets from re-parsing the formatted result (virNetworkObjUpdate copies the
// definition through a format/parse round trip).
#include "xml/network_update.h"

#include "xml/network_parse.h"
#include "xml/network_parse_internal.h"
#include "xml/update_internal.h"
#include "xml/xml_document.h"
#include "xml/xml_node.h"

namespace virtnat::xml {
namespace internal {

bool IsAdd(unsigned command) {
  return command == static_cast<unsigned>(UpdateCommand::kAddFirst) ||
         command == static_cast<unsigned>(UpdateCommand::kAddLast);
}

Error UnknownCommand(unsigned command) {
  return OperationUnsupported("unrecognized network update command code " +
                              std::to_string(static_cast<int>(command)));
}

Status CheckElementName(const NetworkDef& def, const xmlNode* node, const char* expected) {
  if (HasName(node, expected)) return Status::Ok();
  return XmlError("unexpected element <" + NodeName(node) + ">, expecting <" + expected +
                  ">, while updating network '" + def.name + "'");
}

}  // namespace internal

namespace {

Error NoSupport(const NetworkDef& def, const char* section) {
  return OperationUnsupported(std::string("can't update '") + section + "' section of network '" +
                              def.name + "'");
}

// The parse-time rules an update can break, as the round trip re-applies
// them: a second forward interface on nat/route, a dev on open, records in a
// disabled <dns>.
Status RecheckParseRules(const NetworkDef& def) {
  if (def.dns.enable == TriState::kNo && (!def.dns.forwarders.empty() || !def.dns.hosts.empty() ||
                                          !def.dns.srvs.empty() || !def.dns.txts.empty())) {
    return XmlError("Extra data in disabled network '" + def.name + "'");
  }
  RETURN_IF_ERROR(internal::CheckRouteGateways(def));
  return internal::CheckForwardRules(def, false);
}

Status Dispatch(NetworkDef& def, unsigned command, unsigned section, int parent_index,
                const xmlNode* node) {
  switch (static_cast<UpdateSection>(section)) {
    case UpdateSection::kBridge:
      return NoSupport(def, "bridge");
    case UpdateSection::kDomain:
      return NoSupport(def, "domain");
    case UpdateSection::kIp:
      return NoSupport(def, "ip");
    case UpdateSection::kIpDhcpHost:
      return internal::UpdateDhcpHost(def, command, parent_index, node);
    case UpdateSection::kIpDhcpRange:
      return internal::UpdateDhcpRange(def, command, parent_index, node);
    case UpdateSection::kForward:
      return internal::UpdateForward(def, command, node);
    case UpdateSection::kForwardInterface:
      return internal::UpdateForwardInterface(def, command, node);
    case UpdateSection::kForwardPf:
      return NoSupport(def, "forward pf");
    case UpdateSection::kPortGroup:
      return internal::UpdatePortGroup(def, command, node);
    case UpdateSection::kDnsHost:
      return internal::UpdateDnsHost(def, command, node);
    case UpdateSection::kDnsTxt:
      return internal::UpdateDnsTxt(def, command, node);
    case UpdateSection::kDnsSrv:
      return internal::UpdateDnsSrv(def, command, node);
  }
  return OperationUnsupported("can't update unrecognized section of network");
}

}  // namespace

Status UpdateNetworkDef(NetworkDef& def, unsigned command, unsigned section, int parent_index,
                        std::string_view fragment) {
  // libvirt parses the fragment before it looks at the section.
  ASSIGN_OR_RETURN(XmlDocPtr doc,
                   ParseXmlDocument(fragment, "network_update_xml", kMaxNetworkXmlSize));
  const xmlNode* node = xmlDocGetRootElement(doc.get());
  NetworkDef work = def;
  RETURN_IF_ERROR(Dispatch(work, command, section, parent_index, node));
  RETURN_IF_ERROR(RecheckParseRules(work));
  def = std::move(work);
  return Status::Ok();
}

}  // namespace virtnat::xml
