#include <glib.h>
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "rpc/call_log.h"
#include "tests/unit/rpc/dispatch_fixture.h"

namespace virtnat::rpc {
namespace {

TEST_F(DispatchTest, ReadOnlyConnectionRefusesEveryWriteProcedure) {
  ClientState rw = Open();
  driver::NetworkRef net = Define(rw, "n1");
  const std::pair<int32_t, const char*> kWrites[] = {
      {proc::kNetworkCreate, "virNetworkCreate"},
      {proc::kNetworkCreateXml, "virNetworkCreateXML"},
      {proc::kNetworkCreateXmlFlags, "virNetworkCreateXMLFlags"},
      {proc::kNetworkDefineXml, "virNetworkDefineXML"},
      {proc::kNetworkDefineXmlFlags, "virNetworkDefineXMLFlags"},
      {proc::kNetworkUndefine, "virNetworkUndefine"},
      {proc::kNetworkUpdate, "virNetworkUpdate"},
      {proc::kNetworkDestroy, "virNetworkDestroy"},
      {proc::kNetworkSetAutostart, "virNetworkSetAutostart"},
      {proc::kNetworkPortCreateXml, "virNetworkPortCreateXML"},
      {proc::kNetworkPortSetParameters, "virNetworkPortSetParameters"},
      {proc::kNetworkPortDelete, "virNetworkPortDelete"},
      {proc::kNetworkSetMetadata, "virNetworkSetMetadata"},
  };
  for (bool via_socket : {true, false}) {
    ClientState ro = Open(via_socket, via_socket ? 0 : VIR_CONNECT_RO);
    for (auto [number, api] : kWrites) {
      Reply r = Call(ro, number, NetArgs(net));
      ASSERT_TRUE(r.is_error()) << number;
      Error e = r.error();
      EXPECT_EQ(e.code, VIR_ERR_OPERATION_DENIED);
      EXPECT_EQ(e.domain, VIR_FROM_NETWORK);
      EXPECT_EQ(e.message, std::string("operation forbidden: read only access prevents ") + api);
    }
    // Reads are allowed.
    EXPECT_FALSE(Call(ro, proc::kNetworkIsActive, NetArgs(net)).is_error());
  }
  auto still = driver_.IsPersistent(net);
  ASSERT_TRUE(still.ok());
  EXPECT_TRUE(*still);
}

TEST_F(DispatchTest, DeniedPeerGetsAccessDeniedButMayListAuth) {
  ClientState c;
  c.denied = "peer uid 1000 may not use the read-write socket";
  EXPECT_FALSE(Call(c, proc::kAuthList).is_error());
  Bytes args;
  XdrEncoder enc(args);
  enc.OptString(std::string("network:///system"));
  enc.Uint(0);
  Reply r = Call(c, proc::kConnectOpen, args);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().code, VIR_ERR_ACCESS_DENIED);
  EXPECT_EQ(r.error().message, "access denied: peer uid 1000 may not use the read-write socket");
  EXPECT_FALSE(c.open);
}

TEST_F(DispatchTest, ReadOnlySocketIgnoresOpenFlags) {
  ClientState ro = Open(/*readonly_socket=*/true, /*flags=*/0);
  EXPECT_TRUE(ro.readonly);
}

TEST_F(DispatchTest, LifecycleOfADefinedNetwork) {
  ClientState c = Open();
  driver::NetworkRef net = Define(c, "n1");
  EXPECT_FALSE(Call(c, proc::kNetworkCreate, NetArgs(net)).is_error());
  Reply again = Call(c, proc::kNetworkCreate, NetArgs(net));
  ASSERT_TRUE(again.is_error());
  EXPECT_EQ(again.error().message, "Requested operation is not valid: network is already active");

  Reply active = Call(c, proc::kNetworkIsActive, NetArgs(net));
  EXPECT_EQ(active.payload, Bytes({0, 0, 0, 1}));

  Reply bridge = Call(c, proc::kNetworkGetBridgeName, NetArgs(net));
  XdrDecoder dec(bridge.payload);
  EXPECT_EQ(dec.String(kStringMax), "virbr0");

  EXPECT_FALSE(Call(c, proc::kNetworkDestroy, NetArgs(net)).is_error());
  Reply stopped = Call(c, proc::kNetworkDestroy, NetArgs(net));
  ASSERT_TRUE(stopped.is_error());
  EXPECT_EQ(stopped.error().message,
            "Requested operation is not valid: network 'n1' is not active");
  EXPECT_FALSE(Call(c, proc::kNetworkUndefine, NetArgs(net)).is_error());
  Reply gone = Call(c, proc::kNetworkIsActive, NetArgs(net));
  ASSERT_TRUE(gone.is_error());
  EXPECT_EQ(gone.error().code, VIR_ERR_NO_NETWORK);
}

TEST_F(DispatchTest, ListAllNetworksHonoursNeedResultsAndFlags) {
  ClientState c = Open();
  driver::NetworkRef a = Define(c, "a");
  Define(c, "b");
  ASSERT_FALSE(Call(c, proc::kNetworkCreate, NetArgs(a)).is_error());
  auto list = [&](int32_t need, uint32_t flags) {
    Bytes args;
    XdrEncoder enc(args);
    enc.Int(need);
    enc.Uint(flags);
    Reply r = Call(c, proc::kConnectListAllNetworks, args);
    XdrDecoder dec(r.payload);
    std::vector<std::string> names;
    uint32_t n = dec.ArrayCount(kNetworkListMax);
    for (uint32_t i = 0; i < n; ++i) names.push_back(DecodeNetwork(dec).name);
    uint32_t ret = dec.Uint();
    EXPECT_TRUE(dec.ok());
    return std::make_pair(names, ret);
  };
  EXPECT_EQ(list(1, 0).second, 2u);
  EXPECT_EQ(list(1, VIR_CONNECT_LIST_NETWORKS_ACTIVE).first, std::vector<std::string>{"a"});
  EXPECT_EQ(list(1, VIR_CONNECT_LIST_NETWORKS_INACTIVE).first, std::vector<std::string>{"b"});
  auto count_only = list(0, 0);
  EXPECT_TRUE(count_only.first.empty());
  EXPECT_EQ(count_only.second, 2u);

  Bytes bad;
  XdrEncoder enc(bad);
  enc.Int(1);
  enc.Uint(0x80);
  Reply r = Call(c, proc::kConnectListAllNetworks, bad);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().code, VIR_ERR_INVALID_ARG);
  EXPECT_EQ(r.error().message,
            "unsupported flags (0x80) in function networkConnectListAllNetworks");
}

