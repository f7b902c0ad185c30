// Hostile input against the hardened reader and ParseNetworkXml.
#include "xml/xml_document.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "xml/network_parse.h"

namespace virtnat::xml {
namespace {

Error ParseError(const std::string& text) {
  auto def = ParseNetworkXml(text);
  EXPECT_FALSE(def.ok());
  return def.ok() ? Error{} : def.error();
}

TEST(XmlDocumentTest, BillionLaughsIsRefusedBeforeAnyExpansion) {
  std::string doc = "<?xml version='1.0'?>\n<!DOCTYPE network [\n <!ENTITY lol 'lol'>\n";
  std::string prev = "lol";
  for (int i = 1; i <= 9; ++i) {
    std::string name = "lol" + std::to_string(i);
    doc += " <!ENTITY " + name + " '";
    for (int k = 0; k < 10; ++k) doc += "&" + prev + ";";
    doc += "'>\n";
    prev = name;
  }
  doc += "]>\n<network><name>&lol9;</name></network>\n";
  Error e = ParseError(doc);
  EXPECT_EQ(e.code, VIR_ERR_XML_DETAIL);
  EXPECT_EQ(e.domain, VIR_FROM_NETWORK);
  EXPECT_EQ(e.message,
            "(network_definition):2: DOCTYPE declarations are not allowed (no DTDs or entity "
            "declarations)");
}

TEST(XmlDocumentTest, ExternalEntityIsRefused) {
  Error e = ParseError(
      "<!DOCTYPE network [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
      "<network><name>&xxe;</name></network>");
  EXPECT_EQ(e.code, VIR_ERR_XML_DETAIL);
  EXPECT_NE(e.message.find("DOCTYPE declarations are not allowed"), std::string::npos);
  // An external DTD is refused the same way, before anything is fetched.
  e = ParseError(
      "<!DOCTYPE network SYSTEM 'http://203.0.113.1/evil.dtd'><network><name>a</name>"
      "</network>");
  EXPECT_NE(e.message.find("DOCTYPE declarations are not allowed"), std::string::npos);
}

TEST(XmlDocumentTest, UndeclaredEntityIsASyntaxError) {
  Error e = ParseError("<network><name>&xxe;</name></network>");
  EXPECT_EQ(e.code, VIR_ERR_XML_DETAIL);
  EXPECT_EQ(e.message.rfind("(network_definition):1: Entity 'xxe' not defined\n", 0), 0u)
      << e.message;
}

TEST(XmlDocumentTest, OversizedDocumentIsRefused) {
  std::string doc =
      "<network><name>a</name><!--" + std::string(10 * 1024 * 1024, 'x') + "--></network>";
  Error e = ParseError(doc);
  EXPECT_EQ(e.code, VIR_ERR_XML_ERROR);
  EXPECT_EQ(e.message, "XML error: (network_definition): document of " +
                           std::to_string(doc.size()) + " bytes exceeds the limit of " +
                           std::to_string(kMaxNetworkXmlSize) + " bytes");
}

TEST(XmlDocumentTest, DeepNestingGivesAClearError) {
  std::string doc = "<network><name>a</name>";
  for (int i = 0; i < 10000; ++i) doc += "<a>";
  for (int i = 0; i < 10000; ++i) doc += "</a>";
  doc += "</network>";
  Error e = ParseError(doc);
  EXPECT_EQ(e.code, VIR_ERR_XML_DETAIL);
  EXPECT_NE(e.message.find("Excessive depth in document: 256"), std::string::npos) << e.message;
}

TEST(XmlDocumentTest, InvalidUtf8IsRefused) {
  Error e = ParseError("<network>\n<name>a\xff</name></network>");
  EXPECT_EQ(e.code, VIR_ERR_XML_DETAIL);
  EXPECT_EQ(e.message, "(network_definition):2: Input is not valid UTF-8 (byte 0xff at offset 17)");
  // Overlong encoding of '/' and a UTF-16 surrogate.
  EXPECT_NE(ParseError("<network><name>\xc0\xaf</name></network>").message.find("UTF-8"),
            std::string::npos);
  EXPECT_NE(ParseError("<network><name>\xed\xa0\x80</name></network>").message.find("UTF-8"),
            std::string::npos);
  // Valid multibyte text is fine.
  auto ok = ParseNetworkXml("<network><name>n\xc3\xa9t\xe2\x82\xac</name></network>");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->name, "n\xc3\xa9t\xe2\x82\xac");
}

TEST(XmlDocumentTest, NulByteIsRefused) {
  std::string doc = "<network><name>a";
  doc += '\0';
  doc += "b</name></network>";
  Error e = ParseError(doc);
  EXPECT_EQ(e.code, VIR_ERR_XML_DETAIL);
  EXPECT_EQ(e.message, "(network_definition):1: document contains a NUL byte at offset 16");
}

TEST(XmlDocumentTest, UpdateFragmentsUseTheirLabel) {
  auto doc = ParseXmlDocument("<host mac='a' mac='b'/>", "network_update_xml", 4096);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().message.rfind("network_update_xml:1: Attribute mac redefined\n", 0), 0u)
      << doc.error().message;
}

