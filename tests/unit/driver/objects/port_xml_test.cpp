// Port XML against libvirt 9.0's own corpus (virnetworkportxml2xmltest:
// every document formats back to itself), libvirt's parse errors, and the
// schema validation of VIR_NETWORK_PORT_CREATE_VALIDATE.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "driver/objects/network_port.h"

namespace virtnat::driver {
namespace {

std::string ReadCorpus(const std::string& name) {
  std::ifstream in(std::string(VIRTNAT_SOURCE_DIR) +
                   "/tests/data/libvirt-testdata/v9.0.0/virnetworkportxml2xmldata/" + name +
                   ".xml");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class PortCorpusTest : public testing::TestWithParam<const char*> {};

TEST_P(PortCorpusTest, FormatsBackByteForByte) {
  const std::string text = ReadCorpus(GetParam());
  ASSERT_FALSE(text.empty());
  Result<PortDef> port = ParsePortXml(text);
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ(FormatPortXml(*port), text);
  // The schema takes every document of the corpus.
  Result<PortDef> validated = ParsePortXml(text, true);
  EXPECT_TRUE(validated.ok()) << validated.error().message;
  EXPECT_EQ(*validated, *port);
}

INSTANTIATE_TEST_SUITE_P(Libvirt90, PortCorpusTest,
                         testing::Values("plug-none", "plug-bridge", "plug-bridge-mactbl",
                                         "plug-direct", "plug-hostdev-pci",
                                         "plug-hostdev-pci-unmanaged", "plug-network"));

TEST(PortXmlTest, ReadsEveryField) {
  Result<PortDef> port = ParsePortXml(ReadCorpus("plug-network"));
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->owner_name, "memtest");
  EXPECT_EQ(port->group, "web1");
  EXPECT_EQ(port->class_id, 1729u);
  ASSERT_TRUE(port->bandwidth && port->bandwidth->inbound);
  EXPECT_EQ(port->bandwidth->inbound->floor, 2000u);
  ASSERT_TRUE(port->vlan);
  EXPECT_EQ(port->vlan->tags.size(), 2u);
  EXPECT_EQ(port->isolated, xml::TriState::kYes);
  EXPECT_EQ(port->trust_guest_rx_filters, xml::TriState::kYes);
  EXPECT_EQ(port->plug.type, PlugType::kNetwork);
  EXPECT_EQ(port->plug.bridge, "virbr0");

  Result<PortDef> direct = ParsePortXml(ReadCorpus("plug-direct"));
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->plug.dev, "ens3");
  EXPECT_EQ(direct->plug.direct_mode, xml::ForwardMode::kVepa);
  ASSERT_TRUE(direct->virtualport);
  EXPECT_EQ(direct->virtualport->type, "802.1Qbg");

  Result<PortDef> pci = ParsePortXml(ReadCorpus("plug-hostdev-pci-unmanaged"));
  ASSERT_TRUE(pci.ok());
  EXPECT_EQ(pci->plug.managed, xml::TriState::kNo);
  EXPECT_EQ(pci->plug.driver, "vfio");
  EXPECT_EQ(pci->plug.pci, (xml::PciAddress{1, 2, 3, 4}));
}

std::string Port(const std::string& body) {
  return "<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>" + body + "</networkport>";
}
const std::string kOwner =
    "<owner><name>vm</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>";
const std::string kMac = "<mac address='52:54:00:7b:35:93'/>";

TEST(PortXmlTest, LibvirtsContentErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {Port(""), "internal error: network port has no owner name"},
      {Port("<owner><name>vm</name></owner>"), "internal error: network port has no owner UUID"},
      {Port("<owner><name>vm</name><uuid>x</uuid></owner>"),
       "internal error: Unable to parse UUID 'x'"},
      {Port(kOwner), "internal error: network port has no mac"},
      {Port(kOwner + "<mac address='zz'/>"), "internal error: Unable to parse MAC 'zz'"},
      {Port(kOwner + kMac + "<plug type='network'/>"),
       "XML error: Missing network port bridge name"},
      {Port(kOwner + kMac + "<plug type='bridge' bridge='b' macTableManager='x'/>"),
       "XML error: Invalid macTableManager setting 'x' in network port"},
      {Port(kOwner + kMac + "<plug type='direct'/>"),
       "XML error: Missing network port link device name"},
      {Port(kOwner + kMac + "<plug type='direct' dev='e' mode='x'/>"),
       "XML error: Invalid mode setting 'x' in network port"},
      {Port(kOwner + kMac + "<plug type='hostdev-pci'/>"),
       "XML error: Missing network port PCI address"},
      {Port(kOwner + kMac + "<plug type='hostdev-pci'><driver name='default'/><address/></plug>"),
       "XML error: Missing network port driver name"},
      {Port(kOwner + kMac + "<bandwidth classID='x'><inbound average='1'/></bandwidth>"),
       "internal error: Unable to parse class id 'x'"},
  };
  for (const auto& [text, message] : cases) {
    Result<PortDef> port = ParsePortXml(text);
    ASSERT_FALSE(port.ok()) << text;
    EXPECT_EQ(port.error().message, message) << text;
  }
}

TEST(PortXmlTest, DirectModeDefaultsToVepaAndUnknownPlugTypeIsRefused) {
  Result<PortDef> port = ParsePortXml(Port(kOwner + kMac + "<plug type='direct' dev='e'/>"));
  ASSERT_TRUE(port.ok());
  EXPECT_NE(FormatPortXml(*port).find("<plug type='direct' dev='e' mode='vepa'/>"),
            std::string::npos);
  Result<PortDef> bogus = ParsePortXml(Port(kOwner + kMac + "<plug type='bogus'/>"));
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.error().code, VIR_ERR_XML_ERROR);
}

TEST(PortXmlTest, ValidateRefusesWhatTheSchemaDoesNot) {
  // Without VALIDATE libvirt ignores unknown elements; with it the schema
  // names them.
  const std::string bogus = Port(kOwner + kMac + "<bogus/>");
  EXPECT_TRUE(ParsePortXml(bogus).ok());
  Result<PortDef> port = ParsePortXml(bogus, true);
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, VIR_ERR_XML_INVALID_SCHEMA);
  EXPECT_NE(port.error().message.find("Element networkport has extra content: bogus"),
            std::string::npos)
      << port.error().message;
  EXPECT_NE(port.error().message.find("networkport.rng"), std::string::npos);
  // A document that is not well-formed fails as without validation.
  EXPECT_EQ(ParsePortXml("<networkport>", true).error().code, VIR_ERR_XML_DETAIL);
}

// libvirt's networkPortSetParameters: a direction given without average
// (or, inbound, floor) is dropped.
TEST(PortXmlTest, SetParametersDropsADirectionWithoutItsAverage) {
  Result<PortDef> port = ParsePortXml(Port(kOwner + kMac));
  ASSERT_TRUE(port.ok());
  TypedParam peak{"inbound.peak", VIR_TYPED_PARAM_UINT, 0, 50, 0, ""};
  TypedParam out{"outbound.average", VIR_TYPED_PARAM_UINT, 0, 20, 0, ""};
  ASSERT_TRUE(SetPortParameters(*port, {peak, out}).ok());
  ASSERT_TRUE(port->bandwidth);
  EXPECT_FALSE(port->bandwidth->inbound);
  ASSERT_TRUE(port->bandwidth->outbound);
  EXPECT_EQ(PortParameters(*port).size(), 3u);
  ASSERT_TRUE(SetPortParameters(*port, {peak}).ok());
  EXPECT_FALSE(port->bandwidth);
}

}  // namespace
}  // namespace virtnat::driver
