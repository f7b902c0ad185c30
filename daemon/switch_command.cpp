#include "daemon/switch_command.h"

#include <cstdio>
#include <vector>

#include "daemon/options.h"
#include "driver/check/host_probe.h"
#include "driver/takeover/switch_commands.h"

namespace virtnat::daemon {

int RunSwitch(int argc, char** argv) {
  Result<driver::SwitchCommand> cmd = driver::ParseSwitchCommand(argc, argv);
  if (cmd.ok() && cmd->help) {
    std::printf("Usage: %s COMMAND [OPTIONS]\n%s", argv[0], driver::SwitchUsage().c_str());
    return 0;
  }
  if (cmd.ok()) {
    std::vector<char*> args{argv[0]};
    for (std::string& arg : cmd->daemon_args) args.push_back(arg.data());
    Result<Options> opts = ParseOptions(static_cast<int>(args.size()), args.data());
    if (opts.ok()) {
      return driver::RunSwitchCommand(
          *cmd,
          driver::HostDirs{opts->config_dir, opts->state_dir, opts->run_dir,
                           driver::FindDnsmasq(opts->dnsmasq_binary), opts->start_timeout,
                           opts->lease_status_dir},
          opts->PidFilePath());
    }
    std::fprintf(stderr, "virtnatd: %s\n", opts.error().message.c_str());
  } else {
    std::fprintf(stderr, "virtnatd: %s\n", cmd.error().message.c_str());
  }
  std::fprintf(stderr, "%s", driver::SwitchUsage().c_str());
  return 2;
}

}  // namespace virtnat::daemon
