// Calls that complete later (network starts): the dispatcher hands back a
// pending reply, the server sends it when the start completes, keeps each
// client's replies in the order of its calls, and serves other clients
// meanwhile. The realizer completes starts only when the test says so.

#include <gtest/gtest.h>
#include <poll.h>

#include <optional>
#include <thread>

#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "rpc/dispatcher.h"
#include "rpc/remote_types.h"
#include "rpc/server.h"
#include "tests/support/deferred_realizer.h"
#include "tests/support/fake_codec.h"
#include "tests/support/rpc_test_support.h"

namespace virtnat::rpc {
namespace {

Bytes XmlArgs(const std::string& name) {
  Bytes args;
  XdrEncoder enc(args);
  enc.String("<network><name>" + name + "</name></network>");
  return args;
}

Bytes NetArgs(const driver::NetworkRef& net) {
  Bytes args;
  XdrEncoder enc(args);
  EncodeNetwork(enc, net);
  return args;
}

Bytes OpenArgs() {
  Bytes args;
  XdrEncoder enc(args);
  enc.OptString(std::string("network:///system"));
  enc.Uint(0);
  return args;
}

Bytes Frame(int32_t procedure, uint32_t serial, const Bytes& args) {
  Header h;
  h.proc = procedure;
  h.serial = serial;
  return EncodeFrame(h, args);
}

std::string ErrorMessage(const DecodedFrame& reply) {
  XdrDecoder dec(reply.payload);
  return DecodeError(dec).message;
}

constexpr char kBeingStarted[] =
    "Requested operation is not valid: network 'a' is being started; try again when it is done";

class DeferredDispatchTest : public ::testing::Test {
 protected:
  // One call that must be answered at once.
  DecodedFrame Call(ClientState& client, int32_t procedure, const Bytes& args = {}) {
    std::vector<Bytes> out;
    std::shared_ptr<PendingReply> pending;
    dispatcher_.HandleFrame(client, Frame(procedure, ++serial_, args), out, &pending);
    EXPECT_FALSE(pending);
    EXPECT_EQ(out.size(), 1u);
    frames_.push_back(out.empty() ? Bytes{} : out[0]);
    Result<DecodedFrame> f = DecodeFrame(frames_.back());
    EXPECT_TRUE(f.ok());
    return f.ok() ? *f : DecodedFrame{};
  }

  ClientState Open() {
    ClientState c;
    EXPECT_EQ(Call(c, proc::kConnectOpen, OpenArgs()).header.status, MessageStatus::kOk);
    return c;
  }

  testing::FakeCodec codec_;
  testing::DeferredRealizer realizer_;
  driver::MemoryStore store_;
  driver::NetworkObjects driver_{codec_, realizer_, store_};
  Dispatcher dispatcher_{driver_};
  uint32_t serial_ = 0;
  std::vector<Bytes> frames_;
};

TEST_F(DeferredDispatchTest, AStartIsAnsweredWhenItCompletesAndOthersMeanwhile) {
  ClientState starter = Open();
  ClientState other = Open();
  XdrDecoder defined(Call(starter, proc::kNetworkDefineXml, XmlArgs("a")).payload);
  driver::NetworkRef a = DecodeNetwork(defined);

  std::vector<Bytes> out;
  std::shared_ptr<PendingReply> pending;
  EXPECT_TRUE(
      dispatcher_.HandleFrame(starter, Frame(proc::kNetworkCreate, 77, NetArgs(a)), out, &pending));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(pending);
  EXPECT_FALSE(pending->complete());

  // Other calls are answered now; a second start of `a` is refused.
  EXPECT_EQ(Call(other, proc::kConnectListAllNetworks,
                 [] {
                   Bytes args;
                   XdrEncoder enc(args);
                   enc.Int(1);
                   enc.Uint(0);
                   return args;
                 }())
                .header.status,
            MessageStatus::kOk);
  DecodedFrame again = Call(other, proc::kNetworkCreate, NetArgs(a));
  EXPECT_EQ(again.header.status, MessageStatus::kError);
  EXPECT_EQ(ErrorMessage(again), kBeingStarted);

  std::vector<Bytes> sunk;
  pending->SetSink([&sunk](Bytes frame) { sunk.push_back(std::move(frame)); });
  EXPECT_TRUE(sunk.empty());
  ASSERT_TRUE(realizer_.Complete("a"));
  ASSERT_EQ(sunk.size(), 1u);
  Result<DecodedFrame> reply = DecodeFrame(sunk[0]);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->header.serial, 77u);
  EXPECT_EQ(reply->header.proc, proc::kNetworkCreate);
  EXPECT_EQ(reply->header.type, MessageType::kReply);
  EXPECT_EQ(reply->header.status, MessageStatus::kOk);
  EXPECT_TRUE(reply->payload.empty());
}

TEST_F(DeferredDispatchTest, ACreateXmlReplyCarriesTheNetworkOrTheError) {
  ClientState client = Open();
  std::vector<Bytes> out;
  std::shared_ptr<PendingReply> pending;
  dispatcher_.HandleFrame(client, Frame(proc::kNetworkCreateXml, 5, XmlArgs("a")), out, &pending);
  ASSERT_TRUE(pending);
  ASSERT_TRUE(realizer_.Complete("a", InternalError("dnsmasq: bad option")));
  // Completed before anyone asked: the frame waits for its sink.
  std::optional<Bytes> frame = pending->TakeFrame();
  ASSERT_TRUE(frame);
  Result<DecodedFrame> failed = DecodeFrame(*frame);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->header.status, MessageStatus::kError);
  EXPECT_EQ(ErrorMessage(*failed), "internal error: dnsmasq: bad option");

