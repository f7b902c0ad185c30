// libFuzzer target: arbitrary bytes as a client's stream into the frame
// reader and the dispatcher (against the in-memory driver), then the replies
// decoded again. Must never crash, leak or read out of bounds.

#include <cstddef>
#include <cstdint>

#include "driver/network_realizer.h"
#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "rpc/dispatcher.h"
#include "rpc/message.h"
#include "rpc/remote_types.h"
#include "tests/support/fake_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace virtnat;
  if (size == 0) return 0;
  testing::FakeCodec codec;
  driver::NullRealizer realizer;
  driver::MemoryStore store;
  driver::NetworkObjects driver(codec, realizer, store);
  (void)driver.DefineXml(
      "<network><name>default</name><uuid>4c6eb3f3-bb0d-451c-bf77-a26d70b4f769</uuid></network>",
      0);
  rpc::Dispatcher dispatcher(driver);
  rpc::ClientState client;
  // The first byte picks the connection's starting state, so calls that
  // need an open (or read-only) connection are reached too.
  client.open = data[0] & 1;
  client.readonly = client.readonly_socket = data[0] & 2;
  rpc::FrameReader reader(1 << 20);
  (void)reader.Append({data + 1, size - 1});
  while (auto frame = reader.Next()) {
    std::vector<rpc::Bytes> out;
    bool keep = dispatcher.HandleFrame(client, *frame, out);
    for (const rpc::Bytes& reply : out) {
      auto f = rpc::DecodeFrame(reply);
      if (!f.ok()) __builtin_trap();  // our own replies must be well-formed
      if (f->header.status == rpc::MessageStatus::kError) {
        rpc::XdrDecoder dec(f->payload);
        rpc::DecodeError(dec);
        if (!dec.ok()) __builtin_trap();
      }
    }
    if (!keep) break;
  }
  std::vector<rpc::Bytes> events;
  rpc::Dispatcher::AppendLifecycleEvents(client, driver::NetworkRef{"default", {}},
                                         driver::LifecycleEvent::kStarted, events);
  return 0;
}
