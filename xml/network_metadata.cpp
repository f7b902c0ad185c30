// virNetworkSetMetadata / virNetworkGetMetadata on the <metadata> text of a
// definition (network_metadata.h).

#include "xml/network_metadata.h"

#include <cstring>

#include "xml/network_parse_internal.h"
#include "xml/xml_document.h"
#include "xml/xml_ptr.h"

namespace virtnat::xml {
namespace {

constexpr size_t kMaxMetadataText = 4194304;  // REMOTE_STRING_MAX

const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

bool InNamespace(const xmlNs* ns, const std::string& uri) {
  return ns != nullptr && ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(ns->href), uri.c_str()) == 0;
}

xmlNode* ChildInNamespace(xmlNode* parent, const std::string& uri) {
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && InNamespace(child->ns, uri)) return child;
  }
  return nullptr;
}

// Elements without a namespace join `ns` (virXMLInjectNamespace).
void AdoptNamespace(xmlNode* node, xmlNs* ns) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (node->ns == nullptr) xmlSetNs(node, ns);
    AdoptNamespace(node->children, ns);
  }
}

// Elements and attributes of `uri` lose their namespace.
void DropNamespace(xmlNode* node, const std::string& uri) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (InNamespace(node->ns, uri)) xmlSetNs(node, nullptr);
    for (xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
      if (InNamespace(attr->ns, uri)) attr->ns = nullptr;
    }
    DropNamespace(node->children, uri);
  }
}

// virXMLParseStringCtxt's error for text without a file name reads
// "at line N: <libxml2's message>" followed by the context lines.
Result<XmlDocPtr> ParseUserXml(const std::string& text) {
  static constexpr std::string_view kLabel = "(metadata_xml):";
  Result<XmlDocPtr> doc =
      ParseXmlDocument(text, kLabel.substr(0, kLabel.size() - 1), kMaxMetadataText);
  if (doc.ok()) return doc;
  Error error = doc.error();
  if (error.message.starts_with(kLabel)) error.message.replace(0, kLabel.size(), "at line ");
  return error;
}

Result<XmlDocPtr> ParseStored(const std::string& metadata) {
  return ParseXmlDocument(metadata, "(metadata)", kMaxMetadataText);
}

Result<std::string> Dump(xmlDoc* doc, xmlNode* node) {
  XmlBufferPtr buf(xmlBufferCreate());
  if (!buf) return InternalError("failed to convert the XML node tree", VIR_FROM_XML);
  int saved_indent = xmlIndentTreeOutput;
  xmlIndentTreeOutput = 1;
  int rc = xmlNodeDump(buf.get(), doc, node, 0, 1);
  xmlIndentTreeOutput = saved_indent;
  if (rc < 0) return InternalError("failed to convert the XML node tree", VIR_FROM_XML);
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())));
}

}  // namespace

Result<std::optional<std::string>> ExtractMetadataElement(
    const std::optional<std::string>& metadata, const std::string& uri) {
  if (!metadata) return std::optional<std::string>();
  ASSIGN_OR_RETURN(XmlDocPtr doc, ParseStored(*metadata));
  xmlNode* found = ChildInNamespace(xmlDocGetRootElement(doc.get()), uri);
  if (found == nullptr) return std::optional<std::string>();
  XmlNodePtr copy(xmlCopyNode(found, 1));
  if (!copy) return InternalError("Failed to copy XML node", VIR_FROM_XML);
  DropNamespace(copy.get(), uri);
  // The declaration of `uri` goes once nothing refers to it.
  for (xmlNs** link = &copy->nsDef; *link != nullptr;) {
    xmlNs* ns = *link;
    if (InNamespace(ns, uri)) {
      *link = ns->next;
      ns->next = nullptr;
      xmlFreeNs(ns);
    } else {
      link = &ns->next;
    }
  }
  ASSIGN_OR_RETURN(std::string text, Dump(doc.get(), copy.get()));
  return std::optional<std::string>(std::move(text));
}

Status SetMetadataElement(std::optional<std::string>& metadata,
                          const std::optional<std::string>& element, const std::string& key,
                          const std::string& uri) {
  XmlDocPtr user;
  xmlNode* user_root = nullptr;
  if (element) {
    ASSIGN_OR_RETURN(user, ParseUserXml(*element));
    user_root = xmlDocGetRootElement(user.get());
    // libvirt 11.3's text (the key is not named).
    if (xmlValidateNCName(X(key), 0) != 0) {
      return InternalError("failed to validate prefix for a new XML namespace", VIR_FROM_XML);
    }
    xmlNs* ns = xmlNewNs(user_root, X(uri), X(key));
    if (ns == nullptr) return InternalError("failed to create a new XML namespace", VIR_FROM_XML);
    AdoptNamespace(user_root, ns);
  }
  XmlDocPtr doc;
  xmlNode* root = nullptr;
  if (metadata) {
    ASSIGN_OR_RETURN(doc, ParseStored(*metadata));
    root = xmlDocGetRootElement(doc.get());
  } else if (element) {
    doc.reset(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
    if (!doc) return InternalError("failed to create an XML document", VIR_FROM_XML);
    root = xmlNewDocNode(doc.get(), nullptr, reinterpret_cast<const xmlChar*>("metadata"), nullptr);
    if (root == nullptr) return InternalError("failed to create an XML node", VIR_FROM_XML);
    xmlDocSetRootElement(doc.get(), root);
  } else {
    return Status::Ok();  // nothing to remove
  }
  while (xmlNode* old = ChildInNamespace(root, uri)) {
    xmlUnlinkNode(old);
    XmlNodePtr doomed(old);
  }
  if (user_root != nullptr) {
    XmlNodePtr copy(xmlDocCopyNode(user_root, doc.get(), 1));
    if (!copy) return InternalError("Failed to copy XML node", VIR_FROM_XML);
    if (xmlAddChild(root, copy.get()) == nullptr) {
      return InternalError("failed to add metadata to XML document", VIR_FROM_XML);
    }
    copy.release();  // owned by the document now
  }
  ASSIGN_OR_RETURN(std::string text, internal::SerializeMetadata(root));
  metadata = std::move(text);
  return Status::Ok();
}

}  // namespace virtnat::xml
