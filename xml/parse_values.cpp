#include "xml/parse_values.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "xml/xml_node.h"

namespace virtnat::xml {

std::optional<unsigned long long> StrToULL(std::string_view text, int base, bool allow_minus) {
  std::string copy(text);
  if (copy.find('\0') != std::string::npos) return std::nullopt;
  if (!allow_minus && copy.find('-') != std::string::npos) return std::nullopt;
  const char* start = copy.c_str();
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(start, &end, base);
  if (errno != 0 || end == start || *end != '\0') return std::nullopt;
  return value;
}

std::optional<unsigned> StrToUInt(std::string_view text, int base) {
  auto value = StrToULL(text, base, true);
  if (!value) return std::nullopt;
  if (text.find('-') != std::string_view::npos) {
    // strtoul gave 2^64 - N; libvirt maps "-N" to 2^32 - N when N fits.
    unsigned long long magnitude = 0ULL - *value;
    if (magnitude > UINT_MAX) return std::nullopt;
    return static_cast<unsigned>(*value & 0xffffffffULL);
  }
  if (*value > UINT_MAX) return std::nullopt;
  return static_cast<unsigned>(*value);
}

std::optional<unsigned> StrToUIntP(std::string_view text, int base) {
  auto value = StrToULL(text, base, false);
  if (!value || *value > UINT_MAX) return std::nullopt;
  return static_cast<unsigned>(*value);
}

namespace {

XPathNumber XPathNumberOf(const xmlNode* node, const char* attr, unsigned long long max) {
  XPathNumber out;
  auto text = XPathProp(node, attr);
  if (!text) return out;
  auto value = StrToULL(*text, 10, true);
  if (!value || *value > max) {
    out.state = NumberState::kInvalid;
    return out;
  }
  out.state = NumberState::kOk;
  out.value = static_cast<unsigned long>(*value);
  return out;
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

XPathNumber XPathUInt(const xmlNode* node, const char* attr) {
  return XPathNumberOf(node, attr, UINT_MAX);
}

XPathNumber XPathULong(const xmlNode* node, const char* attr) {
  return XPathNumberOf(node, attr, ULONG_MAX);
}

Result<std::optional<unsigned>> PropUInt(const xmlNode* node, const char* attr, bool nonzero,
                                         int base) {
  auto text = Prop(node, attr);
  if (!text) return std::optional<unsigned>();
  auto value = StrToUIntP(*text, base);
  if (!value) {
    return XmlError("Invalid value for attribute " + Quoted(attr) + " in element " +
                        Quoted(NodeName(node)) + ": " + Quoted(*text) +
                        ". Expected non-negative integer value",
                    VIR_FROM_XML);
  }
  if (nonzero && *value == 0) {
    return XmlError("Invalid value for attribute " + Quoted(attr) + " in element " +
                        Quoted(NodeName(node)) + ": Zero is not permitted",
                    VIR_FROM_XML);
  }
  return std::optional<unsigned>(*value);
}

Result<std::optional<unsigned long long>> PropULongLong(const xmlNode* node, const char* attr,
                                                        int base) {
  auto text = Prop(node, attr);
  if (!text) return std::optional<unsigned long long>();
  auto value = StrToULL(*text, base, false);
  if (!value) {
    return XmlError("Invalid value for attribute " + Quoted(attr) + " in element " +
                        Quoted(NodeName(node)) + ": " + Quoted(*text) +
                        ". Expected non-negative integer value",
                    VIR_FROM_XML);
  }
  return std::optional<unsigned long long>(*value);
}

Error InvalidAttrValue(const xmlNode* node, const char* attr, std::string_view value) {
  return XmlError("Invalid value for attribute " + Quoted(attr) + " in element " +
                      Quoted(NodeName(node)) + ": " + Quoted(value) + ".",
                  VIR_FROM_XML);
}

Result<TriState> PropTriState(const xmlNode* node, const char* attr) {
  auto text = Prop(node, attr);
  if (!text) return TriState::kAbsent;
  auto value = ParseYesNo(*text);
  if (!value) return InvalidAttrValue(node, attr, *text);
  return *value;
}

std::string EscapeControl(std::string_view value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

namespace {

Status RejectChar(unsigned char c, std::string_view value, std::string_view what,
                  std::string_view network) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string code = "0x";
  code += kDigits[c >> 4];
  code += kDigits[c & 0xf];
  return XmlError("invalid character " + code + " in " + std::string(what) + " '" +
                  EscapeControl(value) + "' of network '" + std::string(network) +
                  "': it would corrupt the dnsmasq configuration");
}

}  // namespace

Status CheckDnsmasqSafe(std::string_view value, std::string_view what, std::string_view network) {
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return RejectChar(c, value, what, network);
  }
  return Status::Ok();
}

Status CheckHostnameSafe(std::string_view value, std::string_view what, std::string_view network) {
  RETURN_IF_ERROR(CheckDnsmasqSafe(value, what, network));
  for (char ch : value) {
    if (ch == ',' || ch == ' ' || ch == '#') {
      return RejectChar(static_cast<unsigned char>(ch), value, what, network);
    }
  }
  return Status::Ok();
}

}  // namespace virtnat::xml
