#pragma once
// For tests of the socket layer: the server on its own GLib loop in a second
// thread, and a blocking client over one end of a socketpair.

#include <glib.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/glib_handle.h"
#include "common/unique_fd.h"
#include "rpc/message.h"
#include "rpc/protocol.h"
#include "rpc/server.h"

namespace virtnat::rpc {

class TestClient {
 public:
  explicit TestClient(UniqueFd fd) : fd_(std::move(fd)) {
    timeval tv{5, 0};
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  bool SendRaw(const Bytes& b) {
    return send(fd_.get(), b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size());
  }

  bool Send(int32_t procedure, const Bytes& args = {}) {
    Header h;
    h.proc = procedure;
    h.serial = serial_++;
    return SendRaw(EncodeFrame(h, args));
  }

  // The next frame; nullopt on EOF or timeout.
  std::optional<Bytes> Receive() {
    Bytes word(4);
    if (!ReadExactly(word.data(), 4)) return std::nullopt;
    XdrDecoder dec(word);
    uint32_t len = dec.Uint();
    if (len < 28 || len > (1u << 26)) return std::nullopt;
    word.resize(len);
    if (!ReadExactly(word.data() + 4, len - 4)) return std::nullopt;
    return word;
  }

  // Sends a call and waits for its reply, keeping async messages aside.
  std::optional<DecodedFrame> Call(int32_t procedure, const Bytes& args = {}) {
    uint32_t serial = serial_;
    if (!Send(procedure, args)) return std::nullopt;
    while (auto frame = Receive()) {
      last_ = std::move(*frame);
      auto f = DecodeFrame(last_);
      if (!f.ok()) return std::nullopt;
      if (f->header.type == MessageType::kReply && f->header.serial == serial) return *f;
      messages.push_back(last_);
    }
    return std::nullopt;
  }

  bool Open() {
    Bytes args;
    XdrEncoder enc(args);
    enc.OptString(std::string("network:///system"));
    enc.Uint(0);
    auto r = Call(proc::kConnectOpen, args);
    return r && r->header.status == MessageStatus::kOk;
  }

  // True when the server closed the connection.
  bool ClosedByServer() {
    uint8_t b;
    return recv(fd_.get(), &b, 1, 0) == 0;
  }

  int fd() const { return fd_.get(); }
  std::vector<Bytes> messages;

 private:
  bool ReadExactly(uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t r = recv(fd_.get(), p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }

  UniqueFd fd_;
  uint32_t serial_ = 0;
  Bytes last_;
};

// A Server for `driver` on a new context, run by a second thread.
class ServerThread {
 public:
  explicit ServerThread(driver::NetworkDriver& driver, ServerLimits limits = {})
      : context_(g_main_context_new()), loop_(g_main_loop_new(context_.get(), FALSE)) {
    server_ = std::make_unique<Server>(driver, context_.get(), limits);
    thread_ = std::thread([this] { g_main_loop_run(loop_.get()); });
  }
  ~ServerThread() {
    g_main_loop_quit(loop_.get());
    g_main_context_wakeup(context_.get());
    thread_.join();
    server_.reset();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  // Runs `fn` on the loop thread and waits for its result.
  template <typename Fn>
  auto OnLoop(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    g_main_context_invoke(
        context_.get(),
        [](gpointer data) -> gboolean {
          (*static_cast<decltype(task)*>(data))();
          return G_SOURCE_REMOVE;
        },
        &task);
    return result.get();
  }

  // A new client; the server's end is added from the loop thread.
  TestClient Connect(bool readonly = false) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    EXPECT_TRUE(OnLoop([&] { return server_->AddClient(UniqueFd(sv[0]), readonly).ok(); }));
    return TestClient(UniqueFd(sv[1]));
  }

  Server& server() { return *server_; }

 private:
  GMainContextPtr context_;
  GMainLoopPtr loop_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace virtnat::rpc