TEST(XmlDocumentTest, ConcurrentParsesKeepTheirOwnErrors) {
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([i, &results] {
      for (int k = 0; k < 200; ++k) {
        std::string doc = i % 2 ? "<network><name>t" + std::to_string(i) + "</name></network>"
                                : "<network>\n<name>t</nam>";
        auto def = ParseNetworkXml(doc);
        std::string got = def.ok() ? def->name : def.error().message;
        if (k == 0) {
          results[i] = got;
        } else if (got != results[i]) {
          results[i] = "inconsistent: " + got;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    if (i % 2) {
      EXPECT_EQ(results[i], "t" + std::to_string(i));
    } else {
      EXPECT_EQ(
          results[i].rfind("(network_definition):2: Opening and ending tag mismatch: name", 0), 0u)
          << results[i];
    }
  }
}

struct Injection {
  const char* what;
  std::string xml;
  std::string message;
};

TEST(XmlDocumentTest, DnsmasqLineInjectionIsRefused) {
  const std::string net = "<network><name>x-t</name>";
  const std::string ip = "<ip address='10.66.5.1' prefix='24'>";
  const Injection cases[] = {
      {"dns hostname",
       net + "<dns><host ip='10.66.5.9'><hostname>a\nserver=1.2.3.4</hostname></host></dns>" + ip +
           "</ip></network>",
       "XML error: invalid character 0x0a in DNS host name 'a\\nserver=1.2.3.4' of network "
       "'x-t': it would corrupt the dnsmasq configuration"},
      {"dns hostname via char reference",
       net + "<dns><host ip='10.66.5.9'><hostname>a&#13;b</hostname></host></dns>" + ip +
           "</ip></network>",
       "XML error: invalid character 0x0d in DNS host name 'a\\rb' of network 'x-t': it would "
       "corrupt the dnsmasq configuration"},
      {"dhcp host name",
       net + ip + "<dhcp><host name='vm&#10;dhcp-range=1' ip='10.66.5.9'/></dhcp></ip></network>",
       "XML error: invalid character 0x0a in DHCP host name 'vm\\ndhcp-range=1' of network "
       "'x-t': it would corrupt the dnsmasq configuration"},
      {"dhcp host name with a comma",
       net + ip + "<dhcp><host name='vm,set:x' ip='10.66.5.9'/></dhcp></ip></network>",
       "XML error: invalid character 0x2c in DHCP host name 'vm,set:x' of network 'x-t': it "
       "would corrupt the dnsmasq configuration"},
      {"txt value", net + "<dns><txt name='n' value='v&#10;x'/></dns>" + ip + "</ip></network>",
       "XML error: invalid character 0x0a in DNS TXT value 'v\\nx' of network 'x-t': it would "
       "corrupt the dnsmasq configuration"},
      {"dnsmasq option",
       "<network xmlns:d='http://libvirt.org/schemas/network/dnsmasq/1.0'><name>x-t</name>"
       "<d:options><d:option value='a&#10;b'/></d:options></network>",
       "XML error: invalid character 0x0a in dnsmasq option 'a\\nb' of network 'x-t': it would "
       "corrupt the dnsmasq configuration"},
      {"domain name", net + "<domain name='ex&#10;ample'/></network>",
       "XML error: invalid character 0x0a in domain name 'ex\\nample' of network 'x-t': it "
       "would corrupt the dnsmasq configuration"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Error e = ParseError(c.xml);
    EXPECT_EQ(e.code, VIR_ERR_XML_ERROR);
    EXPECT_EQ(e.domain, VIR_FROM_NETWORK);
    EXPECT_EQ(e.message, c.message);
  }
}

// The brief style: the label and libxml2's message of the last error, no
// line and no context; the hardened checks are the same.
TEST(XmlDocumentTest, BriefErrorStyle) {
  auto doc = ParseXmlDocument("<a><b>x</a>", "(label)", 4096, XmlErrorStyle::kBrief);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, VIR_ERR_XML_DETAIL);
  EXPECT_EQ(doc.error().message, "(label): Premature end of data in tag a line 1");
  auto full = ParseXmlDocument("<a><b>x</a>", "(label)", 4096);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message.rfind("(label):1: Opening and ending tag mismatch", 0), 0u)
      << full.error().message;
  auto doctype = ParseXmlDocument("<!DOCTYPE a [<!ENTITY e 'x'>]><a/>", "(label)", 4096,
                                  XmlErrorStyle::kBrief);
  ASSERT_FALSE(doctype.ok());
  EXPECT_EQ(doctype.error().message,
            "(label):1: DOCTYPE declarations are not allowed (no DTDs or entity declarations)");
}

}  // namespace
}  // namespace virtnat::xml
