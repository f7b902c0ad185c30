#pragma once
// Throw-away network namespaces for integration tests. A NetNs is created
// with `ip netns add` under a name unique to this process, and its
// destructor kills every process still inside it (by pid) and deletes it, so
// a failing test leaves nothing behind. Nothing here touches the namespace
// the test binary started in.

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <exception>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace virtnat::testing {

struct CommandResult {
  int exit_status = -1;  // -1 if the command did not exit normally
  std::string output;    // stdout and stderr together
};

// Runs `command` with /bin/sh in the current namespace of the calling thread.
CommandResult RunCommand(const std::string& command);

class NetNs {
 public:
  // `tag` makes the name readable: "vntest-<tag>-<pid>-<n>".
  explicit NetNs(const std::string& tag);
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  const std::string& name() const { return name_; }
  bool ok() const { return ok_; }

  // Runs `fn` on a fresh thread that has joined this namespace and returns
  // its result. Sockets, /proc/sys/net files and children created by `fn`
  // belong to this namespace. Exceptions thrown by `fn` are rethrown here.
  template <typename Fn>
  auto Run(Fn&& fn) -> std::invoke_result_t<Fn&> {
    using R = std::invoke_result_t<Fn&>;
    std::exception_ptr failure;
    if constexpr (std::is_void_v<R>) {
      std::thread t([&] {
        if (Enter()) {
          try {
            fn();
          } catch (...) {
            failure = std::current_exception();
          }
        }
      });
      t.join();
      if (failure) std::rethrow_exception(failure);
    } else {
      R result{};
      std::thread t([&] {
        if (Enter()) {
          try {
            result = fn();
          } catch (...) {
            failure = std::current_exception();
          }
        }
      });
      t.join();
      if (failure) std::rethrow_exception(failure);
      return result;
    }
  }

  // `ip netns exec NAME sh -c COMMAND`.
  CommandResult Exec(const std::string& command) const;

 private:
  bool Enter() const;  // setns() for the calling thread; records a gtest failure on error

  std::string name_;
  bool ok_ = false;
};

// A veth pair: `a_name` in `a`, `b_name` in `b`, both up.
bool AddVethPair(const NetNs& a, const std::string& a_name, const NetNs& b,
                 const std::string& b_name);

// Shell-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s);

}  // namespace virtnat::testing
