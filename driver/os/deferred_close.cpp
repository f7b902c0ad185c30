#include "driver/os/deferred_close.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace virtnat::driver {
namespace {

class Closer {
 public:
  void Add(UniqueFd fd) {
    if (InForkedChild()) return;  // `fd` closes here
    std::unique_lock lock(mutex_);
    if (owner_.load(std::memory_order_relaxed) == 0 && !Start()) {
      lock.unlock();
      fd.reset();
      return;
    }
    queue_.push_back(std::move(fd));
    ++handed_;
    wake_.notify_all();
  }

  unsigned long Drain() {
    if (InForkedChild()) return 0;
    std::unique_lock lock(mutex_);
    const unsigned long target = handed_;
    done_.wait(lock, [&] { return closed_ >= target; });
    return closed_;
  }

 private:
  // A child forked after the worker started (a probe in a scratch namespace)
  // has no worker, and the mutex may have been copied held: it closes its
  // descriptors itself and never touches the queue.
  bool InForkedChild() const {
    const pid_t owner = owner_.load(std::memory_order_acquire);
    return owner != 0 && owner != getpid();
  }

  // REQUIRES: mutex_ held.
  bool Start() {
    try {
      std::thread([this]() noexcept { Run(); }).detach();
    } catch (const std::system_error&) {
      return false;
    }
    owner_.store(getpid(), std::memory_order_release);
    return true;
  }

  void Run() noexcept {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return !queue_.empty(); });
      UniqueFd fd = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fd.reset();  // the wait, if any, is here
      lock.lock();
      ++closed_;
      done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<UniqueFd> queue_;
  unsigned long handed_ = 0;
  unsigned long closed_ = 0;
  std::atomic<pid_t> owner_{0};  // the process whose worker runs; 0 until it starts
};

// Lives as long as the process: its thread never ends, so it is never
// destroyed (a destructor at exit would race the thread).
Closer& TheCloser() {
  static Closer* closer = new Closer;
  return *closer;
}

}  // namespace

void CloseInBackground(UniqueFd fd) {
  if (fd) TheCloser().Add(std::move(fd));
}

unsigned long WaitForBackgroundCloses() { return TheCloser().Drain(); }

}  // namespace virtnat::driver
