#include "driver/takeover/takeover_host.h"

#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include "driver/os/atomic_file.h"
#include "driver/os/process.h"
#include "driver/os/process_identity.h"
#include "driver/takeover/libvirt_files.h"

namespace virtnat::driver {
namespace {

constexpr size_t kMaxFile = 16 << 20;
using Clock = std::chrono::steady_clock;

std::optional<std::string> ReadIfPresent(const std::string& path) {
  Result<std::string> text = ReadFileLimited(path, kMaxFile);
  if (!text.ok()) return std::nullopt;
  return std::move(text).value();
}

std::optional<pid_t> PidIn(const std::string& path) {
  std::optional<std::string> text = ReadIfPresent(path);
  if (!text) return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(text->c_str(), &end, 10);
  if (pid <= 0 || end == text->c_str()) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The pid still names a process whose argv[0] ends in one of `names`.
std::optional<std::vector<std::string>> RunningAs(pid_t pid,
                                                  std::initializer_list<const char*> names) {
  Result<ProcessIdentity> id = ReadProcessIdentity(pid);
  if (!id.ok() || id->cmdline.empty()) return std::nullopt;
  for (const char* name : names) {
    if (Basename(id->cmdline.front()) == name) return id->cmdline;
  }
  return std::nullopt;
}

// libvirt's dnsmasq of `network`: its pid file names a dnsmasq run with
// the network's configuration file.
std::optional<pid_t> LibvirtDnsmasq(const LibvirtDirs& dirs, const std::string& network) {
  std::optional<pid_t> pid = PidIn(dirs.run_dir + "/" + network + ".pid");
  if (!pid) return std::nullopt;
  std::optional<std::vector<std::string>> argv = RunningAs(*pid, {"dnsmasq"});
  if (!argv) return std::nullopt;
  for (const std::string& arg : *argv) {
    if (arg.starts_with("--conf-file=") && arg.ends_with("/" + network + ".conf")) return pid;
  }
  return std::nullopt;
}

Status WaitGone(pid_t pid, const std::string& what) {
  Result<Pidfd> fd = Pidfd::Open(pid);
  if (!fd.ok()) return Status::Ok();  // already gone
  if (Status st = fd->Signal(SIGTERM); !st.ok()) return st;
  if (fd->WaitForExit(std::chrono::seconds(5))) return Status::Ok();
  (void)fd->Signal(SIGKILL);
  if (fd->WaitForExit(std::chrono::seconds(2))) return Status::Ok();
  return OperationFailed(what + " (pid " + std::to_string(pid) + ") does not exit");
}

class RealTakeOver final : public TakeOverHost {
 public:
  RealTakeOver(HostDriverParts& parts, NetworkObjects& objects, NetworkStateRecorder& recorder,
               LibvirtDirs dirs, std::string keep_dir, Say say)
      : parts_(parts),
        objects_(objects),
        recorder_(recorder),
        dirs_(std::move(dirs)),
        keep_(std::move(keep_dir)),
        say_(std::move(say)) {}

  Status Define(const NetworkTakeOver& net) override {
    if (objects_.LookupByName(net.name).ok() || net.config_xml.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(NetworkRef ref, objects_.DefineXml(net.config_xml, 0));
    defined_.insert(net.name);
    return net.autostart ? objects_.SetAutostart(ref, true) : Status::Ok();
  }
  Status Undefine(const NetworkTakeOver& net) override {
    if (!defined_.count(net.name)) return Status::Ok();
    ASSIGN_OR_RETURN(NetworkRef ref, objects_.LookupByName(net.name));
    return objects_.Undefine(ref);
  }
  Status WriteLeases(const NetworkTakeOver& net) override {
    const std::string& path = net.plan.dnsmasq_paths.lease_file;
    if (!net.plan.dnsmasq.needed || path.empty()) return Status::Ok();
    previous_leases_[net.name] = ReadIfPresent(path);
    RETURN_IF_ERROR(EnsureDirectory(DirName(path), 0755));
    return WriteFileAtomic(path, net.lease_database, 0644);
  }
  Status RemoveLeases(const NetworkTakeOver& net) override {
    const std::string& path = net.plan.dnsmasq_paths.lease_file;
    auto it = previous_leases_.find(net.name);
    if (it == previous_leases_.end()) return Status::Ok();
    return it->second ? WriteFileAtomic(path, *it->second, 0644) : RemoveFileDurable(path);
  }
  Status ApplyRules(const NetworkTakeOver& net) override {
    return parts_.firewall().Apply(net.name, net.plan.firewall);
  }
  Status RemoveRules(const NetworkTakeOver& net) override {
    return parts_.firewall().Remove(net.name);
  }
  Status RemoveLibvirtFirewall() override;
  Status RemoveLibvirtFirewallRules();
  Status RestoreLibvirtFirewall() override;
  Status StopLibvirtDnsmasq(const NetworkTakeOver& net) override;
  Status RestartLibvirtDnsmasq(const NetworkTakeOver& net) override;
  Status StartDnsmasq(const NetworkTakeOver& net) override {
    RETURN_IF_ERROR(parts_.realizer().Adopt(net.plan, /*start_if_gone=*/true));
    auto stopped = stopped_at_.find(net.name);
    if (stopped != stopped_at_.end()) {
      auto gap =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopped->second);
      say_("network '" + net.name + "': DHCP and DNS were unavailable for " +
           std::to_string(gap.count()) + " ms (libvirt's dnsmasq stopped until virtnatd's ran)");
    }
    return Status::Ok();
  }
  Status StopDnsmasq(const NetworkTakeOver& net) override {
    std::optional<pid_t> pid = parts_.realizer().DnsmasqPid(net.name);
    return pid ? WaitGone(*pid, "virtnatd's dnsmasq of network '" + net.name + "'") : Status::Ok();
  }
  Status RetireLibvirtState(const NetworkTakeOver& net) override;
  Status RestoreLibvirtState(const NetworkTakeOver& net) override;
  Status Record(const NetworkTakeOver& net) override {
    RETURN_IF_ERROR(objects_.AdoptRunning(net.live));
    ASSIGN_OR_RETURN(NetworkRef ref, objects_.LookupByName(net.name));
    recorder_.Rewrite(ref);
    return Status::Ok();
  }

 private:
  HostDriverParts& parts_;
  NetworkObjects& objects_;
  NetworkStateRecorder& recorder_;
  LibvirtDirs dirs_;
  std::string keep_;
  Say say_;
  std::set<std::string> defined_;
  std::map<std::string, std::optional<std::string>> previous_leases_;
  std::map<std::string, Clock::time_point> stopped_at_;
  // libvirt's dnsmasq as it ran: argv and its mount namespace (held open:
  // libvirtd may have run it in its own, where its paths mean something).
  struct Stopped {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // libvirt passes the bridge to its lease helper there
    UniqueFd mount_ns;
  };
  std::map<std::string, Stopped> stopped_;
  // Saved firewall state: "iptables"/"ip6tables" dumps, nft tables.
  std::vector<std::pair<std::string, std::string>> iptables_saved_;
  std::vector<std::pair<std::string, std::string>> nft_saved_;  // "ip libvirt_network", text
};

Status RealTakeOver::RemoveLibvirtFirewall() {
  RETURN_IF_ERROR(EnsureDirectory(keep_, 0700));
  Status st = RemoveLibvirtFirewallRules();
  // A failure half way puts back what went: the step undoes itself.
  if (!st.ok()) (void)RestoreLibvirtFirewall();
  return st;
}

Status RealTakeOver::RemoveLibvirtFirewallRules() {
  for (const char* family : {"iptables", "ip6tables"}) {
    Result<std::string> save = RunProgram({std::string(family) + "-save"});
    if (!save.ok()) continue;  // no such tool: no such rules
    IptablesRemoval removal = LibvirtIptablesRemoval(*save);
    if (removal.restore.empty()) continue;
    const std::string file = keep_ + "/" + family + ".restore";
    RETURN_IF_ERROR(WriteFileAtomic(file, removal.restore, 0600));
    iptables_saved_.emplace_back(family, *save);
    RETURN_IF_ERROR(RunProgram({std::string(family) + "-restore", "--noflush", file}).status());
    say_("removed libvirt's " + std::string(family) + " chains (" +
         std::to_string(removal.chains.size()) + ")");
  }
  Result<std::string> tables = RunProgram({"nft", "list", "tables"});
  for (const std::string& table :
       tables.ok() ? LibvirtNftTables(*tables) : std::vector<std::string>{}) {
    std::string family = table.substr(0, table.find(' '));
    ASSIGN_OR_RETURN(std::string text,
                     RunProgram({"nft", "list", "table", family, "libvirt_network"}));
    nft_saved_.emplace_back(table, text);
    RETURN_IF_ERROR(RunProgram({"nft", "delete", "table", family, "libvirt_network"}).status());
    say_("removed libvirt's nftables table '" + table + "'");
  }
  return Status::Ok();
}

Status RealTakeOver::RestoreLibvirtFirewall() {
  Status result = Status::Ok();
  for (const auto& [family, save] : iptables_saved_) {
    const std::string file = keep_ + "/" + family + ".saved";
    Status st = WriteFileAtomic(file, save, 0600);
    if (st.ok()) st = RunProgram({family + "-restore", file}).status();
    if (!st.ok()) result = st;
  }
  for (const auto& [table, text] : nft_saved_) {
    const std::string file = keep_ + "/nft-" + table.substr(0, table.find(' ')) + ".saved";
    Status st = WriteFileAtomic(file, text, 0600);
    if (st.ok()) st = RunProgram({"nft", "-f", file}).status();
    if (!st.ok()) result = st;
  }
  return result;
}

Status RealTakeOver::StopLibvirtDnsmasq(const NetworkTakeOver& net) {
  pid_t pid = *net.libvirt_dnsmasq;
  std::optional<std::vector<std::string>> argv = RunningAs(pid, {"dnsmasq"});
  if (!argv) return OperationFailed("libvirt's dnsmasq (pid " + std::to_string(pid) + ") is gone");
  std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/mnt";
  UniqueFd ns(open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
  std::vector<std::string> env;
  Result<std::string> environ_text =
      ReadFileLimited("/proc/" + std::to_string(pid) + "/environ", kMaxFile);
  for (size_t at = 0; environ_text.ok() && at < environ_text->size();) {
    size_t end = environ_text->find('\0', at);
    if (end == std::string::npos) end = environ_text->size();
    if (end > at) env.push_back(environ_text->substr(at, end - at));
    at = end + 1;
  }
  stopped_[net.name] = Stopped{*argv, std::move(env), std::move(ns)};
  stopped_at_[net.name] = Clock::now();
  return WaitGone(pid, "libvirt's dnsmasq of network '" + net.name + "'");
}

Status RealTakeOver::RestartLibvirtDnsmasq(const NetworkTakeOver& net) {
  auto it = stopped_.find(net.name);
  if (it == stopped_.end()) return Status::Ok();
  // It daemonizes, as libvirt runs it; in the mount namespace it ran in.
  std::vector<std::string> argv = {"nsenter"};
  if (it->second.mount_ns.valid()) {
    argv.push_back("--mount=/proc/" + std::to_string(getpid()) + "/fd/" +
                   std::to_string(it->second.mount_ns.get()));
  }
  argv.push_back("--");
  argv.insert(argv.end(), it->second.argv.begin(), it->second.argv.end());
  // nsenter passes its environment on: dnsmasq's own, as libvirt set it.
  return RunProgram(argv, it->second.env).status();
}

Status RealTakeOver::RetireLibvirtState(const NetworkTakeOver& net) {
  RETURN_IF_ERROR(EnsureDirectory(keep_, 0700));
  ASSIGN_OR_RETURN(std::string status, ReadFileLimited(net.status_path, kMaxFile));
  RETURN_IF_ERROR(WriteFileAtomic(keep_ + "/" + net.name + ".status.xml", status, 0600));
  RETURN_IF_ERROR(RemoveFileDurable(net.status_path));
  (void)RemoveFileDurable(dirs_.run_dir + "/" + net.name + ".pid");
  const std::string link = dirs_.config_dir + "/autostart/" + net.name + ".xml";
  char target[4096];
  ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
  if (n > 0) {
    RETURN_IF_ERROR(WriteFileAtomic(keep_ + "/" + net.name + ".autostart",
                                    std::string(target, static_cast<size_t>(n)), 0600));
    RETURN_IF_ERROR(RemoveFileDurable(link));
  }
  return Status::Ok();
}

Status RealTakeOver::RestoreLibvirtState(const NetworkTakeOver& net) {
  const std::string kept = keep_ + "/" + net.name;
  if (std::optional<std::string> target = ReadIfPresent(kept + ".autostart")) {
    RETURN_IF_ERROR(
        ReplaceSymlinkAtomic(dirs_.config_dir + "/autostart/" + net.name + ".xml", *target));
    RETURN_IF_ERROR(RemoveFileDurable(kept + ".autostart"));
  }
  if (std::optional<std::string> status = ReadIfPresent(kept + ".status.xml")) {
    RETURN_IF_ERROR(WriteFileAtomic(net.status_path, *status, 0600));
    RETURN_IF_ERROR(RemoveFileDurable(kept + ".status.xml"));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> RunProgram(const std::vector<std::string>& argv,
                               const std::optional<std::vector<std::string>>& env) {
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (env) {
    for (const std::string& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);
  gchar* out = nullptr;
  gchar* err = nullptr;
  gint wait_status = 0;
  GError* error = nullptr;
  if (!g_spawn_sync(nullptr, args.data(), env ? envp.data() : nullptr, G_SPAWN_SEARCH_PATH, nullptr,
                    nullptr, &out, &err, &wait_status, &error)) {
    std::string message = "cannot run '" + argv.front() + "': " + error->message;
    g_error_free(error);
    return OperationFailed(message);
  }
  std::string stdout_text = out ? out : "", stderr_text = err ? err : "";
  g_free(out);
  g_free(err);
  if (!g_spawn_check_wait_status(wait_status, nullptr)) {
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
    while (!stderr_text.empty() && stderr_text.back() == '\n') stderr_text.pop_back();
    return OperationFailed("'" + command + "' failed: " + stderr_text);
  }
  return stdout_text;
}

Result<TakeOverFacts> GatherTakeOverFacts(const LibvirtDirs& dirs) {
  TakeOverFacts facts;
  if (std::optional<pid_t> pid = PidIn(dirs.run_dir + "/driver.pid")) {
    if (auto argv = RunningAs(*pid, {"libvirtd", "virtnetworkd"})) {
      facts.libvirt_daemon = Basename(argv->front()) + ", pid " + std::to_string(*pid);
    }
  }
  for (const std::string& ifname :
       ListDirectory("/sys/class/net").value_or(std::vector<std::string>{})) {
    facts.interfaces.insert(ifname);
  }
  for (const std::string& file :
       ListDirectory(dirs.lease_dir).value_or(std::vector<std::string>{})) {
    if (!file.ends_with(".status")) continue;
    const std::string path = dirs.lease_dir + "/" + file;
    if (std::optional<std::string> text = ReadIfPresent(path)) {
      facts.lease_files[file.substr(0, file.size() - 7)] = {path, *text};
    }
  }
  std::optional<std::vector<std::string>> files = ListDirectory(dirs.run_dir);
  for (const std::string& file : files.value_or(std::vector<std::string>{})) {
    if (!file.ends_with(".xml") || file.size() <= 4) continue;
    LibvirtRunningNetwork net;
    net.name = file.substr(0, file.size() - 4);
    net.status_path = dirs.run_dir + "/" + file;
    ASSIGN_OR_RETURN(net.status_xml, ReadFileLimited(net.status_path, kMaxFile));
    net.config_xml = ReadIfPresent(dirs.config_dir + "/" + file).value_or("");
    // The link itself: its target may be a path of libvirtd's own mount
    // namespace.
    struct stat st;
    net.autostart = lstat((dirs.config_dir + "/autostart/" + file).c_str(), &st) == 0;
    net.dnsmasq = LibvirtDnsmasq(dirs, net.name);
    facts.networks.push_back(std::move(net));
  }
  return facts;
}

std::unique_ptr<TakeOverHost> MakeTakeOverHost(HostDriverParts& parts, NetworkObjects& objects,
                                               NetworkStateRecorder& recorder,
                                               const LibvirtDirs& dirs, const std::string& keep_dir,
                                               Say say) {
  return std::make_unique<RealTakeOver>(parts, objects, recorder, dirs, keep_dir, std::move(say));
}

}  // namespace virtnat::driver
