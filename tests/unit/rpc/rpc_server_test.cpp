// The socket layer over socketpair(): real non-blocking I/O on a GLib loop
// running in a second thread, a blocking test client in this one.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "rpc/message.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "rpc/server.h"
#include "tests/support/fake_codec.h"
#include "tests/support/rpc_test_support.h"

namespace virtnat::rpc {
namespace {

using Clock = std::chrono::steady_clock;

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerLimits limits = {}) { loop_ = std::make_unique<ServerThread>(driver_, limits); }
  TestClient Connect(bool readonly = false) { return loop_->Connect(readonly); }
  Server& server() { return loop_->server(); }

  testing::FakeCodec codec_;
  driver::NullRealizer realizer_;
  driver::MemoryStore store_;
  driver::NetworkObjects driver_{codec_, realizer_, store_};
  std::unique_ptr<ServerThread> loop_;
};

Bytes DefineArgs(const std::string& name) {
  Bytes args;
  XdrEncoder enc(args);
  enc.String("<network><name>" + name + "</name></network>");
  return args;
}

TEST_F(ServerTest, HandshakeAndCallsOverASocket) {
  Start();
  TestClient c = Connect();
  auto auth = c.Call(proc::kAuthList);
  ASSERT_TRUE(auth);
  EXPECT_EQ(Bytes(auth->payload.begin(), auth->payload.end()), Bytes({0, 0, 0, 1, 0, 0, 0, 0}));
  ASSERT_TRUE(c.Open());
  auto def = c.Call(proc::kNetworkDefineXml, DefineArgs("s1"));
  ASSERT_TRUE(def);
  EXPECT_EQ(def->header.status, MessageStatus::kOk);
  auto close = c.Call(proc::kConnectClose);
  ASSERT_TRUE(close);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, EventsAreDeliveredToRegisteredClients) {
  Start();
  TestClient watcher = Connect();
  TestClient actor = Connect();
  ASSERT_TRUE(watcher.Open());
  ASSERT_TRUE(actor.Open());
  Bytes reg;
  XdrEncoder enc(reg);
  enc.Int(0);
  enc.Bool(false);
  auto r = watcher.Call(proc::kConnectNetworkEventRegisterAny, reg);
  ASSERT_TRUE(r);
  ASSERT_TRUE(actor.Call(proc::kNetworkDefineXml, DefineArgs("e1")));
  auto event = watcher.Receive();
  ASSERT_TRUE(event);
  auto f = DecodeFrame(*event);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->header.proc, proc::kNetworkEventLifecycle);
  XdrDecoder dec(f->payload);
  dec.Int();
  EXPECT_EQ(DecodeNetwork(dec).name, "e1");
  EXPECT_EQ(dec.Int(), 0);  // DEFINED
}

TEST_F(ServerTest, OversizedLengthClosesOnlyThatClient) {
  Start();
  TestClient bad = Connect();
  TestClient good = Connect();
  ASSERT_TRUE(good.Open());
  // 2^31, 0, and 9 MiB (above the 8 MiB call limit).
  for (const char* word : {"\x80\x00\x00\x00", "\x00\x00\x00\x00", "\x00\x90\x00\x00"}) {
    TestClient hostile = Connect();
    ASSERT_TRUE(hostile.SendRaw(Bytes(word, word + 4)));
    EXPECT_TRUE(hostile.ClosedByServer());
  }
  ASSERT_TRUE(bad.SendRaw(Bytes(3, 0)));  // truncated, then the client vanishes
  { TestClient gone = std::move(bad); }
  auto r = good.Call(proc::kConnectGetType);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header.status, MessageStatus::kOk);
}

TEST_F(ServerTest, LargestLegitimateCallIsAccepted) {
  Start();
  TestClient c = Connect();
  ASSERT_TRUE(c.Open());
  // A 4 MiB document (REMOTE_STRING_MAX): answered (with the codec's error),
  // not dropped.
  Bytes args;
  XdrEncoder enc(args);
  enc.String(std::string(kStringMax, 'x'));
  auto r = c.Call(proc::kNetworkDefineXml, args);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header.status, MessageStatus::kError);
}

TEST_F(ServerTest, GarbageAndWrongProgramGetErrorReplies) {
  Start();
  TestClient c = Connect();
  Header h;
  h.prog = 0x12345678;
  ASSERT_TRUE(c.SendRaw(EncodeFrame(h, {})));
  auto reply = c.Receive();
  ASSERT_TRUE(reply);
  auto f = DecodeFrame(*reply);
  EXPECT_EQ(f->header.status, MessageStatus::kError);
  ASSERT_TRUE(c.Open());
  auto r = c.Call(proc::kNetworkLookupByName, Bytes{0xff, 0xff, 0xff, 0xf0, 1, 2, 3});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header.status, MessageStatus::kError);
}

TEST_F(ServerTest, ManyIdleClientsDoNotStarveAnActiveOne) {
  Start();
  std::vector<TestClient> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(Connect());
  TestClient active = Connect();
  ASSERT_TRUE(active.Open());
  auto start = Clock::now();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(active.Call(proc::kConnectGetType));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ServerTest, ClientThatNeverReadsIsThrottledNotOthers) {
  ServerLimits limits;
  limits.max_queued_bytes = 64 * 1024;
  Start(limits);
  TestClient greedy = Connect();
  ASSERT_TRUE(greedy.Open());
  int flags = fcntl(greedy.fd(), F_GETFL);
  fcntl(greedy.fd(), F_SETFL, flags | O_NONBLOCK);
  // Calls whose replies are never read, until the socket stops taking them.
  Header h;
  h.proc = proc::kConnectGetUri;
  Bytes call = EncodeFrame(h, {});
  for (int i = 0; i < 200000; ++i) {
    if (send(greedy.fd(), call.data(), call.size(), MSG_NOSIGNAL) < 0) break;
  }
  TestClient polite = Connect();
  auto start = Clock::now();
  ASSERT_TRUE(polite.Open());
  ASSERT_TRUE(polite.Call(proc::kConnectGetType));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ServerTest, KeepalivePingsThenDropsASilentClient) {
  ServerLimits limits;
  limits.keepalive_interval_s = 1;
  limits.keepalive_count = 1;
  Start(limits);
  TestClient c = Connect();
  auto r = c.Call(proc::kConnectSupportsFeature, Bytes{0, 0, 0, 10});
  ASSERT_TRUE(r);
  auto ping = c.Receive();
  ASSERT_TRUE(ping);
  auto f = DecodeFrame(*ping);
  EXPECT_EQ(f->header.prog, kKeepaliveProgram);
  EXPECT_EQ(f->header.proc, keepalive::kPing);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, NoPingsWithoutTheKeepaliveFeature) {
  ServerLimits limits;
  limits.keepalive_interval_s = 1;
  Start(limits);
  TestClient c = Connect();
  ASSERT_TRUE(c.Open());
  pollfd p{c.fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 2500), 0);
}

}  // namespace
}  // namespace virtnat::rpc
