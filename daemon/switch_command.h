#pragma once
// `virtnatd import-libvirt | take-over-libvirt | hand-back-libvirt ...`:
// the one-shot commands of driver/takeover/switch_commands.h with the
// daemon's own options for its directories.

namespace virtnat::daemon {

// REQUIRES: argv[1] names a switch command. Returns the exit code.
int RunSwitch(int argc, char** argv);

}  // namespace virtnat::daemon
