#pragma once
// Section handlers of UpdateNetworkDef (network-xml.md §5). Each works on
// the caller's copy of the definition; `node` is the fragment's root.

#include <libxml/tree.h>

#include "common/status.h"
#include "xml/network_def.h"
#include "xml/network_update.h"

namespace virtnat::xml::internal {

bool IsAdd(unsigned command);
Error UnknownCommand(unsigned command);
// "unexpected element <x>, expecting <y>, while updating network 'n'".
Status CheckElementName(const NetworkDef& def, const xmlNode* node, const char* expected);

// update_dhcp.cpp
Status UpdateDhcpHost(NetworkDef& def, unsigned command, int parent_index, const xmlNode* node);
Status UpdateDhcpRange(NetworkDef& def, unsigned command, int parent_index, const xmlNode* node);

// update_dns.cpp (modify follows newer libvirt, see network_update.h)
Status UpdateDnsHost(NetworkDef& def, unsigned command, const xmlNode* node);
Status UpdateDnsTxt(NetworkDef& def, unsigned command, const xmlNode* node);
Status UpdateDnsSrv(NetworkDef& def, unsigned command, const xmlNode* node);

// update_misc.cpp
Status UpdateForwardInterface(NetworkDef& def, unsigned command, const xmlNode* node);
Status UpdatePortGroup(NetworkDef& def, unsigned command, const xmlNode* node);
// Section forward: the <portForward> extension, else libvirt's refusal.
Status UpdateForward(NetworkDef& def, unsigned command, const xmlNode* node);

}  // namespace virtnat::xml::internal
