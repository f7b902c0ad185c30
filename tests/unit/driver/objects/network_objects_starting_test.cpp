// A network whose start (or live update) is in progress (the realizer
// completes on demand):
// it reads as inactive, calls that would change it are refused with a clear
// error, other networks are served, and the object, the STARTED event and
// the caller's answer come together once the start is done.

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <memory>
#include <optional>

#include "driver/objects/network_objects.h"
#include "driver/store/definition_store.h"
#include "tests/support/deferred_realizer.h"
#include "tests/support/fake_codec.h"

namespace virtnat::driver {
namespace {

constexpr char kUuidA[] = "11111111-2222-3333-4444-5555555555a1";
constexpr char kUuidB[] = "11111111-2222-3333-4444-5555555555b2";
constexpr char kBeingStarted[] =
    "Requested operation is not valid: network 'a' is being started; try again when it is done";

std::string Xml(const std::string& name, const std::string& uuid) {
  return "<network><name>" + name + "</name><uuid>" + uuid + "</uuid></network>";
}

class StartingTest : public ::testing::Test {
 protected:
  StartingTest() {
    driver_->SubscribeLifecycle([this](const NetworkRef& net, LifecycleEvent e) {
      log_.push_back(net.name + ":event" + std::to_string(static_cast<int>(e)));
    });
  }

  NetworkRef Define(const std::string& name, const std::string& uuid) {
    Result<NetworkRef> r = driver_->DefineXml(Xml(name, uuid), 0);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : NetworkRef{};
  }

  // Starts `net`; the outcome lands in `*out` (and in the log).
  void StartAsync(const NetworkRef& net, std::optional<Status>* out) {
    driver_->CreateAsync(net, [this, out, name = net.name](Status st) {
      log_.push_back(name + ":done");
      *out = std::move(st);
    });
  }

  bool Active(const NetworkRef& net) { return *driver_->IsActive(net); }

  testing::FakeCodec codec_;
  testing::DeferredRealizer realizer_;
  MemoryStore store_;
  std::unique_ptr<NetworkObjects> driver_ =
      std::make_unique<NetworkObjects>(codec_, realizer_, store_);
  std::vector<std::string> log_;
};

TEST_F(StartingTest, ConflictingCallsAreRefusedWhileOtherNetworksAreServed) {
  NetworkRef a = Define("a", kUuidA);
  NetworkRef b = Define("b", kUuidB);
  log_.clear();
  std::optional<Status> a_done;
  StartAsync(a, &a_done);
  ASSERT_TRUE(realizer_.IsPending("a"));
  EXPECT_FALSE(a_done);

  // Read-only calls answer; the network is not active yet.
  EXPECT_FALSE(Active(a));
  EXPECT_TRUE(driver_->GetXmlDesc(a, 0).ok());
  EXPECT_TRUE(driver_->ListAllNetworks(VIR_CONNECT_LIST_NETWORKS_ACTIVE)->empty());
  EXPECT_EQ(driver_->ListAllNetworks(VIR_CONNECT_LIST_NETWORKS_INACTIVE)->size(), 2u);

  // Every call that would change it gets the same error.
  std::optional<Status> again;
  StartAsync(a, &again);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->code(), VIR_ERR_OPERATION_INVALID);
  EXPECT_EQ(again->message(), kBeingStarted);
  EXPECT_EQ(driver_->Create(a).message(), kBeingStarted);
  EXPECT_EQ(driver_->Destroy(a).message(), kBeingStarted);
  EXPECT_EQ(driver_->Undefine(a).message(), kBeingStarted);
  EXPECT_EQ(driver_->Update(a, 3, 4, -1, "X", 0).message(), kBeingStarted);
  EXPECT_EQ(driver_->DefineXml(Xml("a", kUuidA), 0).error().message, kBeingStarted);
  EXPECT_EQ(driver_->CreateXml(Xml("a", kUuidA), 0).error().message, kBeingStarted);
  EXPECT_EQ(realizer_.pending.size(), 1u);  // none of them reached the realizer

  // Another network starts and finishes on its own.
  std::optional<Status> b_done;
  StartAsync(b, &b_done);
  ASSERT_TRUE(realizer_.Complete("b"));
  ASSERT_TRUE(b_done && b_done->ok());
  EXPECT_TRUE(Active(b));
  EXPECT_FALSE(Active(a));
  EXPECT_TRUE(driver_->Destroy(b).ok());

  // The event comes before the answer, and both after the object is active.
  log_.clear();
  ASSERT_TRUE(realizer_.Complete("a"));
  ASSERT_TRUE(a_done && a_done->ok());
  EXPECT_EQ(log_, (std::vector<std::string>{"a:event2", "a:done"}));
  EXPECT_TRUE(Active(a));
  EXPECT_TRUE(driver_->Destroy(a).ok());
}

TEST_F(StartingTest, AFailedStartLeavesTheNetworkAsItWasWithoutAnEvent) {
  NetworkRef a = Define("a", kUuidA);
  log_.clear();
  std::optional<Status> done;
  StartAsync(a, &done);
  ASSERT_TRUE(realizer_.Complete("a", InternalError("dnsmasq said no")));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->message(), "internal error: dnsmasq said no");
  EXPECT_EQ(log_, std::vector<std::string>{"a:done"});
  EXPECT_FALSE(Active(a));
  // Nothing is left in the "being started" state.
  EXPECT_TRUE(driver_->Undefine(a).ok());
}

