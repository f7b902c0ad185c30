#pragma once
// Owning handles for libxml2 objects. Every libxml2 pointer the XML layer
// keeps beyond one expression lives in one of these.

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include <memory>

namespace virtnat::xml {

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
struct XmlParserCtxtDeleter {
  void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};
// For nodes that are not (or no longer) linked into a document.
struct XmlNodeDeleter {
  void operator()(xmlNode* node) const noexcept { xmlFreeNode(node); }
};
struct XmlBufferDeleter {
  void operator()(xmlBuffer* buf) const noexcept { xmlBufferFree(buf); }
};
// Strings libxml2 allocates for the caller (xmlGetProp, xmlNodeGetContent).
struct XmlCharDeleter {
  void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};

using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;
using XmlParserCtxtPtr = std::unique_ptr<xmlParserCtxt, XmlParserCtxtDeleter>;
using XmlNodePtr = std::unique_ptr<xmlNode, XmlNodeDeleter>;
using XmlBufferPtr = std::unique_ptr<xmlBuffer, XmlBufferDeleter>;
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharDeleter>;

}  // namespace virtnat::xml
