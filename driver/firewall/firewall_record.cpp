#include "driver/firewall/firewall_record.h"

#include <charconv>
#include <sstream>
#include <vector>

namespace virtnat::driver {
namespace {

std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::optional<unsigned> Number(std::string_view s) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "192.168.122.0/24"
std::optional<PrefixKey> ParsePrefix(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::Parse(s.substr(0, slash));
  auto prefix = Number(s.substr(slash + 1));
  if (!address || !prefix || *prefix > FamilyBits(address->family())) return std::nullopt;
  return PrefixKey{*address, *prefix};
}

// "tcp" "8080-8090"
std::optional<ProtoPortsKey> ParsePorts(std::string_view proto, std::string_view ports) {
  size_t dash = ports.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = Number(ports.substr(0, dash));
  auto last = Number(ports.substr(dash + 1));
  if (!first || !last || *first > *last || *last > 65535) return std::nullopt;
  if (proto != "tcp" && proto != "udp") return std::nullopt;
  return ProtoPortsKey{proto == "udp" ? kProtoUdp : kProtoTcp, {*first, *last}};
}

std::optional<NftElement> ParseElement(const std::vector<std::string>& w) {
  // element MAP KIND KEY... jump CHAIN
  if (w.size() < 6 || w[w.size() - 2] != "jump") return std::nullopt;
  NftElement e;
  e.map = w[1];
  e.verdict = VerdictStmt{VerdictKind::kJump, w.back()};
  if (w[2] == "ifname" && w.size() == 6) {
    e.key = IfNameKey{w[3]};
  } else if (w[2] == "prefix" && w.size() == 6) {
    auto key = ParsePrefix(w[3]);
    if (!key) return std::nullopt;
    e.key = *key;
  } else if (w[2] == "ports" && w.size() == 7) {
    auto key = ParsePorts(w[3], w[4]);
    if (!key) return std::nullopt;
    e.key = *key;
  } else {
    return std::nullopt;
  }
  return e;
}

}  // namespace

std::string FormatFirewallRecord(const NftNetworkRules& rules) {
  std::string out;
  for (const NftChain& c : rules.chains) out += "chain " + c.name + "\n";
  for (const NftElement& e : rules.elements) {
    out += "element " + e.map + " ";
    if (const auto* k = std::get_if<IfNameKey>(&e.key)) {
      out += "ifname " + k->name;
    } else if (const auto* k = std::get_if<PrefixKey>(&e.key)) {
      out += "prefix " + k->network.ToString() + "/" + std::to_string(k->prefix);
    } else {
      const auto& p = std::get<ProtoPortsKey>(e.key);
      out += std::string("ports ") + ProtoName(p.proto) + " " + std::to_string(p.ports.first) +
             "-" + std::to_string(p.ports.last);
    }
    out += " jump " + e.verdict.chain + "\n";
  }
  return out;
}

Result<NftNetworkRules> ParseFirewallRecord(std::string_view text) {
  NftNetworkRules rules;
  size_t number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    std::vector<std::string> w = Words(line);
    if (w.empty()) continue;
    if (w[0] == "chain" && w.size() == 2) {
      rules.chains.push_back(NftChain{w[1], ChainHook::kNone, false, 0, {}});
      continue;
    }
    if (w[0] == "element") {
      if (auto e = ParseElement(w)) {
        rules.elements.push_back(std::move(*e));
        continue;
      }
    }
    return InternalError("invalid firewall record, line " + std::to_string(number) + ": '" +
                         std::string(line) + "'");
  }
  return rules;
}

}  // namespace virtnat::driver