TEST_F(DispatchTest, OldListCallsReturnNamesAndCounts) {
  ClientState c = Open();
  driver::NetworkRef a = Define(c, "a");
  Define(c, "b");
  Define(c, "c");
  ASSERT_FALSE(Call(c, proc::kNetworkCreate, NetArgs(a)).is_error());
  EXPECT_EQ(Call(c, proc::kConnectNumOfNetworks).payload, Bytes({0, 0, 0, 1}));
  EXPECT_EQ(Call(c, proc::kConnectNumOfDefinedNetworks).payload, Bytes({0, 0, 0, 2}));
  Bytes args;
  XdrEncoder enc(args);
  enc.Int(1);  // maxnames
  Reply r = Call(c, proc::kConnectListDefinedNetworks, args);
  XdrDecoder dec(r.payload);
  ASSERT_EQ(dec.ArrayCount(kNetworkListMax), 1u);
  EXPECT_EQ(dec.String(kStringMax), "b");
}

TEST_F(DispatchTest, KeepalivePingIsAnsweredEvenBeforeOpen) {
  ClientState c;
  Header ping;
  ping.prog = kKeepaliveProgram;
  ping.proc = keepalive::kPing;
  ping.type = MessageType::kMessage;
  std::vector<Bytes> out;
  EXPECT_TRUE(dispatcher_.HandleFrame(c, EncodeFrame(ping, {}), out));
  ASSERT_EQ(out.size(), 1u);
  auto f = DecodeFrame(out[0]);
  EXPECT_EQ(f->header.prog, kKeepaliveProgram);
  EXPECT_EQ(f->header.proc, keepalive::kPong);
  EXPECT_EQ(f->header.type, MessageType::kMessage);
  Header pong = ping;
  pong.proc = keepalive::kPong;
  out.clear();
  EXPECT_TRUE(dispatcher_.HandleFrame(c, EncodeFrame(pong, {}), out));
  EXPECT_TRUE(out.empty());
}

TEST_F(DispatchTest, FeatureKeepaliveEnablesServerPings) {
  ClientState c;
  Bytes args = {0, 0, 0, 10};
  Reply r = Call(c, proc::kConnectSupportsFeature, args);
  EXPECT_EQ(r.payload, Bytes({0, 0, 0, 1}));
  EXPECT_TRUE(c.keepalive);
}

TEST_F(DispatchTest, NetworkUpdateFeatureMustBeSupported) {
  ClientState c = Open();
  EXPECT_EQ(Call(c, proc::kConnectSupportsFeature, Bytes{0, 0, 0, 16}).payload,
            Bytes({0, 0, 0, 1}));
  EXPECT_EQ(Call(c, proc::kConnectSupportsFeature, Bytes{0, 0, 0, 99}).payload,
            Bytes({0, 0, 0, 0}));
}

