#pragma once
// The dispatcher under test over the object layer with fakes: one call in,
// its single reply out (shared by the rpc_dispatch*_test files).

#include <gtest/gtest.h>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "rpc/dispatcher.h"
#include "rpc/message.h"
#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "tests/support/fake_codec.h"

namespace virtnat::rpc {

struct Reply {
  Header header;
  Bytes payload;
  bool is_error() const { return header.status == MessageStatus::kError; }
  Error error() const {
    XdrDecoder dec(payload);
    return DecodeError(dec);
  }
};

class DispatchTest : public ::testing::Test {
 protected:
  // Sends one call on `client` and returns the single reply.
  Reply Call(ClientState& client, int32_t procedure, const Bytes& args = {}) {
    Header h;
    h.proc = procedure;
    h.serial = serial_++;
    std::vector<Bytes> out;
    keep_ = dispatcher_.HandleFrame(client, EncodeFrame(h, args), out);
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return {};
    auto f = DecodeFrame(out[0]);
    EXPECT_TRUE(f.ok());
    EXPECT_EQ(f->header.serial, h.serial);
    EXPECT_EQ(f->header.proc, procedure);
    EXPECT_EQ(f->header.type, MessageType::kReply);
    return Reply{f->header, Bytes(f->payload.begin(), f->payload.end())};
  }

  ClientState Open(bool readonly_socket = false, uint32_t flags = 0) {
    ClientState c;
    c.readonly_socket = readonly_socket;
    Bytes args;
    XdrEncoder enc(args);
    enc.OptString(std::string("network:///system"));
    enc.Uint(flags);
    EXPECT_FALSE(Call(c, proc::kConnectOpen, args).is_error());
    return c;
  }

  driver::NetworkRef Define(ClientState& c, const std::string& name) {
    Bytes args;
    XdrEncoder enc(args);
    enc.String("<network><name>" + name + "</name></network>");
    Reply r = Call(c, proc::kNetworkDefineXml, args);
    EXPECT_FALSE(r.is_error()) << r.error().message;
    XdrDecoder dec(r.payload);
    return DecodeNetwork(dec);
  }

  static Bytes NetArgs(const driver::NetworkRef& net) {
    Bytes args;
    XdrEncoder enc(args);
    EncodeNetwork(enc, net);
    return args;
  }

  testing::FakeCodec codec_;
  driver::NullRealizer realizer_;
  driver::MemoryStore store_;
  driver::NetworkObjects driver_{codec_, realizer_, store_};
  Dispatcher dispatcher_{driver_};
  uint32_t serial_ = 0;
  bool keep_ = true;
};

}  // namespace virtnat::rpc
