#pragma once
// Internal to the formatter: an indenting line writer and attribute helpers,
// shared by the files that print parts of a <network>.

#include <string>
#include <string_view>

#include "xml/network_def.h"
#include "xml/xml_escape.h"

namespace virtnat::xml {

class FormatWriter {
 public:
  void Line(std::string_view text) {
    out_.append(indent_, ' ');
    out_ += text;
    out_ += '\n';
  }
  // Appends text that already carries its own indentation and newlines.
  void Raw(std::string_view text) { out_ += text; }
  void Indent() { indent_ += 2; }
  void Outdent() { indent_ -= 2; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  int indent_ = 0;
};

// " name='value'" with the value escaped; empty when value is empty.
inline std::string Attr(std::string_view name, std::string_view value) {
  if (value.empty()) return "";
  return " " + std::string(name) + "='" + EscapeXml(value) + "'";
}
inline std::string NumAttr(std::string_view name, unsigned long long value) {
  return " " + std::string(name) + "='" + std::to_string(value) + "'";
}
inline std::string TriAttr(std::string_view name, TriState value) {
  return Attr(name, TriStateName(value));
}

// Parts printed by format_ports.cpp.
void FormatVlan(FormatWriter& w, const Vlan& vlan);
void FormatBandwidth(FormatWriter& w, const Bandwidth& bandwidth);
void FormatVirtualPort(FormatWriter& w, const VirtualPort& port);
void FormatPortGroup(FormatWriter& w, const PortGroup& group);
void FormatPortForward(FormatWriter& w, const PortForward& forward);

}  // namespace virtnat::xml