  pending.reset();
  dispatcher_.HandleFrame(client, Frame(proc::kNetworkCreateXml, 6, XmlArgs("a")), out, &pending);
  ASSERT_TRUE(pending);
  ASSERT_TRUE(realizer_.Complete("a"));
  frame = pending->TakeFrame();
  ASSERT_TRUE(frame);
  Result<DecodedFrame> created = DecodeFrame(*frame);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->header.status, MessageStatus::kOk);
  XdrDecoder dec(created->payload);
  EXPECT_EQ(DecodeNetwork(dec).name, "a");
  EXPECT_TRUE(out.empty());
}

TEST_F(DeferredDispatchTest, AnAbandonedReplyIsDroppedButTheStartFinishes) {
  ClientState client = Open();
  std::vector<Bytes> out;
  std::shared_ptr<PendingReply> pending;
  dispatcher_.HandleFrame(client, Frame(proc::kNetworkCreateXml, 5, XmlArgs("a")), out, &pending);
  ASSERT_TRUE(pending);
  bool sunk = false;
  pending->SetSink([&sunk](Bytes) { sunk = true; });
  pending->Abandon();
  pending.reset();
  ASSERT_TRUE(realizer_.Complete("a"));
  EXPECT_FALSE(sunk);
  EXPECT_TRUE(*driver_.IsActive(*driver_.LookupByName("a")));
}

// The server on a loop thread; the test is the clients.
class DeferredServerTest : public ::testing::Test {
 protected:
  template <typename Fn>
  auto OnLoop(Fn fn) -> decltype(fn()) {
    return loop_.OnLoop(std::move(fn));
  }

  TestClient Connect() {
    TestClient client = loop_.Connect();
    EXPECT_TRUE(client.Open());
    return client;
  }

  void WaitUntilPending(const std::string& name) {
    for (int i = 0; i < 500 && !OnLoop([&] { return realizer_.IsPending(name); }); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_TRUE(OnLoop([&] { return realizer_.IsPending(name); }));
  }

  static bool Readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, timeout_ms) == 1;
  }

  testing::FakeCodec codec_;
  testing::DeferredRealizer realizer_;
  driver::MemoryStore store_;
  driver::NetworkObjects driver_{codec_, realizer_, store_};
  ServerThread loop_{driver_};
};

TEST_F(DeferredServerTest, APendingStartHoldsOnlyItsOwnClientsLaterReplies) {
  TestClient starter = Connect();
  TestClient other = Connect();
  std::optional<DecodedFrame> defined = starter.Call(proc::kNetworkDefineXml, XmlArgs("a"));
  ASSERT_TRUE(defined);
  XdrDecoder dec(defined->payload);
  driver::NetworkRef a = DecodeNetwork(dec);

  // The start, and behind it a call that must be answered after it.
  ASSERT_TRUE(starter.SendRaw(Frame(proc::kNetworkCreate, 100, NetArgs(a))));
  ASSERT_TRUE(starter.SendRaw(Frame(proc::kNetworkIsActive, 101, NetArgs(a))));
  ASSERT_NO_FATAL_FAILURE(WaitUntilPending("a"));

  auto begin = std::chrono::steady_clock::now();
  std::optional<DecodedFrame> again = other.Call(proc::kNetworkCreate, NetArgs(a));
  ASSERT_TRUE(again);
  EXPECT_EQ(ErrorMessage(*again), kBeingStarted);
  std::optional<DecodedFrame> defined_b = other.Call(proc::kNetworkDefineXml, XmlArgs("b"));
  ASSERT_TRUE(defined_b);
  EXPECT_EQ(defined_b->header.status, MessageStatus::kOk);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  EXPECT_FALSE(Readable(starter.fd(), 100));  // nothing for the starter yet

  ASSERT_TRUE(OnLoop([&] { return realizer_.Complete("a"); }));
  std::optional<Bytes> first = starter.Receive();
  std::optional<Bytes> second = starter.Receive();
  ASSERT_TRUE(first && second);
  Result<DecodedFrame> create = DecodeFrame(*first);
  Result<DecodedFrame> active = DecodeFrame(*second);
  ASSERT_TRUE(create.ok() && active.ok());
  EXPECT_EQ(create->header.serial, 100u);
  EXPECT_EQ(create->header.status, MessageStatus::kOk);
  EXPECT_EQ(active->header.serial, 101u);
  XdrDecoder is_active(active->payload);
  EXPECT_EQ(is_active.Int(), 1);
}

TEST_F(DeferredServerTest, AClientGoneWhileItsStartIsPendingHarmsNothing) {
  TestClient other = Connect();
  {
    TestClient starter = Connect();
    ASSERT_TRUE(starter.SendRaw(Frame(proc::kNetworkCreateXml, 9, XmlArgs("a"))));
    ASSERT_NO_FATAL_FAILURE(WaitUntilPending("a"));
  }  // disconnects
  ASSERT_TRUE(OnLoop([&] { return realizer_.Complete("a"); }));
  // The start finished; the server dropped the client and goes on serving.
  std::optional<DecodedFrame> lookup = other.Call(proc::kNetworkLookupByName, [] {
    Bytes args;
    XdrEncoder enc(args);
    enc.String("a");
    return args;
  }());
  ASSERT_TRUE(lookup);
  XdrDecoder dec(lookup->payload);
  driver::NetworkRef a = DecodeNetwork(dec);
  std::optional<DecodedFrame> active = other.Call(proc::kNetworkIsActive, NetArgs(a));
  ASSERT_TRUE(active);
  XdrDecoder is_active(active->payload);
  EXPECT_EQ(is_active.Int(), 1);
  for (int i = 0; i < 200 && OnLoop([&] { return loop_.server().client_count(); }) != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(OnLoop([&] { return loop_.server().client_count(); }), 1u);
}

}  // namespace
}  // namespace virtnat::rpc
