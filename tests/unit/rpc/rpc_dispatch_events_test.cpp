// Network events through the dispatcher: lifecycle and metadata.
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "tests/unit/rpc/dispatch_fixture.h"

namespace virtnat::rpc {
namespace {

TEST_F(DispatchTest, EventsReachEveryRegisteredClientWithItsCallbackId) {
  ClientState watcher = Open();
  ClientState filtered = Open();
  ClientState actor = Open();
  Bytes any;
  XdrEncoder enc(any);
  enc.Int(0);
  enc.Bool(false);
  Reply reg = Call(watcher, proc::kConnectNetworkEventRegisterAny, any);
  ASSERT_FALSE(reg.is_error());
  XdrDecoder dec(reg.payload);
  int watcher_id = dec.Int();

  driver::NetworkRef other = Define(actor, "other");
  Bytes only_other;
  XdrEncoder enc2(only_other);
  enc2.Int(0);
  enc2.Bool(true);
  EncodeNetwork(enc2, other);
  ASSERT_FALSE(Call(filtered, proc::kConnectNetworkEventRegisterAny, only_other).is_error());

  driver::NetworkRef net = Define(actor, "n1");
  std::vector<Bytes> frames;
  Dispatcher::AppendLifecycleEvents(watcher, net, driver::LifecycleEvent::kStarted, frames);
  ASSERT_EQ(frames.size(), 1u);
  auto f = DecodeFrame(frames[0]);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->header.proc, proc::kNetworkEventLifecycle);
  EXPECT_EQ(f->header.type, MessageType::kMessage);
  EXPECT_EQ(f->header.serial, 1u);
  XdrDecoder ev(f->payload);
  EXPECT_EQ(ev.Int(), watcher_id);
  EXPECT_EQ(DecodeNetwork(ev), net);
  EXPECT_EQ(ev.Int(), 2);  // STARTED
  EXPECT_EQ(ev.Int(), 0);
  EXPECT_EQ(ev.remaining(), 0u);

  frames.clear();
  Dispatcher::AppendLifecycleEvents(filtered, net, driver::LifecycleEvent::kStarted, frames);
  EXPECT_TRUE(frames.empty());
  Dispatcher::AppendLifecycleEvents(filtered, other, driver::LifecycleEvent::kStarted, frames);
  EXPECT_EQ(frames.size(), 1u);

  Bytes dereg;
  XdrEncoder enc3(dereg);
  enc3.Int(watcher_id);
  EXPECT_FALSE(Call(watcher, proc::kConnectNetworkEventDeregisterAny, dereg).is_error());
  frames.clear();
  Dispatcher::AppendLifecycleEvents(watcher, net, driver::LifecycleEvent::kStopped, frames);
  EXPECT_TRUE(frames.empty());
}

// libvirt 9.7+: NETWORK_SET_METADATA (444), NETWORK_GET_METADATA (445) and
// the METADATA_CHANGE event (ID 1, message 446), with remote_protocol.x's
// layouts.
TEST_F(DispatchTest, MetadataCallsAndTheirEvent) {
  ClientState c = Open();
  driver::NetworkRef net = Define(c, "n1");
  Bytes reg_args;
  XdrEncoder reg_enc(reg_args);
  reg_enc.Int(1);  // VIR_NETWORK_EVENT_ID_METADATA_CHANGE
  reg_enc.Bool(false);
  Reply reg = Call(c, proc::kConnectNetworkEventRegisterAny, reg_args);
  ASSERT_FALSE(reg.is_error()) << reg.error().message;
  XdrDecoder reg_dec(reg.payload);
  int callback_id = reg_dec.Int();

  Bytes set = NetArgs(net);
  XdrEncoder set_enc(set);
  set_enc.Int(2);  // VIR_NETWORK_METADATA_ELEMENT
  set_enc.OptString(std::string("<x>1</x>"));
  set_enc.OptString(std::string("k"));
  set_enc.OptString(std::string("urn:k"));
  set_enc.Uint(0);
  Reply r = Call(c, proc::kNetworkSetMetadata, set);
  ASSERT_FALSE(r.is_error()) << r.error().message;
  EXPECT_TRUE(r.payload.empty());

  Bytes get = NetArgs(net);
  XdrEncoder get_enc(get);
  get_enc.Int(2);
  get_enc.OptString(std::string("urn:k"));
  get_enc.Uint(0);
  Reply g = Call(c, proc::kNetworkGetMetadata, get);
  ASSERT_FALSE(g.is_error()) << g.error().message;
  XdrDecoder g_dec(g.payload);
  EXPECT_EQ(g_dec.String(1024), "<x>1</x>");
  EXPECT_EQ(g_dec.remaining(), 0u);

  Bytes missing = NetArgs(net);
  XdrEncoder missing_enc(missing);
  missing_enc.Int(1);  // TITLE
  missing_enc.OptString(std::nullopt);
  missing_enc.Uint(0);
  Reply m = Call(c, proc::kNetworkGetMetadata, missing);
  ASSERT_TRUE(m.is_error());
  EXPECT_EQ(m.error().code, driver::kErrNoNetworkMetadata);
  EXPECT_EQ(m.error().domain, VIR_FROM_NETWORK);

  std::vector<Bytes> frames;
  Dispatcher::AppendMetadataChangeEvents(c, net, 2, std::string("urn:k"), frames);
  Dispatcher::AppendLifecycleEvents(c, net, driver::LifecycleEvent::kStarted, frames);
  ASSERT_EQ(frames.size(), 1u);  // the registration is for metadata only
  auto f = DecodeFrame(frames[0]);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->header.proc, proc::kNetworkEventCallbackMetadataChange);
  EXPECT_EQ(f->header.type, MessageType::kMessage);
  XdrDecoder ev(f->payload);
  EXPECT_EQ(ev.Int(), callback_id);
  EXPECT_EQ(DecodeNetwork(ev), net);
  EXPECT_EQ(ev.Int(), 2);
  EXPECT_EQ(ev.OptString(1024), std::optional<std::string>("urn:k"));
  EXPECT_EQ(ev.remaining(), 0u);

  Bytes bad_id;
  XdrEncoder bad_enc(bad_id);
  bad_enc.Int(2);
  bad_enc.Bool(false);
  Reply bad = Call(c, proc::kConnectNetworkEventRegisterAny, bad_id);
  ASSERT_TRUE(bad.is_error());
  EXPECT_EQ(bad.error().message, "internal error: unsupported network event ID 2");
}

}  // namespace
}  // namespace virtnat::rpc
