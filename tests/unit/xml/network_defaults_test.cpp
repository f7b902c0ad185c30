// Define-time defaults with an injected random source and taken-name set.
#include "xml/network_defaults.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

NetworkDef Parse(const std::string& text) {
  auto def = ParseNetworkXml(text);
  EXPECT_TRUE(def.ok()) << (def.ok() ? "" : def.error().message);
  return def.ok() ? *def : NetworkDef{};
}

// Random bytes 0x10, 0x11, 0x12, ...: deterministic and distinguishable.
DefaultsContext Context(std::set<std::string> taken = {}) {
  DefaultsContext ctx;
  ctx.bridge_taken = [taken](const std::string& name) { return taken.count(name) > 0; };
  ctx.random_bytes = [](uint8_t* out, size_t len) {
    for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(0x10 + i);
  };
  return ctx;
}

const char* kNat =
    "<network><name>n</name><forward mode='nat'/>%BRIDGE%"
    "<ip address='10.66.5.1' prefix='24'/></network>";

std::string NatWithBridge(const std::string& bridge) {
  std::string s = kNat;
  s.replace(s.find("%BRIDGE%"), 8, bridge);
  return s;
}

TEST(NetworkDefaultsTest, GeneratesUuidV4MacAndBridge) {
  NetworkDef def = Parse(NatWithBridge(""));
  ASSERT_TRUE(ApplyDefineDefaults(def, Context()).ok());
  EXPECT_TRUE(def.uuid_given);
  // Bytes 0x10..0x1f with the version (4) and variant (10xx) bits set.
  EXPECT_EQ(FormatUuid(def.uuid), "10111213-1415-4617-9819-1a1b1c1d1e1f");
  ASSERT_TRUE(def.mac);
  EXPECT_EQ(FormatMac(*def.mac), "52:54:00:10:11:12");
  EXPECT_EQ(def.bridge.name, "virbr0");
}

TEST(NetworkDefaultsTest, KeepsGivenValues) {
  NetworkDef def = Parse(
      "<network><name>n</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9c</uuid>"
      "<bridge name='mybr'/><mac address='52:54:00:aa:bb:cc'/></network>");
  ASSERT_TRUE(ApplyDefineDefaults(def, Context({"mybr"})).ok());
  EXPECT_EQ(FormatUuid(def.uuid), "81ff0d90-c91e-6742-64da-4a736edb9a9c");
  EXPECT_EQ(FormatMac(*def.mac), "52:54:00:aa:bb:cc");
  EXPECT_EQ(def.bridge.name, "mybr") << "an explicit name is the driver's to check";
}

TEST(NetworkDefaultsTest, FirstFreeBridgeNumber) {
  NetworkDef def = Parse(NatWithBridge(""));
  ASSERT_TRUE(ApplyDefineDefaults(def, Context({"virbr0", "virbr1", "virbr3"})).ok());
  EXPECT_EQ(def.bridge.name, "virbr2");
}

TEST(NetworkDefaultsTest, BridgeTemplates) {
  struct Case {
    const char* given;
    std::set<std::string> taken;
    const char* chosen;
  };
  const Case cases[] = {
      {"<bridge name='virbrx%d'/>", {"virbrx0"}, "virbrx1"}, {"<bridge name='%dbr'/>", {}, "0br"},
      {"<bridge name='virbrx%d%d'/>", {"virbr0"}, "virbr1"}, {"<bridge name=''/>", {}, "virbr0"},
      {"<bridge name='virbrx%s'/>", {}, "virbrx%s"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.given);
    NetworkDef def = Parse(NatWithBridge(c.given));
    ASSERT_TRUE(ApplyDefineDefaults(def, Context(c.taken)).ok());
    EXPECT_EQ(def.bridge.name, c.chosen);
  }
}

TEST(NetworkDefaultsTest, BridgeGenerationGivesUpAfter256) {
  std::set<std::string> taken;
  for (int i = 0; i <= 256; ++i) taken.insert("virbr" + std::to_string(i));
  NetworkDef def = Parse(NatWithBridge(""));
  Status s = ApplyDefineDefaults(def, Context(taken));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(s.message(), "internal error: Bridge generation exceeded max id 256");
  taken.erase("virbr256");
  def = Parse(NatWithBridge(""));
  ASSERT_TRUE(ApplyDefineDefaults(def, Context(taken)).ok());
  EXPECT_EQ(def.bridge.name, "virbr256");
}

TEST(NetworkDefaultsTest, OtherModesGetNoBridgeOrMac) {
  NetworkDef def = Parse(
      "<network><name>b</name><forward mode='bridge'/>"
      "<bridge name='br0'/></network>");
  ASSERT_TRUE(ApplyDefineDefaults(def, Context()).ok());
  EXPECT_FALSE(def.mac);
  EXPECT_EQ(def.bridge.name, "br0");
  EXPECT_TRUE(def.uuid_given);
  NetworkDef pt = Parse(
      "<network><name>p</name><forward mode='passthrough' dev='eth0'/>"
      "</network>");
  ASSERT_TRUE(ApplyDefineDefaults(pt, Context()).ok());
  EXPECT_EQ(pt.bridge.name, "");
  EXPECT_FALSE(pt.mac);
}

TEST(NetworkDefaultsTest, SystemRandomUuidsDiffer) {
  NetworkDef a = Parse("<network><name>a</name></network>");
  NetworkDef b = a;
  ASSERT_TRUE(ApplyDefineDefaults(a, DefaultsContext{}).ok());
  ASSERT_TRUE(ApplyDefineDefaults(b, DefaultsContext{}).ok());
  EXPECT_NE(a.uuid, b.uuid);
  EXPECT_EQ(a.uuid[6] >> 4, 4);
  EXPECT_EQ(a.uuid[8] >> 6, 2);
  EXPECT_EQ((*a.mac)[0], 0x52);
}

}  // namespace
}  // namespace virtnat::xml
