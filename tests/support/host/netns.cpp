#include "tests/support/host/netns.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace virtnat::testing {
namespace {

std::atomic<int> next_id{0};

}  // namespace

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

namespace {
// Namespaces "vntest-TAG-PID-N" of a test process that no longer runs: it
// was killed (a ctest timeout, the end of a session) before its destructors
// ran. Removed once per process, before it makes its own.
void RemoveOrphanedNamespaces() {
  CommandResult list = RunCommand("ip netns list");
  std::istringstream in(list.output);
  for (std::string line; std::getline(in, line);) {
    std::string name = line.substr(0, line.find(' '));
    if (name.rfind("vntest-", 0) != 0) continue;
    size_t last = name.rfind('-');
    size_t before = last == std::string::npos ? std::string::npos : name.rfind('-', last - 1);
    if (before == std::string::npos) continue;
    pid_t owner = static_cast<pid_t>(std::atoi(name.substr(before + 1, last - before - 1).c_str()));
    if (owner <= 1 || owner == getpid() || kill(owner, 0) == 0 || errno != ESRCH) continue;
    CommandResult pids = RunCommand("ip netns pids " + name);
    std::istringstream pin(pids.output);
    for (std::string p; std::getline(pin, p);) {
      pid_t pid = static_cast<pid_t>(std::atoi(p.c_str()));
      if (pid > 1 && pid != getpid()) kill(pid, SIGKILL);
    }
    RunCommand("ip netns delete " + name);
  }
}
}  // namespace

NetNs::NetNs(const std::string& tag) {
  static const bool swept = (RemoveOrphanedNamespaces(), true);
  (void)swept;
  name_ = "vntest-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(next_id++);
  CommandResult r = RunCommand("ip netns add " + name_);
  ok_ = r.exit_status == 0;
  EXPECT_TRUE(ok_) << "ip netns add " << name_ << ": " << r.output;
  if (ok_) {
    // Loopback up, as a booted host has it (dnsmasq and ping expect it).
    Exec("ip link set lo up");
  }
}

NetNs::~NetNs() {
  if (!ok_) return;
  // Processes left by a failed test would keep the namespace alive after its
  // name is gone; they are ours (only tests run in here), killed by pid.
  CommandResult pids = RunCommand("ip netns pids " + name_);
  std::istringstream in(pids.output);
  for (std::string line; std::getline(in, line);) {
    pid_t pid = static_cast<pid_t>(std::atoi(line.c_str()));
    if (pid > 1 && pid != getpid()) kill(pid, SIGKILL);
  }
  CommandResult r = RunCommand("ip netns delete " + name_);
  EXPECT_EQ(r.exit_status, 0) << "ip netns delete " << name_ << ": " << r.output;
}

bool NetNs::Enter() const {
  int fd = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ADD_FAILURE() << "open netns " << name_ << ": " << std::strerror(errno);
    return false;
  }
  int rc = setns(fd, CLONE_NEWNET);
  int err = errno;
  close(fd);
  if (rc != 0) {
    ADD_FAILURE() << "setns " << name_ << ": " << std::strerror(err);
    return false;
  }
  return true;
}

CommandResult NetNs::Exec(const std::string& command) const {
  return RunCommand("ip netns exec " + name_ + " sh -c " + ShellQuote(command));
}

bool AddVethPair(const NetNs& a, const std::string& a_name, const NetNs& b,
                 const std::string& b_name) {
  // Created from inside `a`, so the machine's own namespace never sees it.
  CommandResult r = a.Exec("ip link add name " + a_name + " type veth peer name " + b_name +
                           " netns " + b.name());
  if (r.exit_status != 0) {
    ADD_FAILURE() << "veth " << a_name << "/" << b_name << ": " << r.output;
    return false;
  }
  return a.Exec("ip link set " + a_name + " up").exit_status == 0 &&
         b.Exec("ip link set " + b_name + " up").exit_status == 0;
}

}  // namespace virtnat::testing
