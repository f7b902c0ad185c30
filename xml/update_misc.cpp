// Sections forward-interface, portgroup and forward (the <portForward>
// extension).
#include <algorithm>

#include "xml/network_parse_internal.h"
#include "xml/network_validate_internal.h"
#include "xml/update_internal.h"
#include "xml/xml_node.h"

namespace virtnat::xml::internal {
namespace {

constexpr unsigned kModify = static_cast<unsigned>(UpdateCommand::kModify);
constexpr unsigned kDelete = static_cast<unsigned>(UpdateCommand::kDelete);
constexpr unsigned kAddFirst = static_cast<unsigned>(UpdateCommand::kAddFirst);

std::string PortForwardKey(const PortForward& pf) {
  return std::string("proto='") + PortProtocolName(pf.proto) + "' address='" +
         (pf.address ? pf.address->ToString() : "") + "' start='" +
         std::to_string(pf.ranges.empty() ? 0 : pf.ranges[0].start) + "'";
}

}  // namespace

Status UpdateForwardInterface(NetworkDef& def, unsigned command, const xmlNode* node) {
  RETURN_IF_ERROR(CheckElementName(def, node, "interface"));
  if (command == kModify) {
    return OperationUnsupported(
        "forward interface entries cannot be modified, only added or deleted");
  }
  auto dev = Prop(node, "dev");
  if (!dev) return XmlError("missing dev attribute in <interface> element");
  auto& ifs = def.forward.interfaces;
  auto found = std::find_if(ifs.begin(), ifs.end(),
                            [&](const ForwardInterface& i) { return i.dev == *dev; });
  if (IsAdd(command)) {
    if (found != ifs.end()) {
      return OperationInvalid("there is an existing interface entry in network '" + def.name +
                              "' that matches \"<interface dev='" + *dev + "'>\"");
    }
    ifs.insert(command == kAddFirst ? ifs.begin() : ifs.end(), ForwardInterface{*dev, 0});
  } else if (command == kDelete) {
    if (found == ifs.end()) {
      return OperationInvalid("couldn't find an interface entry in network '" + def.name +
                              "' matching <interface dev='" + *dev + "'>");
    }
    if (found->connections > 0) {
      return OperationInvalid("unable to delete interface '" + *dev + "' in network '" + def.name +
                              "'. It is currently being used by " +
                              std::to_string(found->connections) + " domains.");
    }
    ifs.erase(found);
  } else {
    return UnknownCommand(command);
  }
  // <forward dev> is the first pool interface (a nat network that had none
  // gains dev= with its first interface).
  def.forward.dev = ifs.empty() ? std::string() : ifs[0].dev;
  return Status::Ok();
}

Status UpdatePortGroup(NetworkDef& def, unsigned command, const xmlNode* node) {
  RETURN_IF_ERROR(CheckElementName(def, node, "portgroup"));
  ASSIGN_OR_RETURN(PortGroup pg, ParsePortGroup(node));
  auto& groups = def.portgroups;
  int found_name = -1;
  int found_default = -1;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].name == pg.name) found_name = static_cast<int>(i);
    if (groups[i].is_default) found_default = static_cast<int>(i);
  }
  if (found_name < 0 && (command == kModify || command == kDelete)) {
    return OperationInvalid("couldn't find a portgroup entry in network '" + def.name +
                            "' matching <portgroup name='" + pg.name + "'>");
  }
  if (found_name >= 0 && IsAdd(command)) {
    return OperationInvalid("there is an existing portgroup entry in network '" + def.name +
                            "' that matches \"<portgroup name='" + pg.name + "'>\"");
  }
  if (command != kDelete && pg.is_default && found_default >= 0 && found_default != found_name) {
    return OperationInvalid("a different portgroup entry in network '" + def.name +
                            "' is already set as the default. Only one default is allowed.");
  }
  if (command == kModify) {
    groups[found_name] = std::move(pg);
  } else if (IsAdd(command)) {
    groups.insert(command == kAddFirst ? groups.begin() : groups.end(), std::move(pg));
  } else if (command == kDelete) {
    groups.erase(groups.begin() + found_name);
  } else {
    return UnknownCommand(command);
  }
  return Status::Ok();
}

Status UpdateForward(NetworkDef& def, unsigned command, const xmlNode* node) {
  if (!IsElementNs(node, "portForward", kVirtnatNamespace)) {
    return OperationUnsupported("can't update 'forward' section of network '" + def.name + "'");
  }
  ASSIGN_OR_RETURN(PortForward pf, ParsePortForward(def.name, node, command == kDelete));
  auto& forwards = def.port_forwards;
  auto found = std::find_if(forwards.begin(), forwards.end(),
                            [&](const PortForward& f) { return SamePortForwardKey(f, pf); });
  if (IsAdd(command)) {
    if (found != forwards.end()) {
      return OperationInvalid("there is an existing portForward entry in network '" + def.name +
                              "' that matches " + PortForwardKey(pf));
    }
    forwards.insert(command == kAddFirst ? forwards.begin() : forwards.end(), std::move(pf));
  } else if (command == kModify || command == kDelete) {
    if (found == forwards.end()) {
      return OperationInvalid("couldn't find a portForward entry in network '" + def.name +
                              "' matching " + PortForwardKey(pf));
    }
    if (command == kDelete) {
      forwards.erase(found);
      return Status::Ok();
    }
    *found = std::move(pf);
  } else {
    return UnknownCommand(command);
  }
  return ValidatePortForwards(def);
}

}  // namespace virtnat::xml::internal
