// The connection-level calls about the host and the answers to every call of
// libvirt's protocol this daemon does not serve.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <map>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "rpc/dispatcher.h"
#include "rpc/message.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "rpc/unsupported_procedures.h"
#include "tests/support/fake_codec.h"

namespace virtnat::rpc {
namespace {

class HostProceduresTest : public ::testing::Test {
 protected:
  HostProceduresTest() {
    files_["/proc/meminfo"] = "MemTotal:        2048000 kB\n";
    files_["/proc/cpuinfo"] = "vendor_id\t: AuthenticAMD\ncpu MHz\t\t: 3000.5\n";
    files_["/sys/devices/system/cpu/online"] = "0-1\n";
    files_["/etc/machine-id"] = "00112233445566778899aabbccddeeff\n";
    for (int id : {0, 1}) {
      std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(id) + "/topology/";
      files_[dir + "physical_package_id"] = "0";
      files_[dir + "core_id"] = std::to_string(id);
      files_[dir + "thread_siblings_list"] = std::to_string(id);
    }
    files_["/sys/class/dmi/id/sys_vendor"] = "QEMU\n";
  }

  struct Reply {
    bool error = false;
    Bytes payload;
    Error Err() const {
      XdrDecoder dec(payload);
      return DecodeError(dec);
    }
  };

  Reply Call(ClientState& client, int32_t procedure, const Bytes& args = {}) {
    Header h;
    h.proc = procedure;
    h.serial = ++serial_;
    std::vector<Bytes> out;
    dispatcher_.HandleFrame(client, EncodeFrame(h, args), out);
    EXPECT_EQ(out.size(), 1u) << procedure;
    if (out.empty()) return {};
    auto f = DecodeFrame(out[0]);
    EXPECT_TRUE(f.ok());
    return Reply{f->header.status == MessageStatus::kError,
                 Bytes(f->payload.begin(), f->payload.end())};
  }

  ClientState Open(uint32_t flags = 0) {
    ClientState c;
    Bytes args;
    XdrEncoder enc(args);
    enc.OptString(std::string("network:///system"));
    enc.Uint(flags);
    EXPECT_FALSE(Call(c, proc::kConnectOpen, args).error);
    return c;
  }

  static Bytes Ints(std::initializer_list<int32_t> values) {
    Bytes args;
    XdrEncoder enc(args);
    for (int32_t v : values) enc.Int(v);
    return args;
  }

