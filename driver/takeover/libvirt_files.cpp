#include "driver/takeover/libvirt_files.h"

#include <cctype>
#include <charconv>
#include <map>

namespace virtnat::driver {
namespace {

// The span of the <network> element: from "<network>" or "<network " to
// the last "</network>" (a nested element is never named <network>).
bool FindNetwork(std::string_view text, size_t* begin, size_t* end) {
  size_t b = 0;
  while ((b = text.find("<network", b)) != std::string_view::npos) {
    char next = b + 8 < text.size() ? text[b + 8] : '\0';
    if (next == '>' || next == ' ' || next == '\n' || next == '\t' || next == '/') break;
    b += 8;
  }
  size_t e = text.rfind("</network>");
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return false;
  *begin = b;
  *end = e + 10;
  return true;
}

// A minimal reader for libvirt's lease file: an array of flat objects whose
// values are strings or numbers.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  bool ReadArray(std::vector<std::map<std::string, std::string>>* out) {
    if (!Expect('[')) return false;
    if (Peek() == ']') return Expect(']') && AtEnd();
    do {
      std::map<std::string, std::string> object;
      if (!ReadObject(&object)) return false;
      out->push_back(std::move(object));
    } while (Accept(','));
    return Expect(']') && AtEnd();
  }

 private:
  char Peek() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool Accept(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool Expect(char c) { return Accept(c); }
  bool AtEnd() { return Peek() == '\0' && pos_ == text_.size(); }

  bool ReadString(std::string* out) {
    if (!Expect('"')) return false;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) return false;
        char e = text_[pos_++];
        if (e == 'u') {
          unsigned code = 0;
          if (pos_ + 4 > text_.size()) return false;
          auto [p, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (ec != std::errc() || p != text_.data() + pos_ + 4 || code > 0x7f) return false;
          pos_ += 4;
          c = static_cast<char>(code);
        } else if (e == 'n') {
          c = '\n';
        } else if (e == 't') {
          c = '\t';
        } else if (e == '"' || e == '\\' || e == '/') {
          c = e;
        } else {
          return false;
        }
      }
      out->push_back(c);
    }
    return Expect('"');
  }

  bool ReadValue(std::string* out) {
    if (Peek() == '"') return ReadString(out);
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '-' || text_[pos_] == '.')) {
      ++pos_;
    }
    *out = std::string(text_.substr(start, pos_ - start));
    return !out->empty();
  }

  bool ReadObject(std::map<std::string, std::string>* out) {
    if (!Expect('{')) return false;
    if (Accept('}')) return true;
    do {
      std::string key, value;
      if (!ReadString(&key) || !Expect(':') || !ReadValue(&value)) return false;
      (*out)[key] = value;
    } while (Accept(','));
    return Expect('}');
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string OrStar(const std::string& s) { return s.empty() ? "*" : s; }

}  // namespace

Result<std::string> NetworkFromLibvirtStatus(std::string_view status, const std::string& path) {
  size_t b = 0, e = 0;
  if (!FindNetwork(status, &b, &e)) {
    return MakeError(VIR_ERR_XML_ERROR, VIR_FROM_NETWORK,
                     "libvirt's status file '" + path + "' holds no <network> element");
  }
  return std::string(status.substr(b, e - b)) + "\n";
}

std::string LibvirtStatusDocument(std::string_view previous, std::string_view network_xml) {
  std::string network(network_xml);
  while (!network.empty() && network.back() == '\n') network.pop_back();
  size_t b = 0, e = 0;
  if (previous.find("<networkstatus") != std::string_view::npos && FindNetwork(previous, &b, &e)) {
    return std::string(previous.substr(0, b)) + network + std::string(previous.substr(e));
  }
  return "<networkstatus>\n  <class_id bitmap='0-2'/>\n  <floor sum='0'/>\n" + network +
         "\n</networkstatus>\n";
}

Result<std::vector<LibvirtLease>> ParseLibvirtLeases(std::string_view json,
                                                     const std::string& path) {
  std::vector<std::map<std::string, std::string>> objects;
  if (!JsonReader(json).ReadArray(&objects)) {
    return MakeError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NETWORK,
                     "libvirt's lease file '" + path + "' is not a JSON array of leases");
  }
  std::vector<LibvirtLease> leases;
  for (auto& o : objects) {
    LibvirtLease lease{o["ip-address"],
                       o["mac-address"],
                       o["hostname"],
                       o["client-id"],
                       o["iaid"],
                       o["server-duid"],
                       0};
    const std::string& expiry = o["expiry-time"];
    auto [p, ec] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), lease.expiry);
    if (lease.ip.empty() || ec != std::errc() || p != expiry.data() + expiry.size()) {
      return MakeError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NETWORK,
                       "libvirt's lease file '" + path + "' has an entry without " +
                           (lease.ip.empty() ? "ip-address" : "a numeric expiry-time"));
    }
    leases.push_back(std::move(lease));
  }
  return leases;
}

