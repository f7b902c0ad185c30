#include "xml/xml_document.h"

#include <libxml/parserInternals.h>

#include <string>

namespace virtnat::xml {
namespace {

// What the libxml2 callbacks of one parse record. Reached through
// xmlParserCtxt::_private, so nothing is shared between parses.
struct ParseState {
  std::string label;
  bool has_error = false;
  std::string error;  // complete libvirt-style detail text
  bool doctype = false;
  int doctype_line = 0;
};

std::string Hex(unsigned char byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 0xf];
}

int LineAt(std::string_view text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

// Offset of the first byte that is not part of a well-formed UTF-8 sequence
// (no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// The source line around the parser's position and a caret under it, as
// libvirt's catchXMLError builds them (after libxml2's own context printer).
void AppendContext(const xmlParserInput* input, std::string& out) {
  const xmlChar* base = input->base;
  const xmlChar* cur = input->cur;
  if (base == nullptr || cur == nullptr) {
    out += "(null)\n^";
    return;
  }
  while (cur > base && (*cur == '\n' || *cur == '\r')) --cur;
  while (cur > base && *cur != '\n' && *cur != '\r') --cur;
  if (*cur == '\n' || *cur == '\r') ++cur;
  size_t col = static_cast<size_t>(input->cur - cur);
  std::string line;
  while (*cur != 0 && *cur != '\n' && *cur != '\r') line += static_cast<char>(*cur++);
  // libvirt prints an empty context line through "%s" of NULL.
  out += line.empty() ? "(null)" : line;
  out += '\n';
  for (size_t i = 0; i < col && i < line.size(); ++i) out += line[i] == '\t' ? '\t' : '-';
  out += '^';
}

void OnStructuredError(void* user_data, xmlErrorPtr error) noexcept {
  auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
  if (ctxt == nullptr || error == nullptr) return;
  auto* state = static_cast<ParseState*>(ctxt->_private);
  // Like libvirt: only the first fatal error counts; warnings and recoverable
  // errors (e.g. an undeclared namespace prefix) do not stop the parse.
  if (state == nullptr || state->has_error || error->level != XML_ERR_FATAL ||
      error->message == nullptr || ctxt->input == nullptr) {
    return;
  }
  try {
    std::string text = state->label + ":" + std::to_string(error->line) + ": " + error->message;
    AppendContext(ctxt->input, text);
    state->error = std::move(text);
    state->has_error = true;
  } catch (...) {
    state->has_error = true;  // out of memory: the generic message is used
  }
}

// Called when "<!DOCTYPE name ...>" has been read and before any internal
// subset: stop right there, so no entity or external subset is ever seen.
void OnInternalSubset(void* user_data, const xmlChar*, const xmlChar*, const xmlChar*) noexcept {
  auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
  if (ctxt == nullptr) return;
  if (auto* state = static_cast<ParseState*>(ctxt->_private)) {
    state->doctype = true;
    state->doctype_line = ctxt->input ? ctxt->input->line : 0;
  }
  xmlStopParser(ctxt);
}

void OnEntityDecl(void* user_data, const xmlChar*, int, const xmlChar*, const xmlChar*,
                  xmlChar*) noexcept {
  OnInternalSubset(user_data, nullptr, nullptr, nullptr);
}

// libxml2 2.9 initialises its globals lazily and not thread-safely; do it
// once, under the protection of a function-local static.
void EnsureLibxmlInitialized() {
  static const bool initialized = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialized;
}

// The brief form of a syntax error: libxml2's message of the last error of
// the parse (what xmlGetLastError() gives, but of this parse only).
Error BriefSyntaxError(const std::string& label, const xmlParserCtxt* ctxt) {
  const char* last = ctxt->lastError.message;
  std::string message = last ? last : "failed to parse XML";
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return XmlDetail(label + ": " + message);
}

}  // namespace

Result<XmlDocPtr> ParseXmlDocument(std::string_view text, std::string_view label, size_t max_size,
                                   XmlErrorStyle style) {
  std::string name(label);
  if (text.size() > max_size) {
    return XmlError(name + ": document of " + std::to_string(text.size()) +
                    " bytes exceeds the limit of " + std::to_string(max_size) + " bytes");
  }
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return XmlDetail(name + ":" + std::to_string(LineAt(text, nul)) +
                     ": document contains a NUL byte at offset " + std::to_string(nul));
  }
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    return XmlDetail(
        name + ":" + std::to_string(LineAt(text, bad)) + ": Input is not valid UTF-8 (byte " +
        Hex(static_cast<unsigned char>(text[bad])) + " at offset " + std::to_string(bad) + ")");
  }

  EnsureLibxmlInitialized();
  XmlParserCtxtPtr ctxt(xmlNewParserCtxt());
  if (!ctxt || ctxt->sax == nullptr) return InternalError("failed to create an XML parser");
  ParseState state;
  state.label = name;
  ctxt->_private = &state;
  ctxt->sax->serror = OnStructuredError;
  ctxt->sax->internalSubset = OnInternalSubset;
  ctxt->sax->externalSubset = nullptr;
  ctxt->sax->entityDecl = OnEntityDecl;

  // No XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR or
  // XML_PARSE_HUGE: entities stay unexpanded and libxml2's limits apply.
  const int options =
      XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS | XML_PARSE_IGNORE_ENC;
  const char* data = text.empty() ? "" : text.data();
  XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), data, static_cast<int>(text.size()), name.c_str(),
                                  "UTF-8", options));
  ctxt->_private = nullptr;

  if (state.doctype) {
    return XmlDetail(name + ":" + std::to_string(state.doctype_line) +
                     ": DOCTYPE declarations are not allowed (no DTDs or entity declarations)");
  }
  if (!doc) {
    if (style == XmlErrorStyle::kBrief) return BriefSyntaxError(name, ctxt.get());
    if (state.has_error && !state.error.empty()) return XmlDetail(state.error);
    return XmlError("failed to parse xml document '" + name + "'");
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) return InternalError("missing root element");
  return doc;
}

}  // namespace virtnat::xml
