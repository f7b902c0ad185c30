#include "tests/support/fake_netlink.h"

#include <gtest/gtest.h>

#include "driver/realize/reverter.h"

namespace virtnat::driver {
namespace {

BridgeSpec Spec(const std::string& name) {
  return BridgeSpec{name, xml::MacAddress{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, 0, true, 0};
}

TEST(FakeNetlinkTest, RecordsCallsAndKeepsLinks) {
  FakeNetlink nl;
  ASSERT_TRUE(nl.CreateBridge(Spec("virbr0")).ok());
  ASSERT_TRUE(nl.AddAddress("virbr0", {*IpAddress::Parse("192.168.122.1"), 24}).ok());
  ASSERT_TRUE(nl.SetLinkUp("virbr0", true).ok());
  ASSERT_TRUE(nl.AddRoute("virbr0", {*IpAddress::Parse("10.0.0.0"), 24,
                                     *IpAddress::Parse("192.168.122.2"), 1})
                  .ok());
  EXPECT_EQ(nl.calls(), (std::vector<std::string>{
                            "CreateBridge virbr0 mac=52:54:00:12:34:56 mtu=0 stp=on delay=0",
                            "AddAddress virbr0 192.168.122.1/24",
                            "SetLinkUp virbr0 up",
                            "AddRoute virbr0 10.0.0.0/24 via 192.168.122.2 metric 1",
                        }));
  ASSERT_EQ(nl.links().count("virbr0"), 1u);
  EXPECT_TRUE(nl.links().at("virbr0").up);
  EXPECT_EQ(nl.links().at("virbr0").addresses, (std::vector<std::string>{"192.168.122.1/24"}));
}

TEST(FakeNetlinkTest, RefusesLikeTheKernel) {
  FakeNetlink nl;
  ASSERT_TRUE(nl.CreateBridge(Spec("virbrx9")).ok());
  EXPECT_EQ(nl.CreateBridge(Spec("virbrx9")).message(),
            "error creating bridge interface virbrx9: File exists");
  EXPECT_EQ(nl.CreateBridge(Spec("virbrx1234567890")).message(),
            "error creating bridge interface virbrx1234567890: Numerical result out of range");
  EXPECT_EQ(nl.SetLinkUp("nosuch", true).message(),
            "failed to set interface up 'nosuch': No such device");
  EXPECT_EQ(nl.DeleteLink("nosuch").code(), VIR_ERR_SYSTEM_ERROR);
}

TEST(FakeNetlinkTest, InjectedFailureThenRollbackLeavesNoLink) {
  FakeNetlink nl;
  nl.FailOn("AddAddress virbr0 fd00::1", SystemErrorFromErrno(EACCES, "cannot add IP address"));
  {
    Reverter revert;
    ASSERT_TRUE(nl.CreateBridge(Spec("virbr0")).ok());
    revert.Add([&nl] { return nl.DeleteLink("virbr0"); });
    ASSERT_TRUE(nl.AddAddress("virbr0", {*IpAddress::Parse("192.168.122.1"), 24}).ok());
    Status s = nl.AddAddress("virbr0", {*IpAddress::Parse("fd00::1"), 64});
    EXPECT_EQ(s.message(), "cannot add IP address: Permission denied");
  }
  EXPECT_TRUE(nl.links().empty());
  EXPECT_EQ(nl.calls().back(), "DeleteLink virbr0");
  // The failure fires once.
  ASSERT_TRUE(nl.CreateBridge(Spec("virbr0")).ok());
  EXPECT_TRUE(nl.AddAddress("virbr0", {*IpAddress::Parse("fd00::1"), 64}).ok());
}

}  // namespace
}  // namespace virtnat::driver
