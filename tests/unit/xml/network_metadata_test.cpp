// <metadata> elements as virNetworkSetMetadata / GetMetadata edit and read
// them (xml/network_metadata.h), and <title>/<description> in the XML.

#include "xml/network_metadata.h"

#include <gtest/gtest.h>

#include "xml/network_format.h"
#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

TEST(NetworkMetadata, SetPutsTheElementIntoItsNamespaceWithTheKey) {
  std::optional<std::string> metadata;
  ASSERT_TRUE(
      SetMetadataElement(metadata, "<derp><bar>foobar</bar></derp>", "herp", "http://herp.derp/")
          .ok());
  EXPECT_EQ(*metadata,
            "  <metadata>\n"
            "    <herp:derp xmlns:herp=\"http://herp.derp/\">\n"
            "      <herp:bar>foobar</herp:bar>\n"
            "    </herp:derp>\n"
            "  </metadata>\n");
  auto got = ExtractMetadataElement(metadata, "http://herp.derp/");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(**got, "<derp>\n  <bar>foobar</bar>\n</derp>");
}

TEST(NetworkMetadata, OtherNamespacesStayDeclaredInWhatGetReturns) {
  std::optional<std::string> metadata;
  ASSERT_TRUE(
      SetMetadataElement(metadata,
                         "<derp xmlns:foobar=\"http://foo.bar/\"><foobar:baz>zomg</foobar:baz>"
                         "<foo fooish=\"blurb\">bar</foo></derp>",
                         "herp", "http://herp.derp/")
          .ok());
  auto got = ExtractMetadataElement(metadata, "http://herp.derp/");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(**got,
            "<derp xmlns:foobar=\"http://foo.bar/\">\n"
            "  <foobar:baz>zomg</foobar:baz>\n"
            "  <foo fooish=\"blurb\">bar</foo>\n"
            "</derp>");
}

TEST(NetworkMetadata, SetReplacesTheSameNamespaceAndKeepsOthers) {
  std::optional<std::string> metadata;
  ASSERT_TRUE(SetMetadataElement(metadata, "<a>1</a>", "x", "urn:x").ok());
  ASSERT_TRUE(SetMetadataElement(metadata, "<b>2</b>", "y", "urn:y").ok());
  ASSERT_TRUE(SetMetadataElement(metadata, "<c>3</c>", "x2", "urn:x").ok());
  EXPECT_EQ(*metadata,
            "  <metadata>\n"
            "    <y:b xmlns:y=\"urn:y\">2</y:b>\n"
            "    <x2:c xmlns:x2=\"urn:x\">3</x2:c>\n"
            "  </metadata>\n");
  EXPECT_EQ(**ExtractMetadataElement(metadata, "urn:x"), "<c>3</c>");
  EXPECT_EQ(**ExtractMetadataElement(metadata, "urn:y"), "<b>2</b>");
}

TEST(NetworkMetadata, RemoveLeavesAnEmptyMetadataElement) {
  std::optional<std::string> metadata;
  ASSERT_TRUE(SetMetadataElement(metadata, std::nullopt, "", "urn:x").ok());
  EXPECT_FALSE(metadata.has_value());  // nothing to remove, nothing created
  ASSERT_TRUE(SetMetadataElement(metadata, "<a/>", "x", "urn:x").ok());
  ASSERT_TRUE(SetMetadataElement(metadata, std::nullopt, "", "urn:x").ok());
  EXPECT_EQ(*metadata, "  <metadata/>\n");
  auto got = ExtractMetadataElement(metadata, "urn:x");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_FALSE(ExtractMetadataElement(std::nullopt, "urn:x")->has_value());
}

TEST(NetworkMetadata, Errors) {
  std::optional<std::string> metadata;
  Status bad_xml = SetMetadataElement(metadata, "<a>", "x", "urn:x");
  ASSERT_FALSE(bad_xml.ok());
  EXPECT_EQ(bad_xml.code(), VIR_ERR_XML_DETAIL);
  EXPECT_EQ(bad_xml.message().rfind("at line 1: ", 0), 0u) << bad_xml.message();
  Status bad_key = SetMetadataElement(metadata, "<a/>", "1x", "urn:x");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.code(), VIR_ERR_INTERNAL_ERROR);
  EXPECT_EQ(bad_key.message(), "internal error: failed to validate prefix for a new XML namespace");
  EXPECT_FALSE(metadata.has_value());
}

TEST(NetworkMetadata, TitleAndDescriptionAreParsedAndPrintedAsLibvirt97) {
  auto def = ParseNetworkXml(
      "<network><name>n</name><uuid>11111111-2222-3333-4444-555555555501</uuid>"
      "<title>T &amp; t</title><description>line 1\nline 2</description>"
      "<metadata><a:x xmlns:a='urn:a'>v</a:x></metadata></network>");
  ASSERT_TRUE(def.ok()) << def.error().message;
  std::string xml = FormatNetworkXml(*def, 0);
  EXPECT_NE(xml.find("  <uuid>11111111-2222-3333-4444-555555555501</uuid>\n"
                     "  <title>T &amp; t</title>\n"
                     "  <description>line 1\nline 2</description>\n"
                     "  <metadata>\n"),
            std::string::npos)
      << xml;
  auto bad = ParseNetworkXml("<network><name>n</name><title>a\nb</title></network>");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "XML error: Network title can't contain newlines");
}

}  // namespace
}  // namespace virtnat::xml
