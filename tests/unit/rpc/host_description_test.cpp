#include "rpc/host_description.h"

#include <gtest/gtest.h>

#include <map>

namespace virtnat::rpc {
namespace {

// A host made of fixed file contents.
struct FakeHostFiles {
  std::map<std::string, std::string> files;
  std::map<std::string, std::vector<std::string>> dirs;

  HostFiles View() const {
    return {[this](const std::string& path) -> std::optional<std::string> {
              auto it = files.find(path);
              if (it == files.end()) return std::nullopt;
              return it->second;
            },
            [this](const std::string& dir) {
              auto it = dirs.find(dir);
              return it == dirs.end() ? std::vector<std::string>{} : it->second;
            }};
  }

  // cpu N with its topology files.
  void Cpu(int id, int socket, int core, const std::string& siblings, int die = 0) {
    std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(id) + "/topology/";
    files[dir + "physical_package_id"] = std::to_string(socket) + "\n";
    files[dir + "die_id"] = std::to_string(die) + "\n";
    files[dir + "core_id"] = std::to_string(core) + "\n";
    files[dir + "thread_siblings_list"] = siblings + "\n";
  }
};

constexpr char kCpuinfo[] =
    "processor\t: 0\n"
    "vendor_id\t: GenuineIntel\n"
    "cpu family\t: 6\n"
    "model\t\t: 85\n"
    "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
    "stepping\t: 7\n"
    "microcode\t: 0xffffffff\n"
    "cpu MHz\t\t: 2199.998\n"
    "\n"
    "processor\t: 1\n"
    "vendor_id\t: GenuineIntel\n"
    "cpu MHz\t\t: 2100.000\n";

constexpr char kMeminfo[] =
    "MemTotal:        8129600 kB\n"
    "MemFree:         1000000 kB\n";

// One node, one socket, two cores of two threads: cpus 0,2 and 1,3 siblings.
FakeHostFiles OneSocketHost() {
  FakeHostFiles h;
  h.files["/proc/cpuinfo"] = kCpuinfo;
  h.files["/proc/meminfo"] = kMeminfo;
  h.files["/sys/class/dmi/id/product_uuid"] = "4C4C4544-0042-3510-8052-B4C04F333832\n";
  h.files["/etc/machine-id"] = "0123456789abcdef0123456789abcdef\n";
  h.files["/sys/devices/system/cpu/online"] = "0-3\n";
  h.files["/sys/devices/system/node/online"] = "0\n";
  h.files["/sys/devices/system/node/possible"] = "0\n";
  h.files["/sys/devices/system/node/node0/cpulist"] = "0-3\n";
  h.files["/sys/devices/system/node/node0/distance"] = "10\n";
  h.files["/sys/devices/system/node/node0/meminfo"] =
      "Node 0 MemTotal:        8129600 kB\nNode 0 MemFree:  1 kB\n";
  h.Cpu(0, 0, 0, "0,2");
  h.Cpu(1, 0, 1, "1,3");
  h.Cpu(2, 0, 0, "0,2");
  h.Cpu(3, 0, 1, "1,3");
  h.dirs["/sys/kernel/mm/hugepages"] = {"hugepages-1048576kB", "hugepages-2048kB"};
  h.dirs["/sys/kernel/iommu_groups"] = {"0", "1"};
  return h;
}

TEST(HostDescriptionTest, ParsesCpuLists) {
  EXPECT_EQ(ParseCpuList("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(ParseCpuList("5"), (std::vector<int>{5}));
  EXPECT_EQ(ParseCpuList(""), std::vector<int>{});
  EXPECT_EQ(ParseCpuList("3-1"), std::nullopt);
  EXPECT_EQ(ParseCpuList("a"), std::nullopt);
  EXPECT_EQ(ParseCpuList("1,,2"), std::nullopt);
}

TEST(HostDescriptionTest, ParsesMemTotal) {
  EXPECT_EQ(ParseMemTotalKib(kMeminfo), 8129600u);
  EXPECT_EQ(ParseMemTotalKib("Node 1 MemTotal:       4096 kB\n"), 4096u);
  EXPECT_EQ(ParseMemTotalKib("MemFree: 1 kB\n"), std::nullopt);
}

TEST(HostDescriptionTest, UuidFromDmiElseMachineId) {
  EXPECT_EQ(HostUuid("4C4C4544-0042-3510-8052-B4C04F333832\n", "0123456789abcdef0123456789abcdef"),
            "4c4c4544-0042-3510-8052-b4c04f333832");
  // Placeholders firmware leaves (every byte the same) are not a host UUID.
  EXPECT_EQ(HostUuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "0123456789abcdef0123456789abcdef\n"),
            "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(HostUuid("03030303-0303-0303-0303-030303030303", "0123456789abcdef0123456789abcdef"),
            "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(HostUuid("", "0123456789abcdef0123456789abcdef"),
            "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(HostUuid("garbage", "short"), "");
}

TEST(HostDescriptionTest, DescribesTheHostFromItsFiles) {
  FakeHostFiles h = OneSocketHost();
  HostDescription host = DescribeHost(h.View(), "x86_64", 4);
  EXPECT_EQ(host.uuid, "4c4c4544-0042-3510-8052-b4c04f333832");
  EXPECT_EQ(host.arch, "x86_64");
  EXPECT_EQ(host.vendor, "Intel");
  EXPECT_EQ(host.family, 6);
  EXPECT_EQ(host.model, 85);
  EXPECT_EQ(host.stepping, 7);
  EXPECT_EQ(host.microcode, 0xffffffffu);
  EXPECT_EQ(host.mhz, 2199u);  // the first processor's, truncated
  EXPECT_EQ(host.memory_kib, 8129600u);
  EXPECT_EQ(host.pages_kib, (std::vector<uint64_t>{4, 2048, 1048576}));
  EXPECT_TRUE(host.iommu);
  ASSERT_EQ(host.cells.size(), 1u);
  EXPECT_EQ(host.cells[0].memory_kib, 8129600u);
  ASSERT_EQ(host.cells[0].cpus.size(), 4u);
  EXPECT_EQ(host.cells[0].cpus[2].siblings, "0,2");
}

TEST(HostDescriptionTest, NodeInfoCountsPerNodeSocketAndCore) {
  FakeHostFiles h = OneSocketHost();
  NodeInfo info = NodeInfoOf(DescribeHost(h.View(), "x86_64", 4));
  EXPECT_EQ(info.model, "x86_64");
  EXPECT_EQ(info.memory_kib, 8129600u);
  EXPECT_EQ(info.cpus, 4u);
  EXPECT_EQ(info.mhz, 2199u);
  EXPECT_EQ(info.nodes, 1u);
  EXPECT_EQ(info.sockets, 1u);
  EXPECT_EQ(info.cores, 2u);
  EXPECT_EQ(info.threads, 2u);
}

TEST(HostDescriptionTest, TwoNodesOfOneSocketEach) {
  FakeHostFiles h = OneSocketHost();
  h.files["/sys/devices/system/node/online"] = "0-1\n";
  h.files["/sys/devices/system/node/possible"] = "0-1\n";
  h.files["/sys/devices/system/node/node0/cpulist"] = "0-1\n";
  h.files["/sys/devices/system/node/node0/distance"] = "10 21\n";
  h.files["/sys/devices/system/node/node0/meminfo"] = "Node 0 MemTotal: 4000 kB\n";
  h.files["/sys/devices/system/node/node1/cpulist"] = "2-3\n";
  h.files["/sys/devices/system/node/node1/distance"] = "21 10\n";
  h.files["/sys/devices/system/node/node1/meminfo"] = "Node 1 MemTotal: 5000 kB\n";
  h.Cpu(0, 0, 0, "0");
  h.Cpu(1, 0, 1, "1");
  h.Cpu(2, 1, 0, "2");
  h.Cpu(3, 1, 1, "3");
  HostDescription host = DescribeHost(h.View(), "x86_64", 4);
  ASSERT_EQ(host.cells.size(), 2u);
  EXPECT_EQ(host.cells[1].memory_kib, 5000u);
  EXPECT_EQ(host.cells[1].distances, (std::vector<std::pair<int, int>>{{0, 21}, {1, 10}}));
  NodeInfo info = NodeInfoOf(host);
  EXPECT_EQ(info.nodes, 2u);
  EXPECT_EQ(info.sockets, 1u);
  EXPECT_EQ(info.cores, 2u);
  EXPECT_EQ(info.threads, 1u);
  EXPECT_EQ(info.cpus, 4u);
}

TEST(HostDescriptionTest, TopologyThatDoesNotMultiplyOutIsFlattened) {
  FakeHostFiles h = OneSocketHost();
  // Three CPUs online of two cores: 1 x 1 x 2 x 2 != 3.
  h.files["/sys/devices/system/cpu/online"] = "0-2\n";
  NodeInfo info = NodeInfoOf(DescribeHost(h.View(), "x86_64", 4));
  EXPECT_EQ(info.cpus, 3u);
  EXPECT_EQ(info.nodes, 1u);
  EXPECT_EQ(info.sockets, 1u);
  EXPECT_EQ(info.cores, 3u);
  EXPECT_EQ(info.threads, 1u);
}

TEST(HostDescriptionTest, WithoutNumaOneCellHoldsEveryCpu) {
  FakeHostFiles h = OneSocketHost();
  for (const char* f : {"online", "possible", "node0/cpulist", "node0/distance", "node0/meminfo"}) {
    h.files.erase(std::string("/sys/devices/system/node/") + f);
  }
  HostDescription host = DescribeHost(h.View(), "aarch64", 64);
  ASSERT_EQ(host.cells.size(), 1u);
  EXPECT_EQ(host.cells[0].memory_kib, 8129600u);
  EXPECT_EQ(host.cells[0].cpus.size(), 4u);
  EXPECT_EQ(host.pages_kib.front(), 64u);
}

TEST(HostDescriptionTest, CapabilitiesXml) {
  FakeHostFiles h = OneSocketHost();
  EXPECT_EQ(FormatCapabilities(DescribeHost(h.View(), "x86_64", 4)),
            "<capabilities>\n"
            "\n"
            "  <host>\n"
            "    <uuid>4c4c4544-0042-3510-8052-b4c04f333832</uuid>\n"
            "    <cpu>\n"
            "      <arch>x86_64</arch>\n"
            "      <vendor>Intel</vendor>\n"
            "      <microcode version='4294967295'/>\n"
            "      <signature family='6' model='85' stepping='7'/>\n"
            "      <topology sockets='1' dies='1' cores='2' threads='2'/>\n"
            "      <pages unit='KiB' size='4'/>\n"
            "      <pages unit='KiB' size='2048'/>\n"
            "      <pages unit='KiB' size='1048576'/>\n"
            "    </cpu>\n"
            "    <iommu support='yes'/>\n"
            "    <topology>\n"
            "      <cells num='1'>\n"
            "        <cell id='0'>\n"
            "          <memory unit='KiB'>8129600</memory>\n"
            "          <distances>\n"
            "            <sibling id='0' value='10'/>\n"
            "          </distances>\n"
            "          <cpus num='4'>\n"
            "            <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>\n"
            "            <cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1,3'/>\n"
            "            <cpu id='2' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>\n"
            "            <cpu id='3' socket_id='0' die_id='0' core_id='1' siblings='1,3'/>\n"
            "          </cpus>\n"
            "        </cell>\n"
            "      </cells>\n"
            "    </topology>\n"
            "  </host>\n"
            "\n"
            "</capabilities>\n");
}

TEST(HostDescriptionTest, SiblingRunsAreWrittenAsRanges) {
  FakeHostFiles h = OneSocketHost();
  h.Cpu(0, 0, 0, "0-1");
  HostDescription host = DescribeHost(h.View(), "x86_64", 4);
  EXPECT_EQ(host.cells[0].cpus[0].siblings, "0-1");
}

TEST(HostDescriptionTest, SysinfoFromDmi) {
  FakeHostFiles h;
  h.files["/sys/class/dmi/id/bios_vendor"] = "SeaBIOS\n";
  h.files["/sys/class/dmi/id/bios_version"] = "1.16.2-debian-1.16.2-1\n";
  h.files["/sys/class/dmi/id/bios_date"] = "04/01/2014\n";
  h.files["/sys/class/dmi/id/sys_vendor"] = "QEMU\n";
  h.files["/sys/class/dmi/id/product_name"] = "Standard PC (Q35 + ICH9, 2009)\n";
  h.files["/sys/class/dmi/id/product_version"] = "\n";
  h.files["/sys/class/dmi/id/chassis_vendor"] = "A&B\n";
  EXPECT_EQ(FormatSysinfo(h.View()),
            "<sysinfo type='smbios'>\n"
            "  <bios>\n"
            "    <entry name='vendor'>SeaBIOS</entry>\n"
            "    <entry name='version'>1.16.2-debian-1.16.2-1</entry>\n"
            "    <entry name='date'>04/01/2014</entry>\n"
            "  </bios>\n"
            "  <system>\n"
            "    <entry name='manufacturer'>QEMU</entry>\n"
            "    <entry name='product'>Standard PC (Q35 + ICH9, 2009)</entry>\n"
            "  </system>\n"
            "  <chassis>\n"
            "    <entry name='manufacturer'>A&amp;B</entry>\n"
            "  </chassis>\n"
            "</sysinfo>\n");
  EXPECT_EQ(FormatSysinfo(FakeHostFiles{}.View()), std::nullopt);
}

}  // namespace
}  // namespace virtnat::rpc
