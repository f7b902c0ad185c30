// HostRealizer's asynchronous start and live update with a dnsmasq fake
// whose starts wait for the test: the network is recorded (or the update
// applied) only once dnsmasq runs; failure, stop and destruction undo it.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "tests/support/host_realizer_fixture.h"

namespace virtnat::driver {
namespace {

TEST_F(HostRealizerTest, AnAsyncStartRecordsTheNetworkOnlyOnceDnsmasqRuns) {
  dnsmasq_.defer = true;
  std::optional<Status> done;
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  ASSERT_FALSE(done);
  ASSERT_TRUE(dnsmasq_.finish);
  // Everything before dnsmasq is in place; the network is not recorded yet
  // and cannot be started twice.
  EXPECT_EQ(netlink_.links().size(), 1u);
  EXPECT_EQ(firewall_.applied.size(), 1u);
  EXPECT_EQ(realizer_->Applied("seed"), nullptr);
  EXPECT_EQ(realizer_->Start(Def(kSeed)).code(), VIR_ERR_OPERATION_INVALID);
  dnsmasq_.finish(Status::Ok());
  ASSERT_TRUE(done && done->ok()) << done->message();
  ASSERT_NE(realizer_->Applied("seed"), nullptr);
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1000);
  ASSERT_TRUE(realizer_->Stop(Def(kSeed)).ok());
  ExpectNothingLeft();
}

TEST_F(HostRealizerTest, AFailedOrCancelledAsyncStartLeavesNothing) {
  dnsmasq_.defer = true;
  std::optional<Status> done;
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  dnsmasq_.finish(InternalError("dnsmasq: bad option"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->message(), "internal error: dnsmasq: bad option");
  ExpectNothingLeft();

  // Stopped while dnsmasq starts: its launch is cancelled, all is undone.
  done.reset();
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  ASSERT_TRUE(realizer_->Stop(Def(kSeed)).ok());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->code(), VIR_ERR_OPERATION_ABORTED);
  EXPECT_EQ(dnsmasq_.calls.back(), "cancel");
  ExpectNothingLeft();

  // The realizer going away undoes a pending start without calling back.
  done.reset();
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  realizer_.reset();
  EXPECT_FALSE(done);
  EXPECT_EQ(dnsmasq_.calls.back(), "cancel");
  EXPECT_TRUE(netlink_.links().empty());
  EXPECT_TRUE(firewall_.applied.empty());
  EXPECT_EQ(Files("lib"), std::vector<std::string>{});
}

// The rules go in while dnsmasq starts; if they fail, the launch is
// cancelled (or, when dnsmasq was already up, it is stopped) and all is undone.
TEST_F(HostRealizerTest, RulesThatFailWhileDnsmasqStartsUndoTheStart) {
  dnsmasq_.defer = true;
  firewall_.fail_next = InternalError("nft: no table");
  std::optional<Status> done;
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  ASSERT_TRUE(done);
  EXPECT_EQ(done->message(), "internal error: nft: no table");
  EXPECT_EQ(dnsmasq_.calls.back(), "cancel");
  ExpectNothingLeft();

  // A dnsmasq that is up at once (the fake's default) is stopped.
  dnsmasq_.defer = false;
  firewall_.fail_next = InternalError("nft: no table");
  done.reset();
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->ok());
  EXPECT_EQ(dnsmasq_.calls.back(), "stop 1000");
  ExpectNothingLeft();
  // And with the rules in place the same start goes through.
  done.reset();
  realizer_->StartAsync(Def(kSeed), [&done](Status s) { done = s; });
  ASSERT_TRUE(done && done->ok()) << done->message();
  EXPECT_EQ(firewall_.applied.size(), 1u);
  ASSERT_TRUE(realizer_->Stop(Def(kSeed)).ok());
  ExpectNothingLeft();
}

TEST_F(HostRealizerTest, AnAsyncRestartAppliesTheUpdateOnlyOnceTheNewDnsmasqRuns) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  xml::NetworkDef txt = def;
  txt.dns.txts.push_back(xml::DnsTxt{"example", "hello"});
  dnsmasq_.defer = true;
  std::optional<Status> done;
  realizer_->ReloadAsync(def, txt, [&done](Status s) { done = s; });
  ASSERT_FALSE(done);
  EXPECT_EQ(dnsmasq_.calls, (std::vector<std::string>{"start VIR_BRIDGE_NAME=virbr0", "stop 1000",
                                                      "begin VIR_BRIDGE_NAME=virbr0"}));
  // Meanwhile the record keeps the old plan and a second update waits its turn.
  EXPECT_EQ(realizer_->Applied("seed")->dnsmasq.conf.find("txt-record"), std::string::npos);
  EXPECT_EQ(realizer_->Reload(def, txt).message(),
            "Requested operation is not valid: network 'seed' is being updated; try again when "
            "it is done");
  dnsmasq_.finish(Status::Ok());
  ASSERT_TRUE(done && done->ok()) << done->message();
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1001);
  EXPECT_NE(realizer_->Applied("seed")->dnsmasq.conf.find("txt-record=example,hello"),
            std::string::npos);
  ASSERT_TRUE(realizer_->Stop(txt).ok());
  ExpectNothingLeft();
}

TEST_F(HostRealizerTest, AFailedAsyncRestartBringsTheOldDnsmasqBack) {
  xml::NetworkDef def = Def(kSeed);
  ASSERT_TRUE(realizer_->Start(def).ok());
  const std::string old_conf = Read("lib/seed.conf");
  xml::NetworkDef txt = def;
  txt.dns.txts.push_back(xml::DnsTxt{"example", "hello"});
  dnsmasq_.defer = true;
  std::optional<Status> done;
  realizer_->ReloadAsync(def, txt, [&done](Status s) { done = s; });
  dnsmasq_.defer = false;  // the old one comes back at once
  dnsmasq_.finish(InternalError("dnsmasq: bad option"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->message(), "internal error: dnsmasq: bad option");
  EXPECT_EQ(dnsmasq_.calls.back(), "start VIR_BRIDGE_NAME=virbr0");
  EXPECT_EQ(realizer_->DnsmasqPid("seed"), 1001);
  EXPECT_EQ(Read("lib/seed.conf"), old_conf);

  // Stopped while an update restarts dnsmasq: the update is cancelled.
  dnsmasq_.defer = true;
  done.reset();
  realizer_->ReloadAsync(def, txt, [&done](Status s) { done = s; });
  ASSERT_TRUE(realizer_->Stop(def).ok());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->code(), VIR_ERR_OPERATION_ABORTED);
  EXPECT_EQ(dnsmasq_.calls.back(), "cancel");
  ExpectNothingLeft();
}

}  // namespace
}  // namespace virtnat::driver
