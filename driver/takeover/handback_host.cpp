// The host side of a hand-back (takeover_plan.h HandBackSteps): libvirt's
// files written as its network driver keeps them for a running network,
// virtnatd's dnsmasq and rules removed, the bridge and its ports kept.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "driver/dnsmasq/dnsmasq_leases.h"
#include "driver/os/atomic_file.h"
#include "driver/os/process.h"
#include "driver/os/process_identity.h"
#include "driver/state/recorded_network.h"
#include "driver/takeover/libvirt_files.h"
#include "driver/takeover/takeover_host.h"

namespace virtnat::driver {
namespace {

constexpr size_t kMaxFile = 16 << 20;

// A file written over, and what it held before (nullopt: it did not exist).
struct Written {
  std::string path;
  std::optional<std::string> before;
};

class RealHandBack final : public HandBackHost {
 public:
  RealHandBack(HostDriverParts& parts, DefinitionCodec& codec, LibvirtDirs dirs,
               std::string keep_dir)
      : parts_(parts), codec_(codec), dirs_(std::move(dirs)), keep_(std::move(keep_dir)) {
    Result<LoadedStatus> loaded = parts_.status().LoadAll();
    if (!loaded.ok()) return;
    for (RecordedNetwork& net :
         ReadRecordedNetworks(loaded->records, codec_, parts_.realizer().plan_facts())) {
      std::string name = net.record.name;
      recorded_.emplace(name, std::move(net));
    }
  }

  Status WriteLibvirtState(const NetworkHandBack& net) override {
    std::vector<Written>& written = written_[net.name];
    const std::string config = dirs_.config_dir + "/" + net.name + ".xml";
    if (!net.config_xml.empty()) {
      RETURN_IF_ERROR(Write(config, net.config_xml, 0600, written));
      if (net.autostart) {
        const std::string link = dirs_.config_dir + "/autostart/" + net.name + ".xml";
        RETURN_IF_ERROR(EnsureDirectory(dirs_.config_dir + "/autostart", 0755));
        struct stat st;
        if (lstat(link.c_str(), &st) != 0) {
          // The link libvirt had, as it was, if it was put aside.
          Result<std::string> kept = ReadFileLimited(keep_ + "/" + net.name + ".autostart", 4096);
          RETURN_IF_ERROR(ReplaceSymlinkAtomic(link, kept.ok() ? *kept : config));
          written.push_back(Written{link, std::nullopt});
        }
      }
    }
    Result<std::string> kept = ReadFileLimited(keep_ + "/" + net.name + ".status.xml", kMaxFile);
    RETURN_IF_ERROR(Write(dirs_.run_dir + "/" + net.name + ".xml",
                          LibvirtStatusDocument(kept.ok() ? *kept : "", net.live_xml), 0600,
                          written));
    return Write(dirs_.lease_dir + "/" + net.bridge + ".status",
                 FormatLibvirtLeases(ParseDnsmasqLeases(net.lease_database)), 0644, written);
  }

  Status RemoveLibvirtState(const NetworkHandBack& net) override {
    Status result = Status::Ok();
    std::vector<Written>& written = written_[net.name];
    for (auto it = written.rbegin(); it != written.rend(); ++it) {
      Status st =
          it->before ? WriteFileAtomic(it->path, *it->before, 0600) : RemoveFileDurable(it->path);
      if (!st.ok()) result = st;
    }
    written.clear();
    return result;
  }

  Status StopDnsmasq(const NetworkHandBack& net) override {
    const RecordedNetwork* rec = Find(net.name);
    if (!rec || !rec->record.dnsmasq) return Status::Ok();
    const DnsmasqStatus& d = *rec->record.dnsmasq;
    if (!ProcessMatches(d.pid, d.start_time, d.cmdline)) return Status::Ok();  // gone already
    Result<Pidfd> fd = Pidfd::Open(d.pid);
    if (!fd.ok()) return Status::Ok();
    RETURN_IF_ERROR(fd->Signal(SIGTERM));
    if (!fd->WaitForExit(std::chrono::seconds(5))) {
      return OperationFailed("virtnatd's dnsmasq of network '" + net.name + "' (pid " +
                             std::to_string(d.pid) + ") does not exit");
    }
    return Status::Ok();
  }