std::string FormatLibvirtLeases(const std::vector<DnsmasqLease>& leases) {
  if (leases.empty()) return "[\n\n]\n";
  std::string out = "[";
  for (size_t i = 0; i < leases.size(); ++i) {
    const DnsmasqLease& l = leases[i];
    std::vector<std::pair<std::string, std::string>> fields;
    if (!l.iaid.empty()) fields.emplace_back("iaid", Quoted(l.iaid));
    fields.emplace_back("ip-address", Quoted(l.ip.ToString()));
    if (!l.mac.empty()) fields.emplace_back("mac-address", Quoted(l.mac));
    if (!l.hostname.empty()) fields.emplace_back("hostname", Quoted(l.hostname));
    if (!l.client_id.empty()) fields.emplace_back("client-id", Quoted(l.client_id));
    fields.emplace_back("expiry-time", std::to_string(l.expiry));
    if (!l.server_duid.empty()) fields.emplace_back("server-duid", Quoted(l.server_duid));
    out += i == 0 ? "\n  {\n" : ",\n  {\n";
    for (size_t f = 0; f < fields.size(); ++f) {
      out += "    " + Quoted(fields[f].first) + ": " + fields[f].second;
      out += f + 1 < fields.size() ? ",\n" : "\n";
    }
    out += "  }";
  }
  return out + "\n]\n";
}

std::string FormatDnsmasqLeases(const std::vector<LibvirtLease>& leases) {
  std::string v4, v6, duid;
  for (const LibvirtLease& l : leases) {
    const std::string expiry = std::to_string(l.expiry);
    if (l.ip.find(':') == std::string::npos) {
      v4 += expiry + " " + l.mac + " " + l.ip + " " + OrStar(l.hostname) + " " +
            OrStar(l.client_id) + "\n";
    } else {
      if (duid.empty()) duid = l.server_duid;
      v6 += expiry + " " + OrStar(l.iaid) + " " + l.ip + " " + OrStar(l.hostname) + " " +
            OrStar(l.client_id) + "\n";
    }
  }
  // dnsmasq wants the server's DUID before the IPv6 leases.
  if (!v6.empty()) v4 += "duid " + OrStar(duid) + "\n" + v6;
  return v4;
}

IptablesRemoval LibvirtIptablesRemoval(std::string_view save) {
  IptablesRemoval out;
  std::string table, deletes, flushes, removes;
  size_t pos = 0;
  while (pos < save.size()) {
    size_t end = save.find('\n', pos);
    if (end == std::string_view::npos) end = save.size();
    std::string line(save.substr(pos, end - pos));
    pos = end + 1;
    if (line.starts_with("*")) {
      table = line.substr(1);
      deletes = flushes = removes = "";
    } else if (line.starts_with(":LIBVIRT_")) {
      std::string chain = line.substr(1, line.find(' ') - 1);
      out.chains.push_back(table + "/" + chain);
      flushes += "-F " + chain + "\n";
      removes += "-X " + chain + "\n";
    } else if (line.starts_with("-A ") && !line.starts_with("-A LIBVIRT_") &&
               line.find(" -j LIBVIRT_") != std::string::npos) {
      deletes += "-D " + line.substr(3) + "\n";
    } else if (line == "COMMIT" && !(deletes + flushes).empty()) {
      out.restore += "*" + table + "\n" + deletes + flushes + removes + "COMMIT\n";
    }
  }
  return out;
}

std::vector<std::string> LibvirtNftTables(std::string_view list_tables) {
  std::vector<std::string> tables;
  for (const char* family : {"ip", "ip6"}) {
    std::string line = std::string("table ") + family + " libvirt_network";
    size_t at = list_tables.find(line);
    size_t after = at == std::string_view::npos ? at : at + line.size();
    if (at != std::string_view::npos && (at == 0 || list_tables[at - 1] == '\n') &&
        (after == list_tables.size() || list_tables[after] == '\n')) {
      tables.push_back(std::string(family) + " libvirt_network");
    }
  }
  return tables;
}

}  // namespace virtnat::driver
