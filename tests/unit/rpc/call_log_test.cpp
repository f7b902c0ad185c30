#include "rpc/call_log.h"

#include <gtest/gtest.h>

#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "rpc/xdr.h"

namespace virtnat::rpc {
namespace {

const driver::Uuid kNetUuid = {0xad, 0xdb, 0xcc, 0xd4, 0xca, 0x08, 0x44, 0x74,
                               0x9b, 0x95, 0x62, 0xa5, 0xc9, 0x9a, 0x6a, 0x8a};
const driver::Uuid kPortUuid = {0xa1, 0xa1, 0xa1, 0xa1, 0x00, 0x00, 0x40, 0x00,
                                0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99};
const std::string kPeer = "pid 4242 (virsh), uid 0";

Bytes NetworkArgs(uint32_t flags) {
  Bytes args;
  XdrEncoder enc(args);
  EncodeNetwork(enc, {"lab", kNetUuid});
  enc.Uint(flags);
  return args;
}

TEST(CallLogTest, ProcedureNamesAreLibvirts) {
  EXPECT_STREQ(ProcedureName(proc::kNetworkCreate), "NETWORK_CREATE");
  EXPECT_STREQ(ProcedureName(proc::kNetworkPortDelete), "NETWORK_PORT_DELETE");
  EXPECT_STREQ(ProcedureName(proc::kConnectListAllNetworks), "CONNECT_LIST_ALL_NETWORKS");
  EXPECT_EQ(ProcedureName(proc::kNetworkEventLifecycle), nullptr);  // an event, not a call
  EXPECT_EQ(ProcedureName(99999), nullptr);
}

TEST(CallLogTest, NamesTheNetworkOfTheArguments) {
  EXPECT_EQ(CallLine(kPeer, proc::kNetworkGetXmlDesc, NetworkArgs(0), ""),
            "call NETWORK_GET_XML_DESC network 'lab' (client pid 4242 (virsh), uid 0)");
}

TEST(CallLogTest, NamesThePortOfTheArguments) {
  Bytes args;
  XdrEncoder enc(args);
  EncodePort(enc, {{"lab", kNetUuid}, kPortUuid});
  enc.Uint(0);
  EXPECT_EQ(CallLine(kPeer, proc::kNetworkPortDelete, args, ""),
            "call NETWORK_PORT_DELETE port a1a1a1a1-0000-4000-8000-000000000099 of network "
            "'lab' (client pid 4242 (virsh), uid 0)");
}

TEST(CallLogTest, LookupsNameWhatTheyLookFor) {
  Bytes by_name;
  XdrEncoder(by_name).String("lab");
  EXPECT_EQ(CallLine("", proc::kNetworkLookupByName, by_name, ""),
            "call NETWORK_LOOKUP_BY_NAME network 'lab'");
  Bytes by_uuid;
  XdrEncoder(by_uuid).FixedOpaque(kNetUuid);
  EXPECT_EQ(CallLine("", proc::kNetworkLookupByUuid, by_uuid, ""),
            "call NETWORK_LOOKUP_BY_UUID network addbccd4-ca08-4474-9b95-62a5c99a6a8a");
}

TEST(CallLogTest, TheHandlersSubjectWinsAndXmlIsNeverLogged) {
  Bytes xml;
  XdrEncoder(xml).String("<network><name>secret-name</name></network>");
  EXPECT_EQ(CallLine(kPeer, proc::kNetworkDefineXml, xml, "network 'lab'"),
            "call NETWORK_DEFINE_XML network 'lab' (client pid 4242 (virsh), uid 0)");
  EXPECT_EQ(CallLine("", proc::kNetworkCreateXml, xml, ""), "call NETWORK_CREATE_XML");
}

TEST(CallLogTest, ArgumentsThatDoNotDecodeNameNothing) {
  Bytes truncated = NetworkArgs(0);
  truncated.resize(6);
  EXPECT_EQ(CallLine("", proc::kNetworkDestroy, truncated, ""), "call NETWORK_DESTROY");
  EXPECT_EQ(CallLine("", proc::kConnectListAllNetworks, {}, ""), "call CONNECT_LIST_ALL_NETWORKS");
  EXPECT_EQ(CallLine("", 99999, {}, ""), "call procedure 99999");
}

TEST(CallLogTest, OffUnlessTurnedOn) {
  EXPECT_FALSE(CallLogging());
  SetCallLogging(true);
  EXPECT_TRUE(CallLogging());
  SetCallLogging(false);
  EXPECT_FALSE(CallLogging());
}

}  // namespace
}  // namespace virtnat::rpc
