#pragma once
// virNetworkUpdate on a definition (network-xml.md §5): one command on one
// section with an XML fragment. All-or-nothing: on error `def` is unchanged.

#include <string_view>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml {

// Values of virNetworkUpdateCommand / virNetworkUpdateSection.
enum class UpdateCommand : unsigned { kModify = 1, kDelete = 2, kAddLast = 3, kAddFirst = 4 };
enum class UpdateSection : unsigned {
  kBridge = 1,
  kDomain = 2,
  kIp = 3,
  kIpDhcpHost = 4,
  kIpDhcpRange = 5,
  kForward = 6,
  kForwardInterface = 7,
  kForwardPf = 8,
  kPortGroup = 9,
  kDnsHost = 10,
  kDnsTxt = 11,
  kDnsSrv = 12,
};

// `command` and `section` are the raw wire values (unknown ones give
// libvirt's errors). `parent_index` selects the <ip> for dhcp sections; -1
// picks as libvirt does. The forward section accepts the extension's
// <portForward> element (urn:virtnat:network:1) and keeps libvirt's
// "can't update 'forward' section" error for anything else.
Status UpdateNetworkDef(NetworkDef& def, unsigned command, unsigned section, int parent_index,
                        std::string_view fragment);

}  // namespace virtnat::xml
