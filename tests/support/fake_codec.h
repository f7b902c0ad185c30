#pragma once
// A DefinitionCodec for tests of the object and RPC layers that must not
// depend on the real XML layer: it understands <name>, <uuid>,
// <bridge name='..'/> and <forward mode='..'/>, prints them back in a fixed
// form, and records updates in <description>.

#include <optional>
#include <string>

#include "driver/objects/definition_codec.h"

namespace virtnat::testing {

class FakeCodec : public driver::DefinitionCodec {
 public:
  Result<xml::NetworkDef> Parse(std::string_view text, bool validate_schema) override {
    std::string s(text);
    if (s.rfind("<network", 0) != 0) {
      return MakeError(VIR_ERR_XML_DETAIL, VIR_FROM_NETWORK,
                       "(network_definition):1: Start tag expected, '<' not found");
    }
    if (validate_schema && s.find("<bogus") != std::string::npos) {
      return MakeError(VIR_ERR_XML_INVALID_SCHEMA, VIR_FROM_XML, "bogus element");
    }
    xml::NetworkDef def;
    auto name = Between(s, "<name>", "</name>");
    if (!name || name->empty()) {
      return Error{VIR_ERR_NO_NAME, VIR_FROM_NETWORK, "missing name information"};
    }
    def.name = *name;
    if (auto text = Between(s, "<uuid>", "</uuid>")) {
      auto uuid = xml::ParseUuid(*text);
      if (!uuid) return InternalError("malformed uuid element");
      def.uuid = *uuid;
      def.uuid_given = true;
    }
    if (auto bridge = Between(s, "<bridge name='", "'")) def.bridge.name = *bridge;
    if (auto mode = Between(s, "<forward mode='", "'")) {
      def.forward.mode = xml::ParseForwardMode(*mode).value_or(xml::ForwardMode::kNone);
      if (def.forward.mode == xml::ForwardMode::kNat) {
        xml::IpDef ip;
        ip.address = *IpAddress::Parse("192.168.100.1");
        def.ips.push_back(ip);
      }
    }
    return def;
  }

  Status ApplyDefaults(xml::NetworkDef& def, const xml::DefaultsContext& ctx) override {
    if (!def.uuid_given) {
      def.uuid = xml::Uuid{};
      def.uuid[0] = 0xfa;
      def.uuid[15] = static_cast<uint8_t>(++generated_);
      def.uuid_given = true;
    }
    if (def.bridge.name.empty()) {
      for (int n = 0; n < 256; ++n) {
        std::string name = "virbr" + std::to_string(n);
        if (!ctx.bridge_taken(name)) {
          def.bridge.name = name;
          break;
        }
      }
    }
    return Status::Ok();
  }

  std::string Format(const xml::NetworkDef& def, unsigned flags) override {
    std::string out = "<network";
    if (def.connections && !(flags & 1))
      out += " connections='" + std::to_string(def.connections) + "'";
    out += ">\n  <name>" + def.name + "</name>\n  <uuid>" + xml::FormatUuid(def.uuid) + "</uuid>\n";
    if (!def.description.empty()) out += "  <description>" + def.description + "</description>\n";
    if (def.forward.mode != xml::ForwardMode::kNone) {
      out += "  <forward mode='" + std::string(xml::ForwardModeName(def.forward.mode)) + "'";
      out += def.forward.nat_port ? "><nat/></forward>\n" : "/>\n";
    }
    out += "  <bridge name='" + def.bridge.name + "'/>\n</network>\n";
    return out;
  }

  Status Update(xml::NetworkDef& def, unsigned command, unsigned section, int,
                std::string_view fragment) override {
    if (command == 0 || command > 4) return OperationUnsupported("bad command");
    if (section != 4) return OperationUnsupported("can't update that section");
    def.description += std::string(fragment);
    return Status::Ok();
  }

 private:
  // The text between the first `open` and the next `close`.
  static std::optional<std::string> Between(const std::string& s, const std::string& open,
                                            const std::string& close) {
    size_t a = s.find(open);
    if (a == std::string::npos) return std::nullopt;
    a += open.size();
    size_t b = s.find(close, a);
    if (b == std::string::npos) return std::nullopt;
    return s.substr(a, b - a);
  }

  int generated_ = 0;
};

}  // namespace virtnat::testing
