#include "acl.h"

#include <libxml/parser.h>
#include <string.h>

struct vn_acl vn_acl;

static int (*vn_uuid_parse)(const char *uuidstr, unsigned char *uuid);
static int (*vn_uuid_generate)(unsigned char *uuid);

#define VN_ACL(field, symbol) VN_DLSYM(vn_acl.field, symbol)

const char *vn_acl_resolve(void) {
  VN_ACL(connectOpen, virConnectOpenEnsureACL);
  VN_ACL(connectSupportsFeature, virConnectSupportsFeatureEnsureACL);
  VN_ACL(numOfNetworks, virConnectNumOfNetworksEnsureACL);
  VN_ACL(listNetworks, virConnectListNetworksEnsureACL);
  VN_ACL(numOfDefinedNetworks, virConnectNumOfDefinedNetworksEnsureACL);
  VN_ACL(listDefinedNetworks, virConnectListDefinedNetworksEnsureACL);
  VN_ACL(listAllNetworks, virConnectListAllNetworksEnsureACL);
  VN_ACL(eventRegisterAny, virConnectNetworkEventRegisterAnyEnsureACL);
  VN_ACL(eventDeregisterAny, virConnectNetworkEventDeregisterAnyEnsureACL);
  VN_ACL(numOfNetworksFilter, virConnectNumOfNetworksCheckACL);
  VN_ACL(listNetworksFilter, virConnectListNetworksCheckACL);
  VN_ACL(numOfDefinedNetworksFilter, virConnectNumOfDefinedNetworksCheckACL);
  VN_ACL(listDefinedNetworksFilter, virConnectListDefinedNetworksCheckACL);
  VN_ACL(listAllNetworksFilter, virConnectListAllNetworksCheckACL);
  VN_ACL(lookupByUUID, virNetworkLookupByUUIDEnsureACL);
  VN_ACL(lookupByName, virNetworkLookupByNameEnsureACL);
  VN_ACL(createXMLFlags, virNetworkCreateXMLFlagsEnsureACL);
  VN_ACL(defineXMLFlags, virNetworkDefineXMLFlagsEnsureACL);
  VN_ACL(undefine, virNetworkUndefineEnsureACL);
  VN_ACL(create, virNetworkCreateEnsureACL);
  VN_ACL(destroy, virNetworkDestroyEnsureACL);
  VN_ACL(getXMLDesc, virNetworkGetXMLDescEnsureACL);
  VN_ACL(getBridgeName, virNetworkGetBridgeNameEnsureACL);
  VN_ACL(getAutostart, virNetworkGetAutostartEnsureACL);
  VN_ACL(setAutostart, virNetworkSetAutostartEnsureACL);
  VN_ACL(isActive, virNetworkIsActiveEnsureACL);
  VN_ACL(isPersistent, virNetworkIsPersistentEnsureACL);
  VN_ACL(getDHCPLeases, virNetworkGetDHCPLeasesEnsureACL);
  VN_ACL(listAllPorts, virNetworkListAllPortsEnsureACL);
  VN_ACL(update, virNetworkUpdateEnsureACL);
  VN_ACL(portLookupByUUID, virNetworkPortLookupByUUIDEnsureACL);
  VN_ACL(portCreateXML, virNetworkPortCreateXMLEnsureACL);
  VN_ACL(portGetXMLDesc, virNetworkPortGetXMLDescEnsureACL);
  VN_ACL(portDelete, virNetworkPortDeleteEnsureACL);
  VN_ACL(portSetParameters, virNetworkPortSetParametersEnsureACL);
  VN_ACL(portGetParameters, virNetworkPortGetParametersEnsureACL);
  VN_ACL(listAllPortsFilter, virNetworkListAllPortsCheckACL);
  VN_DLSYM(vn_uuid_parse, virUUIDParse);
  VN_DLSYM(vn_uuid_generate, virUUIDGenerate);
  return NULL;
}

/* A definition with what the access drivers read: name and UUID (the
 * polkit driver's network_name and network_uuid). */
