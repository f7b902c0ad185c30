#include "rpc/host_description.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "xml/xml_escape.h"

namespace virtnat::rpc {
namespace {

constexpr char kCpuDir[] = "/sys/devices/system/cpu";
constexpr char kNodeDir[] = "/sys/devices/system/node";
constexpr char kDmiDir[] = "/sys/class/dmi/id/";

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

template <typename T>
std::optional<T> Number(std::string_view s, int base = 10) {
  s = Trim(s);
  if (base == 16 && s.starts_with("0x")) s.remove_prefix(2);
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<int> ReadInt(const HostFiles& files, const std::string& path) {
  std::optional<std::string> text = files.read(path);
  return text ? Number<int>(*text) : std::nullopt;
}

// The value of the first "key : value" line of /proc/cpuinfo with this key.
std::optional<std::string_view> CpuinfoField(std::string_view cpuinfo, std::string_view key) {
  size_t pos = 0;
  while (pos < cpuinfo.size()) {
    size_t end = cpuinfo.find('\n', pos);
    if (end == std::string_view::npos) end = cpuinfo.size();
    std::string_view line = cpuinfo.substr(pos, end - pos);
    pos = end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (Trim(line.substr(0, colon)) == key) return Trim(line.substr(colon + 1));
  }
  return std::nullopt;
}

// libvirt's CPU map (cpu_map/x86_vendors.xml) names the vendors by these.
std::string VendorName(std::string_view vendor_id) {
  if (vendor_id == "GenuineIntel") return "Intel";
  if (vendor_id == "AuthenticAMD") return "AMD";
  if (vendor_id == "HygonGenuine") return "Hygon";
  return {};
}

// As virBitmapFormat writes a set: runs of two or more as "a-b".
std::string FormatCpuList(const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += '-' + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

std::vector<HostCpu> ReadCpus(const HostFiles& files, const std::vector<int>& ids) {
  std::vector<HostCpu> cpus;
  for (int id : ids) {
    std::string dir = std::string(kCpuDir) + "/cpu" + std::to_string(id) + "/topology/";
    HostCpu cpu;
    cpu.id = id;
    cpu.socket_id = ReadInt(files, dir + "physical_package_id").value_or(0);
    cpu.die_id = ReadInt(files, dir + "die_id").value_or(0);
    cpu.core_id = ReadInt(files, dir + "core_id").value_or(id);
    std::optional<std::string> siblings = files.read(dir + "thread_siblings_list");
    std::optional<std::vector<int>> parsed =
        siblings ? ParseCpuList(*siblings) : std::optional<std::vector<int>>();
    cpu.siblings = parsed ? FormatCpuList(*parsed) : std::to_string(id);
    cpus.push_back(std::move(cpu));
  }
  return cpus;
}

std::vector<int> OnlineCpus(const HostFiles& files) {
  std::optional<std::string> online = files.read(std::string(kCpuDir) + "/online");
  std::optional<std::vector<int>> ids = online ? ParseCpuList(*online) : std::nullopt;
  return ids.value_or(std::vector<int>{0});
}

std::vector<HostCell> ReadCells(const HostFiles& files, uint64_t memory_kib) {
  std::vector<int> online_cpus = OnlineCpus(files);
  std::set<int> online(online_cpus.begin(), online_cpus.end());
  std::optional<std::string> nodes_text = files.read(std::string(kNodeDir) + "/online");
  std::optional<std::vector<int>> nodes =
      nodes_text ? ParseCpuList(*nodes_text) : std::optional<std::vector<int>>();
  std::vector<HostCell> cells;
  if (!nodes || nodes->empty()) {
    // No NUMA in this kernel: one cell holds everything (as libvirt's fake
    // NUMA cell does).
    cells.push_back(HostCell{0, memory_kib, {}, ReadCpus(files, online_cpus)});
    return cells;
  }
  for (int node : *nodes) {
    std::string dir = std::string(kNodeDir) + "/node" + std::to_string(node) + "/";
    HostCell cell;
    cell.id = node;
    if (std::optional<std::string> meminfo = files.read(dir + "meminfo")) {
      cell.memory_kib = ParseMemTotalKib(*meminfo).value_or(0);
    }
    // The distance file lists one value for each node of node/possible, in
    // order; online nodes are numbered among them.
    std::optional<std::string> possible_text = files.read(std::string(kNodeDir) + "/possible");
    std::optional<std::vector<int>> possible = possible_text ? ParseCpuList(*possible_text) : nodes;
    if (std::optional<std::string> distance = files.read(dir + "distance"); distance && possible) {
      std::istringstream in(*distance);
      for (int other : *possible) {
        int value = 0;
        if (!(in >> value)) break;
        if (std::find(nodes->begin(), nodes->end(), other) != nodes->end()) {
          cell.distances.emplace_back(other, value);
        }
      }
    }
    std::vector<int> ids;
    if (std::optional<std::string> cpulist = files.read(dir + "cpulist")) {
      for (int id : ParseCpuList(*cpulist).value_or(std::vector<int>{})) {
        if (online.contains(id)) ids.push_back(id);
      }
    }
    cell.cpus = ReadCpus(files, ids);
    cells.push_back(std::move(cell));
  }
  return cells;
}

}  // namespace

std::optional<std::vector<int>> ParseCpuList(std::string_view text) {
  text = Trim(text);
  std::vector<int> ids;
  if (text.empty()) return ids;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    size_t dash = part.find('-');
    std::optional<int> first = Number<int>(part.substr(0, dash));
    std::optional<int> last =
        dash == std::string_view::npos ? first : Number<int>(part.substr(dash + 1));
    if (!first || !last || *first < 0 || *last < *first || *last - *first > 65536) {
      return std::nullopt;
    }
    for (int i = *first; i <= *last; ++i) ids.push_back(i);
    pos = end + 1;
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::optional<uint64_t> ParseMemTotalKib(std::string_view meminfo) {
  size_t at = meminfo.find("MemTotal:");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = meminfo.substr(at + 9);
  rest = rest.substr(0, rest.find('\n'));
  rest = Trim(rest);
  if (!rest.ends_with("kB")) return std::nullopt;
  return Number<uint64_t>(rest.substr(0, rest.size() - 2));
}

std::string HostUuid(std::string_view dmi_product_uuid, std::string_view machine_id) {
  std::string dmi;
  for (char c : Trim(dmi_product_uuid)) dmi += static_cast<char>(std::tolower(c));
  std::string digits;
  for (char c : dmi) {
    if (c != '-') digits += c;
  }
  bool valid = digits.size() == 32 && dmi.size() == 36 &&
               digits.find_first_not_of("0123456789abcdef") == std::string::npos;
  // libvirt refuses a UUID whose 16 bytes are all equal (firmware
  // placeholders such as all-zero or all-FF).
  bool placeholder = valid;
  for (size_t i = 2; placeholder && i < digits.size(); i += 2) {
    placeholder = digits.compare(i, 2, digits, 0, 2) == 0;
  }
  if (valid && !placeholder) return dmi;
  std::string id(Trim(machine_id));
  if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return {};
  return id.substr(0, 8) + '-' + id.substr(8, 4) + '-' + id.substr(12, 4) + '-' + id.substr(16, 4) +
         '-' + id.substr(20);
}

HostDescription DescribeHost(const HostFiles& files, std::string arch, uint64_t page_kib) {
  HostDescription host;
  host.arch = std::move(arch);
  host.uuid = HostUuid(files.read("/sys/devices/virtual/dmi/id/product_uuid")
                           .value_or(files.read("/sys/class/dmi/id/product_uuid").value_or("")),
                       files.read("/etc/machine-id").value_or(""));
  std::string cpuinfo = files.read("/proc/cpuinfo").value_or("");
  if (auto vendor = CpuinfoField(cpuinfo, "vendor_id")) host.vendor = VendorName(*vendor);
  if (auto family = CpuinfoField(cpuinfo, "cpu family")) host.family = Number<int>(*family);
  if (auto model = CpuinfoField(cpuinfo, "model")) host.model = Number<int>(*model);
  if (auto stepping = CpuinfoField(cpuinfo, "stepping")) host.stepping = Number<int>(*stepping);
  if (auto microcode = CpuinfoField(cpuinfo, "microcode")) {
    host.microcode = Number<uint64_t>(*microcode, 16);
  }
  // libvirt's frequency sources: "cpu MHz" on x86, "clock" on POWER,
  // "CPU MHz" / "cpu MHz dynamic" on s390; the integer part.
  for (const char* key : {"cpu MHz", "clock", "cpu MHz dynamic", "CPU MHz"}) {
    if (auto mhz = CpuinfoField(cpuinfo, key)) {
      std::string_view v = *mhz;
      if (std::optional<uint32_t> n = Number<uint32_t>(v.substr(0, v.find_first_of(".M")))) {
        host.mhz = *n;
        break;
      }
    }
  }
  host.memory_kib = ParseMemTotalKib(files.read("/proc/meminfo").value_or("")).value_or(0);
  host.pages_kib.push_back(page_kib);
  std::vector<uint64_t> huge;
  for (const std::string& name : files.list("/sys/kernel/mm/hugepages")) {
    // hugepages-2048kB
    if (name.starts_with("hugepages-") && name.ends_with("kB")) {
      if (auto kib = Number<uint64_t>(std::string_view(name).substr(10, name.size() - 12))) {
        huge.push_back(*kib);
      }
    }
  }
  std::sort(huge.begin(), huge.end());
  host.pages_kib.insert(host.pages_kib.end(), huge.begin(), huge.end());
  host.iommu = !files.list("/sys/kernel/iommu_groups").empty();
  host.cells = ReadCells(files, host.memory_kib);
  return host;
}

NodeInfo NodeInfoOf(const HostDescription& host) {
  NodeInfo info;
  info.model = host.arch.substr(0, 31);
  info.memory_kib = host.memory_kib;
  info.mhz = host.mhz;
  uint32_t cpus = 0, nodes = 0, sockets = 0, cores = 0, threads = 0;
  for (const HostCell& cell : host.cells) {
    if (cell.cpus.empty()) continue;  // a memory-only node
    ++nodes;
    cpus += static_cast<uint32_t>(cell.cpus.size());
    std::set<int> cell_sockets;
    std::map<int, std::set<std::pair<int, int>>> socket_cores;
    std::map<std::tuple<int, int, int>, uint32_t> core_threads;
    for (const HostCpu& cpu : cell.cpus) {
      cell_sockets.insert(cpu.socket_id);
      socket_cores[cpu.socket_id].insert({cpu.die_id, cpu.core_id});
      ++core_threads[{cpu.socket_id, cpu.die_id, cpu.core_id}];
    }
    sockets = std::max(sockets, static_cast<uint32_t>(cell_sockets.size()));
    for (const auto& [socket, set] : socket_cores) {
      cores = std::max(cores, static_cast<uint32_t>(set.size()));
    }
    for (const auto& [core, n] : core_threads) threads = std::max(threads, n);
  }
  info.cpus = cpus;
  info.nodes = std::max(nodes, 1u);
  info.sockets = std::max(sockets, 1u);
  info.cores = std::max(cores, 1u);
  info.threads = std::max(threads, 1u);
  // libvirt reports a topology that does not multiply out to the CPU count
  // as one node, one socket, one thread and every CPU a core.
  if (info.nodes * info.sockets * info.cores * info.threads != info.cpus) {
    info.nodes = info.sockets = info.threads = 1;
    info.cores = info.cpus;
  }
  return info;
}

std::string FormatCapabilities(const HostDescription& host) {
  NodeInfo info = NodeInfoOf(host);
  std::ostringstream out;
  out << "<capabilities>\n\n  <host>\n";
  if (!host.uuid.empty()) out << "    <uuid>" << host.uuid << "</uuid>\n";
  out << "    <cpu>\n";
  out << "      <arch>" << xml::EscapeXml(host.arch) << "</arch>\n";
  if (!host.vendor.empty()) out << "      <vendor>" << host.vendor << "</vendor>\n";
  if (host.microcode && *host.microcode != 0) {
    out << "      <microcode version='" << *host.microcode << "'/>\n";
  }
  if (host.family && host.model && host.stepping && *host.family != 0) {
    out << "      <signature family='" << *host.family << "' model='" << *host.model
        << "' stepping='" << *host.stepping << "'/>\n";
  }
  // Dies are not in virNodeInfo; a host whose sockets have several dies
  // shows them here only, cores counted per die.
  std::set<std::pair<int, int>> dies;
  std::set<int> all_sockets;
  for (const HostCell& cell : host.cells) {
    for (const HostCpu& cpu : cell.cpus) {
      dies.insert({cpu.socket_id, cpu.die_id});
      all_sockets.insert(cpu.socket_id);
    }
  }
  uint32_t dies_per_socket =
      all_sockets.empty() ? 1 : static_cast<uint32_t>(dies.size() / all_sockets.size());
  if (dies_per_socket == 0 || info.cores % dies_per_socket != 0) dies_per_socket = 1;
  out << "      <topology sockets='" << info.sockets * info.nodes << "' dies='" << dies_per_socket
      << "' cores='" << info.cores / dies_per_socket << "' threads='" << info.threads << "'/>\n";
  for (uint64_t kib : host.pages_kib) out << "      <pages unit='KiB' size='" << kib << "'/>\n";
  out << "    </cpu>\n";
  out << "    <iommu support='" << (host.iommu ? "yes" : "no") << "'/>\n";
  out << "    <topology>\n      <cells num='" << host.cells.size() << "'>\n";
  for (const HostCell& cell : host.cells) {
    out << "        <cell id='" << cell.id << "'>\n";
    if (cell.memory_kib != 0)
      out << "          <memory unit='KiB'>" << cell.memory_kib << "</memory>\n";
    if (!cell.distances.empty()) {
      out << "          <distances>\n";
      for (const auto& [id, value] : cell.distances) {
        out << "            <sibling id='" << id << "' value='" << value << "'/>\n";
      }
      out << "          </distances>\n";
    }
    if (cell.cpus.empty()) {
      out << "          <cpus num='0'/>\n";
    } else {
      out << "          <cpus num='" << cell.cpus.size() << "'>\n";
      for (const HostCpu& cpu : cell.cpus) {
        out << "            <cpu id='" << cpu.id << "' socket_id='" << cpu.socket_id << "' die_id='"
            << cpu.die_id << "' core_id='" << cpu.core_id << "' siblings='" << cpu.siblings
            << "'/>\n";
      }
      out << "          </cpus>\n";
    }
    out << "        </cell>\n";
  }
  out << "      </cells>\n    </topology>\n  </host>\n\n</capabilities>\n";
  return out.str();
}

std::optional<std::string> FormatSysinfo(const HostFiles& files) {
  struct Entry {
    const char* name;
    const char* file;
  };
  struct Section {
    const char* element;
    std::vector<Entry> entries;
  };
  // libvirt's sections and entry order; the values dmidecode would print
  // are the kernel's copies of the same SMBIOS strings.
  const Section sections[] = {
      {"bios",
       {{"vendor", "bios_vendor"},
        {"version", "bios_version"},
        {"date", "bios_date"},
        {"release", "bios_release"}}},
      {"system",
       {{"manufacturer", "sys_vendor"},
        {"product", "product_name"},
        {"version", "product_version"},
        {"serial", "product_serial"},
        {"uuid", "product_uuid"},
        {"sku", "product_sku"},
        {"family", "product_family"}}},
      {"baseBoard",
       {{"manufacturer", "board_vendor"},
        {"product", "board_name"},
        {"version", "board_version"},
        {"serial", "board_serial"},
        {"asset", "board_asset_tag"}}},
      {"chassis",
       {{"manufacturer", "chassis_vendor"},
        {"version", "chassis_version"},
        {"serial", "chassis_serial"},
        {"asset", "chassis_asset_tag"}}},
  };
  std::string body;
  for (const Section& section : sections) {
    std::string entries;
    for (const Entry& entry : section.entries) {
      std::optional<std::string> value = files.read(std::string(kDmiDir) + entry.file);
      if (!value) continue;
      std::string_view v = Trim(*value);
      if (v.empty()) continue;
      entries +=
          "    <entry name='" + std::string(entry.name) + "'>" + xml::EscapeXml(v) + "</entry>\n";
    }
    if (entries.empty()) continue;
    body +=
        "  <" + std::string(section.element) + ">\n" + entries + "  </" + section.element + ">\n";
  }
  if (body.empty()) return std::nullopt;
  return "<sysinfo type='smbios'>\n" + body + "</sysinfo>\n";
}

}  // namespace virtnat::rpc
