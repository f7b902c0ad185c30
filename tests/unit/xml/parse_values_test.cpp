// libvirt's number and yes/no parsing rules, and the dnsmasq-safety checks.
#include "xml/parse_values.h"

#include <gtest/gtest.h>

#include <climits>

#include "xml/xml_document.h"

namespace virtnat::xml {
namespace {

TEST(ParseValuesTest, StrtoulSemantics) {
  EXPECT_EQ(StrToULL("42", 10, false), 42u);
  EXPECT_EQ(StrToULL(" +42", 10, false), 42u) << "strtoul skips blanks and takes a sign";
  EXPECT_EQ(StrToULL("0x1f", 0, false), 31u);
  EXPECT_EQ(StrToULL("010", 0, false), 8u);
  EXPECT_EQ(StrToULL("010", 10, false), 10u);
  EXPECT_FALSE(StrToULL("", 10, false));
  EXPECT_FALSE(StrToULL("12x", 10, false));
  EXPECT_FALSE(StrToULL("12 ", 10, false)) << "trailing text is refused";
  EXPECT_FALSE(StrToULL("-1", 10, false));
  EXPECT_EQ(StrToULL("-1", 10, true), ULLONG_MAX);
  EXPECT_FALSE(StrToULL("99999999999999999999", 10, false));
}

TEST(ParseValuesTest, UnsignedIntVariants) {
  EXPECT_EQ(StrToUInt("-1", 10), UINT_MAX) << "virStrToLong_ui maps -1 to UINT_MAX";
  EXPECT_EQ(StrToUInt("-2", 10), UINT_MAX - 1);
  EXPECT_FALSE(StrToUInt("-4294967296", 10));
  EXPECT_FALSE(StrToUInt("4294967296", 10));
  EXPECT_EQ(StrToUInt("4294967295", 10), UINT_MAX);
  EXPECT_FALSE(StrToUIntP("-1", 10));
  EXPECT_EQ(StrToUIntP("0x10", 0), 16u);
}

TEST(ParseValuesTest, AttributeHelpers) {
  auto doc = ParseXmlDocument(
      "<e n='7' empty='' neg='-1' big='4294967296' yes='yes' bad='Yes' zero='0'/>", "t", 1024);
  ASSERT_TRUE(doc.ok());
  const xmlNode* e = xmlDocGetRootElement(doc->get());
  EXPECT_EQ(XPathUInt(e, "n").state, NumberState::kOk);
  EXPECT_EQ(XPathUInt(e, "n").value, 7u);
  EXPECT_EQ(XPathUInt(e, "empty").state, NumberState::kAbsent) << "XPath string() of ''";
  EXPECT_EQ(XPathUInt(e, "missing").state, NumberState::kAbsent);
  EXPECT_EQ(XPathUInt(e, "neg").state, NumberState::kInvalid);
  EXPECT_EQ(XPathUInt(e, "big").state, NumberState::kInvalid);
  EXPECT_EQ(XPathULong(e, "big").state, NumberState::kOk);

  auto n = PropUInt(e, "n", false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 7u);
  auto missing = PropUInt(e, "missing", true);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
  auto zero = PropUInt(e, "zero", true);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message,
            "XML error: Invalid value for attribute 'zero' in element 'e': Zero is not "
            "permitted");
  auto empty = PropUInt(e, "empty", false);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message,
            "XML error: Invalid value for attribute 'empty' in element 'e': ''. Expected "
            "non-negative integer value");
  EXPECT_EQ(empty.error().domain, VIR_FROM_XML);

  EXPECT_EQ(*PropTriState(e, "yes"), TriState::kYes);
  EXPECT_EQ(*PropTriState(e, "missing"), TriState::kAbsent);
  EXPECT_EQ(PropTriState(e, "bad").error().message,
            "XML error: Invalid value for attribute 'bad' in element 'e': 'Yes'.");
  EXPECT_FALSE(PropTriState(e, "empty").ok());
}

TEST(ParseValuesTest, DnsmasqSafety) {
  EXPECT_TRUE(CheckDnsmasqSafe("a b,c#d", "x", "n").ok());
  EXPECT_FALSE(CheckDnsmasqSafe("a\x7f", "x", "n").ok());
  EXPECT_FALSE(CheckDnsmasqSafe(std::string("a\0b", 3), "x", "n").ok());
  EXPECT_TRUE(CheckHostnameSafe("host-1.example", "x", "n").ok());
  for (const char* bad : {"a b", "a,b", "a#b", "a\tb", "a\nb", "a\rb"}) {
    EXPECT_FALSE(CheckHostnameSafe(bad, "x", "n").ok()) << bad;
  }
  EXPECT_EQ(EscapeControl("a\nb\rc\td\x01"), "a\\nb\\rc\\td\\x01");
}

}  // namespace
}  // namespace virtnat::xml
