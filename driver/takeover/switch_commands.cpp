#include "driver/takeover/switch_commands.h"

#include <glib.h>

#include <cstdio>
#include <map>

#include "driver/objects/xml_codec.h"
#include "driver/os/pid_file.h"
#include "driver/takeover/import_plan.h"

namespace virtnat::driver {
namespace {

void Print(const std::string& line) { std::printf("%s\n", line.c_str()); }

int Fail(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "virtnatd: %s\n", message.c_str());
  return 1;
}

// Everything a command works with: the daemon's parts as its start builds
// them, the definitions loaded and what an earlier daemon left running
// adopted (so that virtnatd's own rules stay whole).
struct Session {
  std::unique_ptr<HostDriverParts> parts;
  XmlCodec codec;
  std::unique_ptr<NetworkObjects> objects;
  std::unique_ptr<NetworkStateRecorder> recorder;

  Status Open(const HostDirs& dirs) {
    ASSIGN_OR_RETURN(parts, HostDriverParts::Open(dirs));
    objects = std::make_unique<NetworkObjects>(codec, parts->realizer(), parts->store());
    HostDriverParts* p = parts.get();
    recorder = std::make_unique<NetworkStateRecorder>(
        *objects, parts->status(), [p](const std::string& name) { return p->FactsOf(name); },
        [](const std::string& problem) { g_warning("%s", problem.c_str()); });
    RETURN_IF_ERROR(objects->Load().status());
    parts->AdoptOrCleanUp(codec, *objects, *recorder);
    return Status::Ok();
  }
};

int Import(const SwitchCommand& cmd, Session& s) {
  Result<LibvirtImport> read = ReadLibvirtNetworks(cmd.import_dir);
  if (!read.ok()) return Fail(read.error().message);
  std::map<std::string, std::string> uuids;
  Result<std::vector<NetworkRef>> all = s.objects->ListAllNetworks(0);
  for (const NetworkRef& ref : all.ok() ? *all : std::vector<NetworkRef>{}) {
    uuids.emplace(xml::FormatUuid(ref.uuid), ref.name);
  }
  std::vector<ImportVerdict> verdicts = PlanImport(
      *read, s.codec, s.parts->realizer().plan_facts(),
      [&s](const std::string& name) { return s.objects->LookupByName(name).ok(); }, uuids);
  LibvirtImport chosen;
  for (const ImportVerdict& v : verdicts) {
    if (v.action != ImportVerdict::Action::kDefine) continue;
    for (const ImportedNetwork& net : read->networks) {
      if (net.name == v.name) chosen.networks.push_back(net);
    }
  }
  ImportReport report;
  if (!cmd.dry_run) report = s.objects->ImportNetworks(chosen);
  std::fputs(FormatImportReport(verdicts, read->problems, cmd.dry_run).c_str(), stdout);
  for (const std::string& problem : report.problems) Print("failed: " + problem);
  bool refused = !report.problems.empty();
  for (const ImportVerdict& v : verdicts) refused |= v.action == ImportVerdict::Action::kRefuse;
  return refused ? 1 : 0;
}

int TakeOver(const SwitchCommand& cmd, Session& s, const HostDirs& dirs) {
  Result<TakeOverFacts> facts = GatherTakeOverFacts(cmd.libvirt);
  if (!facts.ok()) return Fail(facts.error().message);
  NetworkObjects& objects = *s.objects;
  TakeOverPlan plan =
      PlanTakeOver(*facts, s.codec, s.parts->realizer().plan_facts(),
                   [&objects](const xml::NetworkDef& def) { return objects.CheckAdoptable(def); });
  for (const NetworkTakeOver& n : plan.networks) {
    Print(n.name + ": " + (cmd.dry_run ? "will take over" : "taking over") + " bridge " +
          n.plan.bridge.name + " with its ports, " + std::to_string(n.leases) + " lease(s)" +
          (n.libvirt_dnsmasq
               ? ", replacing libvirt's dnsmasq (pid " + std::to_string(*n.libvirt_dnsmasq) + ")"
               : "") +
          (n.config_xml.empty() ? ", transient"
           : n.autostart        ? ", autostart"
                                : ""));
  }
  for (const std::string& refusal : plan.refusals) Print("cannot take over: " + refusal);
  if (!plan.refusals.empty()) return Fail("nothing was changed");
  if (plan.networks.empty()) Print("libvirt runs no network (" + cmd.libvirt.run_dir + ")");
  if (cmd.dry_run || plan.networks.empty()) return 0;
  std::unique_ptr<TakeOverHost> host = MakeTakeOverHost(*s.parts, objects, *s.recorder, cmd.libvirt,
                                                        dirs.state_dir + "/libvirt", Print);
  StepsReport report = RunSwitchSteps(TakeOverSteps(plan, *host));
  for (const std::string& problem : report.problems) Print("failed: " + problem);
  if (!report.ok) return Fail("the take-over was undone; libvirt's networks run as before");
  Print("done: start virtnatd; it runs the networks on from their records");
  return 0;
}

int HandBack(const SwitchCommand& cmd, Session& s, const HostDirs& dirs) {
  Result<std::vector<NetworkHandBack>> networks = GatherHandBack(*s.parts, *s.objects, s.codec);
  if (!networks.ok()) return Fail(networks.error().message);
  bool refused = false;
  for (const NetworkHandBack& n : *networks) {
    Status st = CheckHandBack(n.name, n.live_xml, n.config_xml);
    refused |= !st.ok();
    Print(st.ok() ? n.name + ": " + (cmd.dry_run ? "will hand back" : "handing back") + " bridge " +
                        n.bridge + (n.config_xml.empty() ? " (transient)" : "")
                  : "cannot hand back: " + st.message());
  }
  if (refused) return Fail("nothing was changed");
  if (networks->empty()) Print("virtnatd runs no network");
  if (cmd.dry_run || networks->empty()) return 0;
  std::unique_ptr<HandBackHost> host =
      MakeHandBackHost(*s.parts, s.codec, cmd.libvirt, dirs.state_dir + "/libvirt");
  StepsReport report = RunSwitchSteps(HandBackSteps(*networks, *host));
  for (const std::string& problem : report.problems) Print("failed: " + problem);
  if (!report.ok) return Fail("the hand-back was undone; virtnatd's networks run as before");
  Print("done: start libvirtd; it finds the networks active and starts its dnsmasq and rules");
  return 0;
}

}  // namespace

