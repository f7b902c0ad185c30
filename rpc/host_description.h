#pragma once
// What a management client learns about the host on open (capabilities XML,
// node info, sysinfo), computed from the text of /proc and /sys files. Pure:
// every function takes the file contents through `HostFiles` and does no I/O,
// so tests feed fixed inputs; rpc/host_source.h reads the real host.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace virtnat::rpc {

// The files a description is made from, by absolute path ("/proc/meminfo").
struct HostFiles {
  // The contents, or nullopt when the file does not exist or cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read;
  // The names in a directory (no "." or ".."); empty when there is none.
  std::function<std::vector<std::string>(const std::string& dir)> list;
};

struct HostCpu {
  int id = 0;
  int socket_id = 0;
  int die_id = 0;
  int core_id = 0;
  std::string siblings;  // thread siblings as sysfs lists them: "0,4" or "0-1"
};

struct HostCell {
  int id = 0;
  uint64_t memory_kib = 0;
  std::vector<std::pair<int, int>> distances;  // (node id, distance)
  std::vector<HostCpu> cpus;
};

struct HostDescription {
  std::string uuid;    // empty when the host has none to report
  std::string arch;    // uname's machine: "x86_64"
  std::string vendor;  // libvirt's CPU map name ("Intel", "AMD"); may be empty
  std::optional<int> family, model, stepping;  // x86 signature
  std::optional<uint64_t> microcode;
  uint32_t mhz = 0;
  uint64_t memory_kib = 0;          // MemTotal
  std::vector<uint64_t> pages_kib;  // base page size first, then huge pages
  bool iommu = false;               // /sys/kernel/iommu_groups has groups
  std::vector<HostCell> cells;      // NUMA nodes; one cell without NUMA
};

// virNodeInfo: counts per node, per socket and per core, libvirt's way.
struct NodeInfo {
  std::string model;  // the architecture name
  uint64_t memory_kib = 0;
  uint32_t cpus = 0;
  uint32_t mhz = 0;
  uint32_t nodes = 1;
  uint32_t sockets = 1;
  uint32_t cores = 1;
  uint32_t threads = 1;
};

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; nullopt on malformed text.
std::optional<std::vector<int>> ParseCpuList(std::string_view text);

// MemTotal of /proc/meminfo (or of a node's meminfo: "Node 0 MemTotal:") in KiB.
std::optional<uint64_t> ParseMemTotalKib(std::string_view meminfo);

// The host UUID as libvirt finds it: the DMI product UUID unless it is
// missing or a placeholder (all one digit), else /etc/machine-id as a UUID.
std::string HostUuid(std::string_view dmi_product_uuid, std::string_view machine_id);

// Reads /proc/cpuinfo, /proc/meminfo, /sys/devices/system/{cpu,node}, the
// huge page sizes, the IOMMU groups and the UUID sources through `files`.
// `arch` is uname's machine, `page_kib` the base page size.
HostDescription DescribeHost(const HostFiles& files, std::string arch, uint64_t page_kib);

NodeInfo NodeInfoOf(const HostDescription& host);

// The capabilities XML of a host without hypervisors: a host section and no
// guests, laid out as libvirt lays it out.
std::string FormatCapabilities(const HostDescription& host);

// The SMBIOS sysinfo XML from /sys/class/dmi/id entries; nullopt when the
// host has no DMI table (libvirt then fails the call too).
std::optional<std::string> FormatSysinfo(const HostFiles& files);

}  // namespace virtnat::rpc
