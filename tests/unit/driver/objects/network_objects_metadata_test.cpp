// virNetworkSetMetadata / GetMetadata on the object layer with the real XML
// codec: libvirt's argument checks and errors, which definition (live,
// persistent) a call reads and changes, persistence and the events.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/objects/xml_codec.h"
#include "driver/store/definition_store.h"

namespace virtnat::driver {
namespace {

constexpr int kDesc = 0, kTitle = 1, kElement = 2;
constexpr unsigned kLive = VIR_NETWORK_UPDATE_AFFECT_LIVE;
constexpr unsigned kConfig = VIR_NETWORK_UPDATE_AFFECT_CONFIG;
const std::optional<std::string> kNull;

class SavingStore : public MemoryStore {
 public:
  Status Save(const std::string& name, const std::string& xml) override {
    saved[name] = xml;
    return MemoryStore::Save(name, xml);
  }
  std::map<std::string, std::string> saved;
};

class NetworkObjectsMetadataTest : public ::testing::Test {
 protected:
  NetworkObjectsMetadataTest() {
    driver_.SubscribeMetadataChange(
        [this](const NetworkRef& net, int type, const std::optional<std::string>& uri) {
          events_.push_back(net.name + ":" + std::to_string(type) + ":" + uri.value_or("(null)"));
        });
    driver_.SetLiveChangeHook([this](const NetworkRef& net) { live_changes_.push_back(net.name); });
    auto net = driver_.DefineXml(
        "<network><name>n</name><uuid>11111111-2222-3333-4444-555555555501</uuid>"
        "<bridge name='vnm0'/></network>",
        0);
    EXPECT_TRUE(net.ok());
    net_ = *net;
  }
  std::string Get(int type, const std::optional<std::string>& uri, unsigned flags) {
    auto r = driver_.GetMetadata(net_, type, uri, flags);
    return r.ok() ? *r : "ERR " + std::to_string(r.error().code) + " " + r.error().message;
  }
  std::string Set(int type, const std::optional<std::string>& value,
                  const std::optional<std::string>& key, const std::optional<std::string>& uri,
                  unsigned flags) {
    Status st = driver_.SetMetadata(net_, type, value, key, uri, flags);
    return st.ok() ? "ok" : "ERR " + std::to_string(st.code()) + " " + st.message();
  }