bool IsSwitchCommand(const std::string& arg) {
  return arg == "import-libvirt" || arg == "take-over-libvirt" || arg == "hand-back-libvirt";
}

std::string SwitchUsage() {
  return "  import-libvirt [--dry-run] [DIR]\n"
         "                         define the networks libvirt keeps in DIR (default\n"
         "                         /etc/libvirt/qemu/networks) with their autostart marks\n"
         "  take-over-libvirt [--dry-run] [--libvirt-config-dir DIR] [--libvirt-run-dir DIR]\n"
         "                    [--libvirt-lease-dir DIR]\n"
         "                         adopt the networks libvirt's stopped daemon left running\n"
         "  hand-back-libvirt [--dry-run] [same libvirt options]\n"
         "                         give virtnatd's running networks back to libvirt\n";
}

Result<SwitchCommand> ParseSwitchCommand(int argc, char** argv) {
  SwitchCommand cmd;
  cmd.name = argv[1];
  bool dir_given = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    size_t eq = arg.find('=');
    std::string key = arg.substr(0, eq);
    auto take = [&]() -> Result<std::string> {
      if (eq != std::string::npos) return arg.substr(eq + 1);
      if (i + 1 >= argc) {
        return MakeError(VIR_ERR_CONF_SYNTAX, VIR_FROM_CONF, "option '" + key + "' needs a value");
      }
      return std::string(argv[++i]);
    };
    if (arg == "--dry-run") {
      cmd.dry_run = true;
    } else if (arg == "--help" || arg == "-h") {
      cmd.help = true;
    } else if (arg == "--status" || arg == "--version" || arg == "-V") {
      return MakeError(VIR_ERR_CONF_SYNTAX, VIR_FROM_CONF,
                       "'" + arg + "' is not an option of " + cmd.name);
    } else if (key == "--libvirt-config-dir" && cmd.name != "import-libvirt") {
      ASSIGN_OR_RETURN(cmd.libvirt.config_dir, take());
    } else if (key == "--libvirt-run-dir" && cmd.name != "import-libvirt") {
      ASSIGN_OR_RETURN(cmd.libvirt.run_dir, take());
    } else if (key == "--libvirt-lease-dir" && cmd.name != "import-libvirt") {
      ASSIGN_OR_RETURN(cmd.libvirt.lease_dir, take());
    } else if (!arg.starts_with("-") && cmd.name == "import-libvirt" && !dir_given) {
      cmd.import_dir = arg;
      dir_given = true;
    } else if (arg.starts_with("-")) {
      // The daemon's option; without '=', its value is the next argument.
      cmd.daemon_args.push_back(arg);
      if (eq == std::string::npos && i + 1 < argc) cmd.daemon_args.push_back(argv[++i]);
    } else {
      return MakeError(VIR_ERR_CONF_SYNTAX, VIR_FROM_CONF,
                       "unexpected argument '" + arg + "' for " + cmd.name);
    }
  }
  return cmd;
}

int RunSwitchCommand(const SwitchCommand& cmd, const HostDirs& dirs, const std::string& pid_file) {
  // The daemon must not run meanwhile: it would not see what changes.
  Result<PidFile> lock = PidFile::Acquire(pid_file);
  if (!lock.ok()) {
    return Fail(lock.error().message + " (stop virtnatd first: systemctl stop virtnatd)");
  }
  Session session;
  if (Status st = session.Open(dirs); !st.ok()) return Fail(st.message());
  if (cmd.name == "import-libvirt") return Import(cmd, session);
  if (cmd.name == "take-over-libvirt") return TakeOver(cmd, session, dirs);
  return HandBack(cmd, session, dirs);
}

}  // namespace virtnat::driver