static void vn_network_def(virNetworkDef *def, const char *name, const unsigned char *uuid) {
  memset(def, 0, sizeof(*def));
  def->name = (char *)name;
  memcpy(def->uuid, uuid, VIR_UUID_BUFLEN);
}

int vn_acl_net(vn_acl_network_fn *check, virConnectPtr conn, const char *name,
               const unsigned char *uuid) {
  virNetworkDef def;
  vn_network_def(&def, name, uuid);
  return check(conn, &def);
}

int vn_acl_update(virNetworkPtr net, unsigned int flags) {
  virNetworkDef def;
  vn_network_def(&def, net->name, net->uuid);
  return vn_acl.update(net->conn, &def, flags);
}

int vn_acl_port(vn_acl_port_fn *check, virNetworkPtr net, const unsigned char *port_uuid) {
  virNetworkDef def;
  virNetworkPortDef port;
  vn_network_def(&def, net->name, net->uuid);
  memset(&port, 0, sizeof(port));
  memcpy(port.uuid, port_uuid, VIR_UUID_BUFLEN);
  return check(net->conn, &def, &port);
}

/* The text of the first <child> of the document's root element `root`,
 * "" when it has none; NULL when the document does not parse or its root is
 * not `root`. */
static char *vn_xml_child(const char *xml, const char *root, const char *child) {
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  char *text = NULL;
  if (!doc) return NULL;
  xmlNodePtr top = xmlDocGetRootElement(doc);
  if (top && xmlStrEqual(top->name, BAD_CAST root)) {
    text = g_strdup("");
    for (xmlNodePtr n = top->children; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, BAD_CAST child)) continue;
      xmlChar *content = xmlNodeGetContent(n);
      g_free(text);
      text = g_strdup(content ? (const char *)content : "");
      xmlFree(content);
      break;
    }
  }
  xmlFreeDoc(doc);
  return text;
}

int vn_acl_network_xml(vn_acl_network_fn *check, virConnectPtr conn, const char *xml) {
  g_autofree char *name = vn_xml_child(xml, "network", "name");
  g_autofree char *uuidstr = vn_xml_child(xml, "network", "uuid");
  unsigned char uuid[VIR_UUID_BUFLEN];
  if (!name || !*name || !uuidstr) return 1;
  if (*uuidstr ? vn_uuid_parse(uuidstr, uuid) < 0 : vn_uuid_generate(uuid) < 0) return 1;
  return vn_acl_net(check, conn, name, uuid);
}

int vn_acl_port_xml(virNetworkPtr net, const char *xml) {
  g_autofree char *uuidstr = vn_xml_child(xml, "networkport", "uuid");
  unsigned char uuid[VIR_UUID_BUFLEN];
  if (!uuidstr || !*uuidstr || vn_uuid_parse(uuidstr, uuid) < 0) return 1;
  return vn_acl_port(vn_acl.portCreateXML, net, uuid);
}

int vn_filter_networks(vn_filter_network_fn *filter, virConnectPtr conn, virNetworkPtr *nets,
                       int n) {
  int kept = 0;
  for (int i = 0; i < n; i++) {
    virNetworkDef def;
    vn_network_def(&def, nets[i]->name, nets[i]->uuid);
    if (filter(conn, &def))
      nets[kept++] = nets[i];
    else
      vn_priv.objectUnref(nets[i]);
  }
  if (kept < n) nets[kept] = NULL;
  return kept;
}

int vn_filter_ports(virNetworkPtr net, virNetworkPortPtr *ports, int n) {
  virNetworkDef def;
  int kept = 0;
  vn_network_def(&def, net->name, net->uuid);
  for (int i = 0; i < n; i++) {
    virNetworkPortDef port;
    memset(&port, 0, sizeof(port));
    memcpy(port.uuid, ports[i]->uuid, VIR_UUID_BUFLEN);
    if (vn_acl.listAllPortsFilter(net->conn, &def, &port))
      ports[kept++] = ports[i];
    else
      vn_priv.objectUnref(ports[i]);
  }
  if (kept < n) ports[kept] = NULL;
  return kept;
}