TEST_F(StartingTest, ATransientNetworkIsKnownWhileStartingAndGoneIfItFails) {
  std::optional<Result<NetworkRef>> created;
  driver_->CreateXmlAsync(Xml("a", kUuidA), 0,
                          [&created](Result<NetworkRef> r) { created.emplace(std::move(r)); });
  ASSERT_FALSE(created);
  // Its name and UUID stay taken meanwhile.
  Result<NetworkRef> found = driver_->LookupByName("a");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(Active(*found));
  EXPECT_EQ(driver_->CreateXml(Xml("a", kUuidA), 0).error().message, kBeingStarted);
  EXPECT_EQ(driver_->DefineXml(Xml("a", kUuidB), 0).error().code, VIR_ERR_OPERATION_FAILED);

  ASSERT_TRUE(realizer_.Complete("a", InternalError("no")));
  ASSERT_TRUE(created && !created->ok());
  EXPECT_EQ(driver_->LookupByName("a").error().code, VIR_ERR_NO_NETWORK);

  created.reset();
  driver_->CreateXmlAsync(Xml("a", kUuidA), 0,
                          [&created](Result<NetworkRef> r) { created.emplace(std::move(r)); });
  ASSERT_TRUE(realizer_.Complete("a"));
  ASSERT_TRUE(created && created->ok());
  EXPECT_EQ((*created)->name, "a");
  EXPECT_TRUE(Active(**created));
  EXPECT_FALSE(*driver_->IsPersistent(**created));
}

TEST_F(StartingTest, AutostartNetworksStartSideBySideAndReportFailuresWhenTheyHappen) {
  ASSERT_TRUE(driver_->SetAutostart(Define("a", kUuidA), true).ok());
  ASSERT_TRUE(driver_->SetAutostart(Define("b", kUuidB), true).ok());
  std::vector<std::string> failures;
  driver_->StartAutostartNetworks([&failures](const std::string& f) { failures.push_back(f); });
  // Both launches are under way before either completes.
  EXPECT_EQ(realizer_.pending.size(), 2u);
  ASSERT_TRUE(realizer_.Complete("b", InternalError("bad option")));
  EXPECT_EQ(failures,
            std::vector<std::string>{"cannot autostart network 'b': internal error: bad option"});
  ASSERT_TRUE(realizer_.Complete("a"));
  EXPECT_TRUE(Active(*driver_->LookupByName("a")));
  EXPECT_EQ(failures.size(), 1u);
}

TEST_F(StartingTest, ALiveUpdateInProgressRefusesChangesAndAppliesWhenDone) {
  NetworkRef a = Define("a", kUuidA);
  ASSERT_TRUE(driver_->Create(a).ok());
  int hooked = 0;
  driver_->SetLiveChangeHook([&hooked](const NetworkRef&) { ++hooked; });
  constexpr unsigned kBoth = VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG;
  std::optional<Status> done;
  driver_->UpdateAsync(a, 3, 4, -1, "X", kBoth, [&done](Status st) { done = st; });
  ASSERT_TRUE(realizer_.IsPending("a"));
  const std::string updating =
      "Requested operation is not valid: network 'a' is being updated; try again when it is done";
  EXPECT_EQ(driver_->Destroy(a).message(), updating);
  EXPECT_EQ(driver_->Update(a, 3, 4, -1, "Y", kBoth).message(), updating);
  EXPECT_EQ(driver_->Undefine(a).message(), updating);
  EXPECT_TRUE(Active(a));
  EXPECT_EQ(driver_->GetXmlDesc(a, 0)->find("<description>X"), std::string::npos);

  ASSERT_TRUE(realizer_.Complete("a"));
  ASSERT_TRUE(done && done->ok()) << done->message();
  EXPECT_NE(driver_->GetXmlDesc(a, 0)->find("<description>X"), std::string::npos);
  EXPECT_NE(driver_->GetXmlDesc(a, VIR_NETWORK_XML_INACTIVE)->find("<description>X"),
            std::string::npos);
  EXPECT_EQ(hooked, 1);

  // A failed one changes nothing.
  done.reset();
  driver_->UpdateAsync(a, 3, 4, -1, "Z", kBoth, [&done](Status st) { done = st; });
  ASSERT_TRUE(realizer_.Complete("a", InternalError("dnsmasq: bad option")));
  ASSERT_TRUE(done && !done->ok());
  EXPECT_EQ(driver_->GetXmlDesc(a, 0)->find("<description>Z"), std::string::npos);
  EXPECT_EQ(driver_->GetXmlDesc(a, VIR_NETWORK_XML_INACTIVE)->find("<description>Z"),
            std::string::npos);
  EXPECT_EQ(hooked, 1);
  EXPECT_TRUE(driver_->Destroy(a).ok());
}

TEST_F(StartingTest, AStartCompletingAfterTheDriverIsGoneIsIgnored) {
  std::optional<Status> done;
  StartAsync(Define("a", kUuidA), &done);
  driver_.reset();
  ASSERT_TRUE(realizer_.Complete("a"));
  EXPECT_FALSE(done);
}

}  // namespace
}  // namespace virtnat::driver
