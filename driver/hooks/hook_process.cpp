#include "driver/hooks/hook_process.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "common/glib_handle.h"
#include "common/unique_fd.h"
#include "driver/hooks/network_hook.h"
#include "driver/os/atomic_file.h"
#include "driver/os/process.h"

namespace virtnat::driver {
namespace {

// A hook's complaint is a line or two; more is not worth keeping.
constexpr size_t kMaxStderr = 64 * 1024;

// libvirt's virFileIsExecutable: a regular file we may execute.
bool IsExecutable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// stdin: the document in a sealed-size memfd, read from its start.
Result<UniqueFd> InputFd(const std::string& input) {
  UniqueFd fd(memfd_create("virtnat-hook-input", MFD_CLOEXEC));
  if (!fd) return SystemErrorFromErrno(errno, "cannot create the hook's input");
  size_t done = 0;
  while (done < input.size()) {
    ssize_t n = write(fd.get(), input.data() + done, input.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SystemErrorFromErrno(errno, "cannot write the hook's input");
    done += static_cast<size_t>(n);
  }
  lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

}  // namespace

struct ScriptHookRunner::Child {
  ScriptHookRunner* runner = nullptr;
  std::string network;
  std::vector<std::string> argv, env;
  Pidfd process;
  UniqueFd stderr_read;
  std::string err;
  bool timed_out = false;
  GSourcePtr exit_watch, err_watch, timer;

  ~Child() {
    // Still running (the runner goes away): the whole group goes with it.
    if (process && !process.HasExited()) {
      kill(-process.pid(), SIGKILL);
      (void)process.Reap(true);
    }
  }

  static gboolean OnExit(gint, GIOCondition, gpointer data) noexcept {
    auto* self = static_cast<Child*>(data);
    DrainAvailable(self->stderr_read.get(), &self->err);
    std::optional<ExitStatus> status = self->process.Reap(true);
    HookExit exit;
    if (status) {
      exit.exited = status->exited;
      exit.code = status->code;
      exit.signal = status->signal;
    }
    exit.timed_out = self->timed_out;
    exit.timeout_seconds = static_cast<unsigned>(
        std::chrono::duration_cast<std::chrono::seconds>(self->runner->options_.timeout).count());
    Status result = Status::Ok();
    if (!status || !status->exited || status->code != 0 || self->timed_out) {
      result = HookFailure(self->env, self->argv, exit, self->err);
    }
    self->process = Pidfd();  // reaped
    // Destroys this child (and its sources): nothing of it is used after.
    self->runner->OnChildDone(self->network, std::move(result));
    return G_SOURCE_REMOVE;
  }

  static gboolean OnStderr(gint fd, GIOCondition, gpointer data) noexcept {
    auto* self = static_cast<Child*>(data);
    std::string chunk;
    DrainAvailable(fd, &chunk);
    if (self->err.size() < kMaxStderr) self->err += chunk.substr(0, kMaxStderr - self->err.size());
    // EOF: the script (and whatever it left behind) closed its stderr.
    if (chunk.empty()) {
      self->err_watch.reset();
      return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
  }

  static gboolean OnTimeout(gpointer data) noexcept {
    auto* self = static_cast<Child*>(data);
    self->timed_out = true;
    // The script and anything it started in its group; the exit follows.
    kill(-self->process.pid(), SIGKILL);
    return G_SOURCE_REMOVE;
  }
};

ScriptHookRunner::ScriptHookRunner(HookRunnerOptions options, GMainContext* context)
    : options_(std::move(options)), context_(context) {}

ScriptHookRunner::~ScriptHookRunner() {
  *alive_ = false;
  children_.clear();
}

std::vector<std::string> ScriptHookRunner::FindScripts(const std::string& dir) {
  std::vector<std::string> entries;
  std::string d_path = dir + "/network.d";
  // A missing network.d/ is the usual case: no scripts there.
  for (const std::string& name : ListDirectory(d_path).value_or(std::vector<std::string>{})) {
    if (IsExecutable(d_path + "/" + name)) entries.push_back(name);
  }
  return HookScripts(dir, IsExecutable(dir + "/network"), std::move(entries));
}

void ScriptHookRunner::Run(HookCall call, Done done) {
  std::string network = call.network;
  Queue& queue = queues_[network];
  queue.jobs.push_back(Job{std::move(call), std::move(done), {}, 0, std::nullopt});
  if (!queue.busy) Pump(network);
}

void ScriptHookRunner::Pump(const std::string& network) {
  std::weak_ptr<bool> alive = alive_;
  queues_[network].busy = true;
  for (;;) {
    Queue& queue = queues_[network];
    if (queue.jobs.empty()) {
      queues_.erase(network);
      return;
    }
    Job& job = queue.jobs.front();
    if (job.next == 0 && job.scripts.empty()) job.scripts = FindScripts(options_.dir);
    if (StartNext(network, job)) return;  // OnChildDone continues
    Job finished = std::move(job);
    queue.jobs.pop_front();
    Status result = finished.failure ? Status(*finished.failure) : Status::Ok();
    if (finished.failure) {
      g_warning("hook for network '%s' (%s): %s", network.c_str(), HookOpName(finished.call.op),
                finished.failure->message.c_str());
    }
    finished.done(std::move(result));
    if (alive.expired()) return;
  }
}

bool ScriptHookRunner::StartNext(const std::string& network, Job& job) {
  while (job.next < job.scripts.size()) {
    const std::string& script = job.scripts[job.next++];
    auto child = std::make_unique<Child>();
    child->runner = this;
    child->network = network;
    child->argv = HookArgv(script, job.call);
    child->env = HookEnv([](const char* name) -> const char* { return std::getenv(name); });
    Status started = [&]() -> Status {
      ASSIGN_OR_RETURN(UniqueFd input, InputFd(job.call.input));
      // Its own process group: a timeout kills what the script started too.
      ASSIGN_OR_RETURN(SpawnedChild spawned,
                       Spawn(SpawnRequest{script, child->argv, child->env, input.get(), true}));
      child->process = std::move(spawned.process);
      child->stderr_read = std::move(spawned.stderr_read);
      return Status::Ok();
    }();
    if (!started.ok()) {
      if (!job.failure) {
        job.failure = Error{VIR_ERR_HOOK_SCRIPT_FAILED, VIR_FROM_HOOK,
                            "Hook script execution failed: " + started.message()};
      }
      continue;
    }
    Child* c = child.get();
    c->exit_watch.reset(g_unix_fd_source_new(c->process.fd(), G_IO_IN));
    g_source_set_callback(c->exit_watch.get(), G_SOURCE_FUNC(&Child::OnExit), c, nullptr);
    g_source_attach(c->exit_watch.get(), context_);
    c->err_watch.reset(g_unix_fd_source_new(c->stderr_read.get(), G_IO_IN));
    g_source_set_callback(c->err_watch.get(), G_SOURCE_FUNC(&Child::OnStderr), c, nullptr);
    g_source_attach(c->err_watch.get(), context_);
    c->timer.reset(g_timeout_source_new(static_cast<guint>(options_.timeout.count())));
    g_source_set_callback(c->timer.get(), &Child::OnTimeout, c, nullptr);
    g_source_attach(c->timer.get(), context_);
    children_[network] = std::move(child);
    return true;
  }
  return false;
}

void ScriptHookRunner::OnChildDone(std::string network, Status status) {
  // `network` is a copy: the child that names it goes below.
  std::unique_ptr<Child> child = std::move(children_[network]);
  children_.erase(network);
  Queue& queue = queues_[network];
  if (!status.ok() && !queue.jobs.front().failure) queue.jobs.front().failure = status.error();
  // The callback that got us here belongs to `child`; its sources are
  // destroyed when `child` goes, which GLib allows from within a callback.
  child.reset();
  Pump(network);
}

}  // namespace virtnat::driver