  Status RemoveRules(const NetworkHandBack& net) override {
    const RecordedNetwork* rec = Find(net.name);
    if (!rec || !rec->recorded_rules) return Status::Ok();
    NftFirewall& fw = parts_.firewall();
    fw.Adopt(net.name, *rec->recorded_rules);
    if (rec->plan && SameFirewallObjects(*rec->recorded_rules, rec->plan->firewall.rules)) {
      fw.Adopt(net.name, rec->plan->firewall.rules);
    }
    return fw.Remove(net.name);
  }

  Status RestoreRules(const NetworkHandBack& net) override {
    const RecordedNetwork* rec = Find(net.name);
    if (!rec || !rec->plan) return Status::Ok();
    return parts_.firewall().Apply(net.name, rec->plan->firewall);
  }

  Status Forget(const NetworkHandBack& net) override {
    const RecordedNetwork* rec = Find(net.name);
    if (rec) {
      for (const std::string& file : rec->record.files) (void)RemoveFileDurable(file);
    }
    RETURN_IF_ERROR(parts_.status().Remove(net.name));
    RETURN_IF_ERROR(parts_.store().Remove(net.name));
    (void)RemoveFileDurable(keep_ + "/" + net.name + ".status.xml");
    (void)RemoveFileDurable(keep_ + "/" + net.name + ".autostart");
    return parts_.realizer().Forget(net.name);
  }

 private:
  const RecordedNetwork* Find(const std::string& name) const {
    auto it = recorded_.find(name);
    return it == recorded_.end() ? nullptr : &it->second;
  }
  static Status Write(const std::string& path, const std::string& text, mode_t mode,
                      std::vector<Written>& written) {
    Result<std::string> before = ReadFileLimited(path, kMaxFile);
    RETURN_IF_ERROR(EnsureDirectory(DirName(path), 0755));
    RETURN_IF_ERROR(WriteFileAtomic(path, text, mode));
    written.push_back(Written{path, before.ok() ? std::optional(*before) : std::nullopt});
    return Status::Ok();
  }

  HostDriverParts& parts_;
  DefinitionCodec& codec_;
  LibvirtDirs dirs_;
  std::string keep_;
  std::map<std::string, RecordedNetwork> recorded_;
  std::map<std::string, std::vector<Written>> written_;
};

}  // namespace

Result<std::vector<NetworkHandBack>> GatherHandBack(HostDriverParts& parts, NetworkObjects& objects,
                                                    DefinitionCodec& codec) {
  ASSIGN_OR_RETURN(LoadedStatus loaded, parts.status().LoadAll());
  std::vector<NetworkHandBack> out;
  for (const StatusRecord& record : loaded.records) {
    NetworkHandBack net;
    net.name = record.name;
    net.bridge = record.bridge;
    net.live_xml = record.live_xml;
    if (Result<NetworkRef> ref = objects.LookupByName(record.name); ref.ok()) {
      ASSIGN_OR_RETURN(net.config_xml, objects.GetXmlDesc(*ref, VIR_NETWORK_XML_INACTIVE));
      ASSIGN_OR_RETURN(net.autostart, objects.GetAutostart(*ref));
    }
    ASSIGN_OR_RETURN(xml::NetworkDef def, codec.Parse(record.live_xml, false));
    ASSIGN_OR_RETURN(NetworkPlan plan, PlanNetwork(def, parts.realizer().plan_facts()));
    if (!plan.dnsmasq_paths.lease_file.empty()) {
      Result<std::string> leases = ReadFileLimited(plan.dnsmasq_paths.lease_file, kMaxFile);
      if (leases.ok()) net.lease_database = *leases;
    }
    out.push_back(std::move(net));
  }
  return out;
}

std::unique_ptr<HandBackHost> MakeHandBackHost(HostDriverParts& parts, DefinitionCodec& codec,
                                               const LibvirtDirs& dirs,
                                               const std::string& keep_dir) {
  return std::make_unique<RealHandBack>(parts, codec, dirs, keep_dir);
}

}  // namespace virtnat::driver
