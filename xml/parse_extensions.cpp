// Namespaced content: <metadata>, <dnsmasq:options> and the project's
// <portForward> (urn:virtnat:network:1).
#include <cstring>

#include "xml/network_parse_internal.h"
#include "xml/parse_values.h"
#include "xml/xml_node.h"
#include "xml/xml_ptr.h"

namespace virtnat::xml::internal {
namespace {

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }

bool SameNs(const xmlNode* a, const xmlNode* b) {
  return a->ns != nullptr && b->ns != nullptr && a->ns->href != nullptr && b->ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(a->ns->href),
                     reinterpret_cast<const char*>(b->ns->href)) == 0;
}

// virXMLNodeSanitizeNamespaces: drop children without a namespace, and keep
// only the first child of each namespace.
void SanitizeNamespaces(xmlNode* node) {
  xmlNode* child = node->children;
  while (child != nullptr) {
    if (child->ns == nullptr || child->ns->href == nullptr) {
      XmlNodePtr doomed(child);
      child = child->next;
      xmlUnlinkNode(doomed.get());
      continue;
    }
    xmlNode* next = child->next;
    while (next != nullptr) {
      xmlNode* after = next->next;
      if (SameNs(child, next)) {
        XmlNodePtr doomed(next);
        xmlUnlinkNode(doomed.get());
      }
      next = after;
    }
    child = child->next;
  }
}

Result<unsigned> PortAttr(std::string_view net, const xmlNode* node, const char* attr) {
  auto text = Prop(node, attr);
  auto value = text ? StrToUIntP(*text, 10) : std::nullopt;
  if (!value) {
    return XmlError("Invalid " + std::string(attr) + " port " + Q(text.value_or("")) +
                    " in <portForward> <range> of network " + Q(net));
  }
  return *value;
}

}  // namespace

Result<std::string> SerializeMetadata(const xmlNode* node) {
  XmlNodePtr copy(xmlCopyNode(const_cast<xmlNode*>(node), 1));
  if (!copy) return InternalError("Failed to copy XML node");
  SanitizeNamespaces(copy.get());
  XmlBufferPtr buf(xmlBufferCreate());
  if (!buf) return InternalError("Unable to format metadata element");
  // libxml2's indentation switch is thread-local; libvirt sets it the same
  // way around this call.
  int saved_indent = xmlIndentTreeOutput;
  xmlIndentTreeOutput = 1;
  int rc = xmlNodeDump(buf.get(), copy->doc, copy.get(), 1, 1);
  xmlIndentTreeOutput = saved_indent;
  if (rc < 0) return InternalError("Unable to format metadata element");
  std::string out = "  ";
  out += reinterpret_cast<const char*>(xmlBufferContent(buf.get()));
  out += '\n';
  return out;
}

Result<std::vector<std::string>> ParseDnsmasqOptions(const xmlNode* root) {
  std::vector<std::string> options;
  for (const xmlNode* group : NsChildren(root, "options", kDnsmasqNamespace)) {
    for (const xmlNode* option : NsChildren(group, "option", kDnsmasqNamespace)) {
      auto value = Prop(option, "value");
      if (!value) return InternalError("No dnsmasq options value specified");
      options.push_back(*value);
    }
  }
  return options;
}

Result<PortForward> ParsePortForward(std::string_view net, const xmlNode* node, bool partial) {
  PortForward pf;
  auto proto = Prop(node, "proto");
  if (proto) {
    auto parsed = ParsePortProtocol(*proto);
    if (!parsed) {
      return XmlError("Invalid proto " + Q(*proto) + " in <portForward> of network " + Q(net) +
                      ", expected 'tcp' or 'udp'");
    }
    pf.proto = *parsed;
  }
  auto guest = Prop(node, "guest");
  if (!guest && !partial) {
    return XmlError("Missing required guest attribute in <portForward> of network " + Q(net));
  }
  if (guest) {
    auto guest_addr = IpAddress::Parse(*guest);
    if (!guest_addr) {
      return XmlError("Invalid guest address " + Q(*guest) + " in <portForward> of network " +
                      Q(net));
    }
    pf.guest = *guest_addr;
  }
  if (auto address = Prop(node, "address")) {
    auto addr = IpAddress::Parse(*address);
    if (!addr) {
      return XmlError("Invalid address " + Q(*address) + " in <portForward> of network " + Q(net));
    }
    pf.address = *addr;
  }
  if (auto dev = Prop(node, "dev")) {
    if (dev->empty()) {
      return XmlError("Empty dev attribute in <portForward> of network " + Q(net));
    }
    RETURN_IF_ERROR(CheckHostnameSafe(*dev, "portForward dev", net));
    pf.dev = *dev;
  }
  for (const xmlNode* r : NsChildren(node, "range", kVirtnatNamespace)) {
    PortForwardRange range;
    if (!Prop(r, "start")) {
      return XmlError("Missing required start attribute in <portForward> <range> of network " +
                      Q(net));
    }
    ASSIGN_OR_RETURN(range.start, PortAttr(net, r, "start"));
    range.end = range.start;
    range.to = range.start;
    if (Prop(r, "end")) {
      ASSIGN_OR_RETURN(range.end, PortAttr(net, r, "end"));
    }
    if (Prop(r, "to")) {
      ASSIGN_OR_RETURN(range.to, PortAttr(net, r, "to"));
    }
    pf.ranges.push_back(range);
  }
  if (pf.ranges.empty()) {
    return XmlError("<portForward> of network " + Q(net) +
                    " needs at least one <range start='PORT'/>");
  }
  return pf;
}

}  // namespace virtnat::xml::internal
