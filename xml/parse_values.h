#pragma once
// Value parsing with libvirt's exact acceptance rules and messages: the
// virStrToLong_* family, virXMLProp* helpers and virXPath* number lookups,
// plus the dnsmasq-safety check on strings that end up in its files.

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "xml/network_def.h"

namespace virtnat::xml {

// strtoul-style parsing of the whole text: leading blanks, an optional sign,
// base 0 (0x/0 prefixes), 10 or 16. `allow_minus` follows strtoul, which
// negates modulo 2^64 ("-1" is the largest value); the "p" variants of
// virStrToLong_* refuse a minus sign.
std::optional<unsigned long long> StrToULL(std::string_view text, int base, bool allow_minus);
// virStrToLong_ui: "-N" wraps to 2^32 - N; values above UINT_MAX fail.
std::optional<unsigned> StrToUInt(std::string_view text, int base);
// virStrToLong_uip: no minus sign, at most UINT_MAX.
std::optional<unsigned> StrToUIntP(std::string_view text, int base);

// virXPathUInt / virXPathULong on "string(./@attr)".
enum class NumberState { kAbsent, kInvalid, kOk };
struct XPathNumber {
  NumberState state = NumberState::kAbsent;
  unsigned long value = 0;
};
XPathNumber XPathUInt(const xmlNode* node, const char* attr);
XPathNumber XPathULong(const xmlNode* node, const char* attr);

// virXMLPropUInt (base 10 unless given): nullopt when absent. Errors are
// XML_ERROR in the XML domain: "Invalid value for attribute 'A' in element
// 'E': 'V'. Expected non-negative integer value" or "...: Zero is not
// permitted" when `nonzero`.
Result<std::optional<unsigned>> PropUInt(const xmlNode* node, const char* attr, bool nonzero,
                                         int base = 10);
Result<std::optional<unsigned long long>> PropULongLong(const xmlNode* node, const char* attr,
                                                        int base);
// virXMLPropTristateBool: "yes"/"no"; anything else (also "" and "default")
// is "Invalid value for attribute 'A' in element 'E': 'V'." (XML domain).
Result<TriState> PropTriState(const xmlNode* node, const char* attr);
// The error virXMLPropEnum* raises for an unknown value.
Error InvalidAttrValue(const xmlNode* node, const char* attr, std::string_view value);

// Parse-time dnsmasq safety (a virtnat rule, not libvirt's): strings that
// virtnat writes into dnsmasq's configuration, hosts or hostsfile must not
// contain control characters (a newline would start a new directive). For
// `what` = "DNS host name" the message reads "XML error: invalid character
// 0x0a in DNS host name 'a\nb' of network 'x'" with the control character
// shown escaped.
Status CheckDnsmasqSafe(std::string_view value, std::string_view what, std::string_view network);
// Host names additionally go into comma- and blank-separated files.
Status CheckHostnameSafe(std::string_view value, std::string_view what, std::string_view network);
// `value` with control characters written as \n, \r, \t or \xNN.
std::string EscapeControl(std::string_view value);

}  // namespace virtnat::xml