  XmlCodec codec_;
  NullRealizer realizer_;
  SavingStore store_;
  NetworkObjects driver_{codec_, realizer_, store_};
  NetworkRef net_;
  std::vector<std::string> events_;
  std::vector<std::string> live_changes_;
};

TEST_F(NetworkObjectsMetadataTest, InactiveNetworkCurrentIsTheConfig) {
  EXPECT_EQ(Get(kDesc, kNull, 0),
            "ERR 111 metadata not found: Requested metadata element is not present");
  EXPECT_EQ(Set(kDesc, "hello\nworld", kNull, kNull, 0), "ok");
  EXPECT_EQ(Set(kTitle, "T", kNull, kNull, 0), "ok");
  EXPECT_EQ(Get(kDesc, kNull, 0), "hello\nworld");
  EXPECT_EQ(Get(kTitle, kNull, kConfig), "T");
  EXPECT_NE(
      store_.saved["n"].find("  <title>T</title>\n  <description>hello\nworld</description>\n"),
      std::string::npos)
      << store_.saved["n"];
  EXPECT_EQ(events_, (std::vector<std::string>{"n:0:(null)", "n:1:(null)"}));
  EXPECT_TRUE(live_changes_.empty());
  // The empty string removes, as libvirt does.
  EXPECT_EQ(Set(kTitle, "", kNull, kNull, 0), "ok");
  EXPECT_EQ(Get(kTitle, kNull, 0),
            "ERR 111 metadata not found: Requested metadata element is not present");
  EXPECT_EQ(Set(kDesc, "x", kNull, kNull, kLive),
            "ERR 55 Requested operation is not valid: network is not running");
}

TEST_F(NetworkObjectsMetadataTest, RunningNetworkLiveAndConfigAreSeparate) {
  ASSERT_TRUE(driver_.Create(net_).ok());
  EXPECT_EQ(Set(kElement, "<x>live</x>", "k", "urn:k", 0), "ok");  // current = live
  EXPECT_EQ(Set(kElement, "<x>conf</x>", "k", "urn:k", kConfig), "ok");
  EXPECT_EQ(Get(kElement, "urn:k", 0), "<x>live</x>");
  EXPECT_EQ(Get(kElement, "urn:k", kConfig), "<x>conf</x>");
  EXPECT_NE(driver_.GetXmlDesc(net_, 0)->find("<k:x xmlns:k=\"urn:k\">live</k:x>"),
            std::string::npos);
  EXPECT_NE(driver_.GetXmlDesc(net_, VIR_NETWORK_XML_INACTIVE)->find("conf</k:x>"),
            std::string::npos);
  EXPECT_NE(store_.saved["n"].find("conf</k:x>"), std::string::npos);
  EXPECT_EQ(live_changes_, std::vector<std::string>{"n"});
  EXPECT_EQ(Set(kDesc, "both", kNull, kNull, kLive | kConfig), "ok");
  EXPECT_EQ(Get(kDesc, kNull, kLive), "both");
  EXPECT_EQ(Get(kDesc, kNull, kConfig), "both");
  EXPECT_EQ(Set(kElement, kNull, kNull, "urn:k", kLive), "ok");
  EXPECT_EQ(Get(kElement, "urn:k", kLive),
            "ERR 111 metadata not found: Requested metadata element is not present");
  EXPECT_EQ(events_,
            (std::vector<std::string>{"n:2:urn:k", "n:2:urn:k", "n:0:(null)", "n:2:urn:k"}));
  // Destroy: the pending config becomes the definition.
  ASSERT_TRUE(driver_.Destroy(net_).ok());
  EXPECT_EQ(Get(kElement, "urn:k", 0), "<x>conf</x>");
}

TEST_F(NetworkObjectsMetadataTest, LibvirtArgumentChecks) {
  EXPECT_EQ(Set(kTitle, "a\nb", kNull, kNull, 0),
            "ERR 8 invalid argument: metadata title can't contain newlines");
  EXPECT_EQ(Set(kDesc, "a", kNull, "urn:x", 0),
            "ERR 8 invalid argument: uri in virNetworkSetMetadata must be NULL");
  EXPECT_EQ(Set(kTitle, "a", "k", kNull, 0),
            "ERR 8 invalid argument: key in virNetworkSetMetadata must be NULL");
  EXPECT_EQ(Set(kElement, "<a/>", "k", kNull, 0),
            "ERR 8 invalid argument: uri in virNetworkSetMetadata must not be NULL");
  EXPECT_EQ(Set(kElement, "<a/>", kNull, "urn:x", 0),
            "ERR 8 invalid argument: key in virNetworkSetMetadata must not be NULL");
  EXPECT_EQ(Set(3, "a", kNull, kNull, 0), "ERR 8 invalid argument: unknown metadata type '3'");
  EXPECT_EQ(Set(kDesc, "a", kNull, kNull, 4),
            "ERR 8 unsupported flags (0x4) in function networkSetMetadata");
  EXPECT_EQ(Get(kDesc, kNull, kLive | kConfig),
            "ERR 8 invalid argument: Flags 'VIR_NETWORK_UPDATE_AFFECT_LIVE' and "
            "'VIR_NETWORK_UPDATE_AFFECT_CONFIG' are mutually exclusive");
  EXPECT_EQ(Get(kTitle, "urn:x", 0),
            "ERR 8 invalid argument: uri in virNetworkGetMetadata must be NULL");
  EXPECT_EQ(Get(kElement, kNull, 0),
            "ERR 8 invalid argument: uri in virNetworkGetMetadata must not be NULL");
  EXPECT_EQ(Get(7, kNull, 0), "ERR 8 invalid argument: unknown metadata type '7'");
  EXPECT_TRUE(events_.empty());
}

TEST_F(NetworkObjectsMetadataTest, TransientNetworkHasNoConfig) {
  auto t = driver_.CreateXml("<network><name>t</name><bridge name='vnm1'/></network>", 0);
  ASSERT_TRUE(t.ok());
  Status st = driver_.SetMetadata(*t, kDesc, "x", kNull, kNull, kConfig);
  EXPECT_EQ(st.message(),
            "Requested operation is not valid: cannot change persistent config of a transient "
            "network");
  EXPECT_TRUE(driver_.SetMetadata(*t, kDesc, "x", kNull, kNull, 0).ok());
  EXPECT_EQ(*driver_.GetMetadata(*t, kDesc, kNull, kLive), "x");
}

}  // namespace
}  // namespace virtnat::driver
