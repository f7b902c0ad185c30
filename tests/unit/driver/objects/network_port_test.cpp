// Port XML read through xml/'s hardened document and node helpers: what it
// reads, and its errors, which read as they always have.

#include "driver/objects/network_port.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace virtnat::driver {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(VIRTNAT_SOURCE_DIR) + "/tests/compat/data/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(NetworkPortTest, ReadsAndWritesTheCompatFixture) {
  Result<PortDef> port = ParsePortXml(ReadFixture("port.xml"));
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ(xml::FormatUuid(port->uuid), "a1a1a1a1-0000-4000-8000-000000000099");
  EXPECT_EQ(port->owner_name, "a-fakevm");
  EXPECT_EQ(xml::FormatUuid(port->owner_uuid), "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(xml::FormatMac(port->mac), "52:54:00:a1:00:99");
  ASSERT_TRUE(port->bandwidth && port->bandwidth->inbound && port->bandwidth->outbound);
  EXPECT_EQ(port->bandwidth->inbound->peak, 1000u);
  EXPECT_EQ(port->bandwidth->outbound->average, 400u);
  port->plug.type = PlugType::kNetwork;
  port->plug.bridge = "virbra1";
  EXPECT_EQ(FormatPortXml(*port), ReadFixture("port.dumpxml.xml"));
}

TEST(NetworkPortTest, ElementsMatchInAnyNamespaceAndGroupIsRead) {
  Result<PortDef> port = ParsePortXml(
      "<p:networkport xmlns:p='urn:x'><p:uuid>a1a1a1a1-0000-4000-8000-000000000001</p:uuid>"
      "<owner><name>vm</name><uuid>a1a1a1a1-0000-4000-8000-000000000002</uuid></owner>"
      "<mac address='52:54:00:00:00:01'/>"
      "<group>web</group><bandwidth><inbound floor='1'/></bandwidth></p:networkport>");
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ(port->group, "web");
  ASSERT_TRUE(port->bandwidth && port->bandwidth->inbound);
  EXPECT_EQ(port->bandwidth->inbound->average, 0u);
  EXPECT_EQ(port->bandwidth->inbound->floor, 1u);
  EXPECT_FALSE(port->bandwidth->outbound);
}

TEST(NetworkPortTest, DocumentErrorsReadAsBefore) {
  // The texts the earlier parser of its own (xmlReadMemory, xmlGetLastError)
  // gave for these documents.
  const std::pair<const char*, const char*> cases[] = {
      {"<networkport>", "Premature end of data in tag networkport line 1"},
      // The last of its errors, not the first (a tag mismatch).
      {"<networkport><uuid>x</networkport>", "Premature end of data in tag networkport line 1"},
      {"not xml", "Start tag expected, '<' not found"},
      {"<a></b>", "Opening and ending tag mismatch: a line 1 and b"},
      {"<networkport a='1' a='2'/>", "Attribute a redefined"},
      {"<networkport>&bogus;</networkport>", "Entity 'bogus' not defined"},
      {"<networkport/><extra/>", "Extra content at the end of the document"},
  };
  for (const auto& [text, message] : cases) {
    Result<PortDef> port = ParsePortXml(text);
    ASSERT_FALSE(port.ok()) << text;
    EXPECT_EQ(port.error().code, VIR_ERR_XML_DETAIL) << text;
    EXPECT_EQ(port.error().domain, VIR_FROM_NETWORK) << text;
    EXPECT_EQ(port.error().message, MakeError(VIR_ERR_XML_DETAIL, VIR_FROM_NETWORK,
                                              std::string("(networkport_definition): ") + message)
                                        .message)
        << text;
  }
}

TEST(NetworkPortTest, ContentErrors) {
  Result<PortDef> port = ParsePortXml("<network/>");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, VIR_ERR_XML_ERROR);
  EXPECT_EQ(port.error().domain, VIR_FROM_XML);
  EXPECT_EQ(port.error().message, XmlError("expecting root element of 'networkport'").message);
  EXPECT_EQ(ParsePortXml("<networkport/>").error().message,
            "internal error: network port has no uuid");
  EXPECT_EQ(ParsePortXml("<networkport><uuid>nope</uuid></networkport>").error().message,
            "internal error: Unable to parse UUID 'nope'");
}

}  // namespace
}  // namespace virtnat::driver