  std::map<std::string, std::string> files_;
  HostSource host_{{[this](const std::string& path) -> std::optional<std::string> {
                      auto it = files_.find(path);
                      if (it == files_.end()) return std::nullopt;
                      return it->second;
                    },
                    [](const std::string&) { return std::vector<std::string>{}; }},
                   [] { return std::string("x86_64"); },
                   [] { return uint64_t{4}; },
                   [] { return std::optional<std::string>("virthost.example.org"); }};
  testing::FakeCodec codec_;
  driver::NullRealizer realizer_;
  driver::MemoryStore store_;
  driver::NetworkObjects driver_{codec_, realizer_, store_};
  Dispatcher dispatcher_{driver_, host_};
  uint32_t serial_ = 0;
};

TEST_F(HostProceduresTest, NodeInfoEncodesModelAsThirtyTwoXdrChars) {
  ClientState c = Open();
  Reply r = Call(c, proc::kNodeGetInfo);
  ASSERT_FALSE(r.error) << r.Err().message;
  ASSERT_EQ(r.payload.size(), 32 * 4 + 8 + 6 * 4u);
  XdrDecoder dec(r.payload);
  std::string model;
  for (int i = 0; i < 32; ++i) {
    int32_t ch = dec.Int();
    if (ch != 0) model += static_cast<char>(ch);
  }
  EXPECT_EQ(model, "x86_64");
  EXPECT_EQ(dec.Uhyper(), 2048000u);
  EXPECT_EQ(dec.Int(), 2);     // cpus
  EXPECT_EQ(dec.Int(), 3000);  // mhz
  EXPECT_EQ(dec.Int(), 1);     // nodes
  EXPECT_EQ(dec.Int(), 1);     // sockets
  EXPECT_EQ(dec.Int(), 2);     // cores
  EXPECT_EQ(dec.Int(), 1);     // threads
  EXPECT_TRUE(dec.ok());
  EXPECT_EQ(dec.remaining(), 0u);
}

TEST_F(HostProceduresTest, CapabilitiesAndHostname) {
  ClientState c = Open(VIR_CONNECT_RO);
  Reply caps = Call(c, proc::kConnectGetCapabilities);
  ASSERT_FALSE(caps.error) << caps.Err().message;
  XdrDecoder dec(caps.payload);
  std::string xml = dec.String(kStringMax);
  EXPECT_NE(xml.find("<uuid>00112233-4455-6677-8899-aabbccddeeff</uuid>"), std::string::npos);
  EXPECT_NE(xml.find("<vendor>AMD</vendor>"), std::string::npos);
  EXPECT_EQ(xml.find("<guest>"), std::string::npos);

  Reply name = Call(c, proc::kConnectGetHostname);
  ASSERT_FALSE(name.error);
  XdrDecoder name_dec(name.payload);
  EXPECT_EQ(name_dec.String(kStringMax), "virthost.example.org");
}

TEST_F(HostProceduresTest, Sysinfo) {
  ClientState c = Open();
  Reply r = Call(c, proc::kConnectGetSysinfo, Ints({0}));
  ASSERT_FALSE(r.error) << r.Err().message;
  XdrDecoder dec(r.payload);
  EXPECT_NE(dec.String(kStringMax).find("<entry name='manufacturer'>QEMU</entry>"),
            std::string::npos);
  Reply flags = Call(c, proc::kConnectGetSysinfo, Ints({1}));
  ASSERT_TRUE(flags.error);
  EXPECT_EQ(flags.Err().code, VIR_ERR_INVALID_ARG);
  files_.erase("/sys/class/dmi/id/sys_vendor");
  Reply none = Call(c, proc::kConnectGetSysinfo, Ints({0}));
  ASSERT_TRUE(none.error);
  EXPECT_EQ(none.Err().message,
            "unsupported configuration: Host SMBIOS information is not available");
}

TEST_F(HostProceduresTest, DomainListsAreEmpty) {
  ClientState c = Open(VIR_CONNECT_RO);
  Reply all = Call(c, proc::kConnectListAllDomains, Ints({1, 0}));
  ASSERT_FALSE(all.error);
  EXPECT_EQ(all.payload, Ints({0, 0}));
  for (int32_t p : {proc::kConnectNumOfDomains, proc::kConnectNumOfDefinedDomains}) {
    Reply n = Call(c, p);
    ASSERT_FALSE(n.error);
    EXPECT_EQ(n.payload, Ints({0}));
  }
  for (int32_t p : {proc::kConnectListDomains, proc::kConnectListDefinedDomains}) {
    Reply l = Call(c, p, Ints({10}));
    ASSERT_FALSE(l.error);
    EXPECT_EQ(l.payload, Ints({0}));
  }
  Reply too_many = Call(c, proc::kConnectListDomains, Ints({16385}));
  ASSERT_TRUE(too_many.error);
  EXPECT_EQ(too_many.Err().code, VIR_ERR_RPC);
  EXPECT_EQ(too_many.Err().message, "maxids > REMOTE_DOMAIN_LIST_MAX");
  Reply negative = Call(c, proc::kConnectListDefinedDomains, Ints({-1}));
  ASSERT_TRUE(negative.error);
  EXPECT_EQ(negative.Err().message, "maxnames must be non-negative");
}

TEST_F(HostProceduresTest, BeforeOpenTheHypervisorConnectionIsNotOpen) {
  ClientState c;
  Reply r = Call(c, proc::kConnectGetCapabilities);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.Err().message, "internal error: hypervisor connection not open");
}

TEST_F(HostProceduresTest, OtherProceduresAreNotSupportedNamingTheApi) {
  ClientState c = Open();
  struct Case {
    int32_t number;
    int domain;
    const char* api;
  };
  const Case kCases[] = {
      {8, VIR_FROM_DOMAIN, "virDomainAttachDevice"},   // DOMAIN_ATTACH_DEVICE
      {23, VIR_FROM_DOMAIN, "virDomainLookupByName"},  // DOMAIN_LOOKUP_BY_NAME
      {102, VIR_FROM_DOMAIN, "virNodeGetFreeMemory"},  // NODE_GET_FREE_MEMORY
      {281, VIR_FROM_STORAGE, "virConnectListAllStoragePools"},
      {284, VIR_FROM_INTERFACE, "virConnectListAllInterfaces"},
      {285, VIR_FROM_NODEDEV, "virConnectListAllNodeDevices"},
      {286, VIR_FROM_NWFILTER, "virConnectListAllNWFilters"},
      {287, VIR_FROM_SECRET, "virConnectListAllSecrets"},
      // The handler registers through the ...Any API.
      {316, VIR_FROM_DOMAIN, "virConnectDomainEventRegisterAny"},
      {274, VIR_FROM_DOMAIN_SNAPSHOT, "virDomainListAllSnapshots"},
  };
  for (const Case& k : kCases) {
    Reply r = Call(c, k.number, Bytes(64, 0));
    ASSERT_TRUE(r.error) << k.number;
    Error e = r.Err();
    EXPECT_EQ(e.code, VIR_ERR_NO_SUPPORT) << k.number;
    EXPECT_EQ(e.domain, k.domain) << k.number;
    EXPECT_EQ(e.message,
              std::string("this function is not supported by the connection driver: ") + k.api);
  }
}

TEST_F(HostProceduresTest, WriteApisRefuseAReadOnlyConnectionFirst) {
  ClientState c = Open(VIR_CONNECT_RO);
  Reply create = Call(c, 9);  // DOMAIN_CREATE
  ASSERT_TRUE(create.error);
  EXPECT_EQ(create.Err().code, VIR_ERR_OPERATION_DENIED);
  EXPECT_EQ(create.Err().domain, VIR_FROM_DOMAIN);
  EXPECT_EQ(create.Err().message, "operation forbidden: read only access prevents virDomainCreate");
  Reply read = Call(c, 23);  // DOMAIN_LOOKUP_BY_NAME
  EXPECT_EQ(read.Err().code, VIR_ERR_NO_SUPPORT);
}

TEST_F(HostProceduresTest, OpenRulesFollowTheConnectionTheCallNeeds) {
  ClientState c;
  EXPECT_EQ(Call(c, 23).Err().message, "internal error: hypervisor connection not open");
  EXPECT_EQ(Call(c, 281).Err().message, "internal error: connection not open");
  Reply sasl = Call(c, 67);  // AUTH_SASL_INIT on a socket without SASL
  EXPECT_EQ(sasl.Err().code, VIR_ERR_AUTH_FAILED);
  EXPECT_EQ(sasl.Err().message, "authentication failed: authentication failed");
}

TEST_F(HostProceduresTest, EventsAndUnknownNumbersStayUnknown) {
  ClientState c = Open();
  for (int32_t number : {107 /* DOMAIN_EVENT_LIFECYCLE */, 0, 100000, -5}) {
    Reply r = Call(c, number);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.Err().code, VIR_ERR_RPC);
    EXPECT_EQ(r.Err().message, "unknown procedure: " + std::to_string(number));
  }
}

TEST(UnsupportedProceduresTest, TableCoversLibvirtsCalls) {
  auto table = UnsupportedProcedures();
  ASSERT_GT(table.size(), 390u);
  // libvirt 9.0's highest number (DOMAIN_FD_ASSOCIATE) and a newer one.
  EXPECT_NE(FindUnsupportedProcedure(443), nullptr);
  EXPECT_NE(FindUnsupportedProcedure(444), nullptr);  // NETWORK_SET_METADATA, 9.7
  for (const UnsupportedProcedure& p : table) {
    EXPECT_EQ(FindUnsupportedProcedure(p.number), &p);
    if (p.api != nullptr) {
      EXPECT_EQ(std::string(p.api).rfind("vir", 0), 0u) << p.number;
    }
  }
  // Every number this daemon serves is a number libvirt knows.
  for (auto served : {ConnectProcedures(), HostProcedures(), NetworkProcedures(), PortProcedures(),
                      EventProcedures()}) {
    for (const Procedure& p : served) {
      EXPECT_NE(FindUnsupportedProcedure(p.number), nullptr) << p.number;
    }
  }
}

}  // namespace
}  // namespace virtnat::rpc
