// Replays a chain of captured virsh / python sessions against one in-memory
// driver with the real XML layer, in the order they were recorded, and
// compares every reply byte for byte with libvirtd 9.0's: lookups, lists,
// XML (inactive and live), start/destroy/undefine, autostart, leases, ports
// and typed parameters, read-only refusals, errors.

#include <gtest/gtest.h>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/store/definition_store.h"
#include "rpc/dispatcher.h"
#include "tests/support/transcript.h"

namespace virtnat::rpc {
namespace {

// Leases as libvirtd read them from its lease file in capture 09b.
class LeaseRealizer : public driver::NullRealizer {
 public:
  Result<std::vector<driver::NetworkDhcpLease>> Leases(const xml::NetworkDef&) override {
    return leases;
  }
  std::vector<driver::NetworkDhcpLease> leases;
};

constexpr char kDefault[] = R"(<network>
  <name>default</name>
  <uuid>4c6eb3f3-bb0d-451c-bf77-a26d70b4f769</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <mac address='52:54:00:ed:e7:2f'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
)";

// inputs/a-demo.xml with the UUID and MAC libvirtd generated for it (02).
constexpr char kDemo[] = R"(<network>
  <name>a-demo</name>
  <uuid>addbccd4-ca08-4474-9b95-62a5c99a6a8a</uuid>
  <forward mode='nat'/>
  <bridge name='virbra1' stp='on' delay='0'/>
  <mac address='52:54:00:9f:8a:29'/>
  <ip address='192.168.201.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.201.100' end='192.168.201.200'/>
      <host mac='52:54:00:a1:00:01' name='fixed1' ip='192.168.201.10'/>
    </dhcp>
  </ip>
</network>
)";

class SessionReplayTest : public ::testing::Test {
 protected:
  void Replay(const std::string& file, bool readonly_socket = false) {
    std::vector<testing::CapturedFrame> frames = testing::ReadTranscript(file);
    ASSERT_FALSE(frames.empty()) << file;
    std::map<int, ClientState> clients;
    std::vector<Bytes> pending;
    for (const auto& f : frames) {
      if (f.from_client) {
        ASSERT_TRUE(pending.empty()) << file << " before #" << f.number;
        ClientState& client = clients[f.conn];
        client.readonly_socket = readonly_socket;
        dispatcher_.HandleFrame(client, f.bytes, pending);
        continue;
      }
      ASSERT_FALSE(pending.empty()) << file << ": no reply for #" << f.number;
      EXPECT_EQ(testing::ToHex(pending.front()), testing::ToHex(f.bytes))
          << file << " #" << f.number;
      pending.erase(pending.begin());
      ++compared_;
    }
    EXPECT_TRUE(pending.empty()) << file;
  }

  size_t compared_ = 0;

  driver::XmlCodec codec_;
  LeaseRealizer realizer_;
  driver::MemoryStore store_;
  driver::NetworkObjects driver_{codec_, realizer_, store_};
  Dispatcher dispatcher_{driver_};
};

TEST_F(SessionReplayTest, CapturedSessionsInRecordingOrder) {
  ASSERT_TRUE(driver_.DefineXml(kDefault, 0).ok());
  for (const char* file : {"01-net-list-all.txt", "23-python-open-listall-close.txt",
                           "24-python-readonly-legacy-calls.txt"}) {
    SCOPED_TRACE(file);
    Replay(file);
  }
  auto demo = driver_.DefineXml(kDemo, 0);  // what 02 did
  ASSERT_TRUE(demo.ok()) << demo.error().message;
  for (const char* file :
       {"03-net-dumpxml.txt", "04-net-dumpxml-inactive.txt", "05-net-start.txt", "06-net-info.txt",
        "06b-net-uuid-name-dumpxml-live.txt", "07-net-autostart.txt",
        "08-net-autostart-disable.txt", "09-net-dhcp-leases.txt"}) {
    SCOPED_TRACE(file);
    Replay(file);
  }
  realizer_.leases = {
      {"virbra1", 1795799411, 0, "52:54:00:a1:00:51", std::nullopt, "192.168.201.150", 24, "guest1",
       "01:52:54:00:a1:00:51"},
      {"virbra1", 1795799411, 0, "52:54:00:a1:00:52", std::nullopt, "192.168.201.151", 24,
       std::nullopt, std::nullopt},
  };
  Replay("09b-net-dhcp-leases-with-entries.txt");
  for (const char* file :
       {"10-net-update-add-dhcp-host.txt", "11-net-port-create.txt", "12-net-port-list-dumpxml.txt",
        "13-python-port-parameters.txt", "14-net-port-delete.txt"}) {
    SCOPED_TRACE(file);
    Replay(file);
  }
  Replay("15-readonly-socket-net-destroy.txt", /*readonly_socket=*/true);
  for (const char* file : {"16-readonly-flag-net-destroy.txt", "17-net-destroy.txt",
                           "18-net-undefine.txt", "19-error-net-start-missing.txt"}) {
    SCOPED_TRACE(file);
    Replay(file);
  }
  EXPECT_GE(compared_, 225u);
  std::printf("%zu replies identical to libvirtd's\n", compared_);
}

}  // namespace
}  // namespace virtnat::rpc
