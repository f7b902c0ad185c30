#include <gtest/gtest.h>

#include "daemon/options.h"
#include "driver/takeover/switch_commands.h"

namespace virtnat {
namespace {

Result<driver::SwitchCommand> Parse(std::vector<std::string> args) {
  static std::vector<std::string> storage;
  storage = std::move(args);
  storage.insert(storage.begin(), "virtnatd");
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  return driver::ParseSwitchCommand(static_cast<int>(argv.size()), argv.data());
}

TEST(SwitchCommand, ImportTakesItsDirectoryAndLeavesTheDaemonsOptions) {
  Result<driver::SwitchCommand> cmd =
      Parse({"import-libvirt", "--config-dir", "/tmp/etc", "--dry-run", "/lv/networks"});
  ASSERT_TRUE(cmd.ok()) << cmd.error().message;
  EXPECT_TRUE(cmd->dry_run);
  EXPECT_EQ(cmd->import_dir, "/lv/networks");
  EXPECT_EQ(cmd->daemon_args, (std::vector<std::string>{"--config-dir", "/tmp/etc"}));
  Result<driver::SwitchCommand> plain = Parse({"import-libvirt"});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->import_dir, "/etc/libvirt/qemu/networks");
  EXPECT_FALSE(plain->dry_run);
}

TEST(SwitchCommand, TakeOverTakesLibvirtsDirectories) {
  Result<driver::SwitchCommand> cmd =
      Parse({"take-over-libvirt", "--libvirt-run-dir=/r", "--libvirt-config-dir", "/c",
             "--libvirt-lease-dir", "/l", "--run-dir=/vr"});
  ASSERT_TRUE(cmd.ok()) << cmd.error().message;
  EXPECT_EQ(cmd->libvirt.run_dir, "/r");
  EXPECT_EQ(cmd->libvirt.config_dir, "/c");
  EXPECT_EQ(cmd->libvirt.lease_dir, "/l");
  EXPECT_EQ(cmd->daemon_args, (std::vector<std::string>{"--run-dir=/vr"}));
}

TEST(SwitchCommand, StrayArgumentsAndMissingValuesAreNamed) {
  Result<driver::SwitchCommand> stray = Parse({"hand-back-libvirt", "extra"});
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.error().message, "unexpected argument 'extra' for hand-back-libvirt");
  Result<driver::SwitchCommand> missing = Parse({"take-over-libvirt", "--libvirt-run-dir"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "option '--libvirt-run-dir' needs a value");
  EXPECT_TRUE(driver::IsSwitchCommand("take-over-libvirt"));
  // --help is never passed on to a command that changes the host.
  Result<driver::SwitchCommand> help = Parse({"take-over-libvirt", "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help);
  Result<driver::SwitchCommand> status = Parse({"take-over-libvirt", "--status"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "'--status' is not an option of take-over-libvirt");
  EXPECT_FALSE(driver::IsSwitchCommand("--status"));
}

// The daemon no longer imports at every start (an undefined network came
// back): the old setting says what to run instead.
TEST(SwitchCommand, TheOldImportSettingPointsToTheCommand) {
  daemon::Options o;
  Status st = daemon::ApplyConfigText("import_libvirt = /etc/libvirt/qemu/networks\n", o);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("import once with 'virtnatd import-libvirt "
                              "/etc/libvirt/qemu/networks'"),
            std::string::npos);
}

}  // namespace
}  // namespace virtnat