TEST_F(DispatchTest, UndecodablePayloadGetsRpcError) {
  ClientState c = Open();
  Reply r = Call(c, proc::kNetworkGetXmlDesc, Bytes{0, 0, 0, 100});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().code, VIR_ERR_RPC);
  EXPECT_EQ(r.error().domain, VIR_FROM_RPC);
  EXPECT_EQ(r.error().message, "Unable to decode message payload");
}

TEST_F(DispatchTest, CallWithErrorStatusIsRefused) {
  ClientState c = Open();
  Header h;
  h.proc = proc::kConnectGetType;
  h.status = MessageStatus::kError;
  std::vector<Bytes> out;
  EXPECT_TRUE(dispatcher_.HandleFrame(c, EncodeFrame(h, {}), out));
  ASSERT_EQ(out.size(), 1u);
  XdrDecoder dec(DecodeFrame(out[0])->payload);
  EXPECT_EQ(DecodeError(dec).message, "Unexpected message status 1");
}

TEST_F(DispatchTest, StreamPacketsAreDropped) {
  ClientState c = Open();
  Header h;
  h.type = MessageType::kStream;
  std::vector<Bytes> out;
  EXPECT_TRUE(dispatcher_.HandleFrame(c, EncodeFrame(h, {}), out));
  EXPECT_TRUE(out.empty());
}

TEST_F(DispatchTest, ConnectCloseClosesAfterTheReply) {
  ClientState c = Open();
  Reply r = Call(c, proc::kConnectClose);
  EXPECT_FALSE(r.is_error());
  EXPECT_FALSE(keep_);
}

TEST_F(DispatchTest, UpdateAppliesLiveAndConfigSides) {
  ClientState c = Open();
  driver::NetworkRef net = Define(c, "u1");
  ASSERT_FALSE(Call(c, proc::kNetworkCreate, NetArgs(net)).is_error());
  auto update = [&](uint32_t flags, const std::string& xml) {
    Bytes args = NetArgs(net);
    XdrEncoder enc(args);
    enc.Uint(VIR_NETWORK_UPDATE_COMMAND_ADD_LAST);
    enc.Uint(VIR_NETWORK_SECTION_IP_DHCP_HOST);
    enc.Int(-1);
    enc.String(xml);
    enc.Uint(flags);
    return Call(c, proc::kNetworkUpdate, args);
  };
  EXPECT_FALSE(update(VIR_NETWORK_UPDATE_AFFECT_LIVE, "L").is_error());
  EXPECT_FALSE(update(VIR_NETWORK_UPDATE_AFFECT_CONFIG, "C").is_error());
  auto xml = [&](unsigned flags) {
    auto r = driver_.GetXmlDesc(net, flags);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : "";
  };
  EXPECT_NE(xml(0).find("<description>L</description>"), std::string::npos);
  EXPECT_NE(xml(1).find("<description>C</description>"), std::string::npos);
  Reply bad = update(4, "X");
  ASSERT_TRUE(bad.is_error());
  EXPECT_EQ(bad.error().message, "unsupported flags (0x4) in function networkUpdate");
}

// The call log (rpc/call_log.h): a debug line per call while it is on,
// none while it is off.
TEST_F(DispatchTest, LogsEachCallAtDebugLevelOnlyWhileCallLoggingIsOn) {
  std::vector<std::string> lines;
  auto collect = [](const gchar*, GLogLevelFlags level, const gchar* message, gpointer data) {
    if ((level & G_LOG_LEVEL_DEBUG) != 0) {
      static_cast<std::vector<std::string>*>(data)->push_back(message);
    }
  };
  GLogFunc previous = g_log_set_default_handler(collect, &lines);
  ClientState c = Open();
  c.peer = "pid 42 (virsh), uid 0";
  driver::NetworkRef net = Define(c, "n1");
  EXPECT_TRUE(lines.empty());
  SetCallLogging(true);
  Call(c, proc::kNetworkGetXmlDesc, [&] {
    Bytes args = NetArgs(net);
    XdrEncoder(args).Uint(0);
    return args;
  }());
  Call(c, proc::kConnectGetHostname);
  SetCallLogging(false);
  Call(c, proc::kNetworkIsActive, NetArgs(net));
  g_log_set_default_handler(previous, nullptr);
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "call NETWORK_GET_XML_DESC network 'n1' (client pid 42 (virsh), uid 0)",
                       "call CONNECT_GET_HOSTNAME (client pid 42 (virsh), uid 0)"}));
}

}  // namespace
}  // namespace virtnat::rpc
