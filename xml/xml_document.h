#pragma once
// Hardened reading of an XML document with libxml2.
//
// No network access, no DTD loading, no entity substitution; a document with
// a DOCTYPE (and so any entity declaration) is refused before its internal
// subset is read, which shuts out billion-laughs and external-entity
// documents. The text must be valid UTF-8 without NUL bytes and at most
// `max_size` bytes; libxml2's own nesting limit (256 levels) applies.
//
// Syntax errors are reported the way libvirt reports them: VIR_ERR_XML_DETAIL
// in the network domain, "LABEL:LINE: <libxml2 message>\n<source line>\n<caret
// line>". Errors are collected per call (no global handler), so parses may run
// concurrently.

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "xml/xml_ptr.h"

namespace virtnat::xml {

// How a syntax error reads (the hardened checks' errors read the same
// either way).
enum class XmlErrorStyle {
  // "LABEL:LINE: <first fatal message>\n<source line>\n<caret line>", as
  // libvirt's catchXMLError writes it.
  kLibvirt,
  // "LABEL: <message of the last error libxml2 raised>", without context:
  // what port XML errors have always read.
  kBrief,
};

// Parses `text`; `label` names the document in messages, e.g.
// "(network_definition)" or "network_update_xml". The result has a root
// element. Whitespace-only text between elements is dropped (libvirt parses
// with xmlKeepBlanksDefault(0)).
Result<XmlDocPtr> ParseXmlDocument(std::string_view text, std::string_view label, size_t max_size,
                                   XmlErrorStyle style = XmlErrorStyle::kLibvirt);

}  // namespace virtnat::xml
