#pragma once
// The network object layer (network-xml.md §1) behind the NetworkDriver
// interface: define / undefine / start / destroy / update / autostart /
// ports / leases with libvirt's preconditions, errors and events.
//
// Everything with an outside effect is injected: the XML codec, the host
// realization (NullRealizer: none) and persistence (MemoryStore: none). The
// objects live in memory; the store is written on every persistent change.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/hooks/hook_runner.h"
#include "driver/network_driver.h"
#include "driver/network_realizer.h"
#include "driver/objects/definition_codec.h"
#include "driver/objects/network_port.h"
#include "driver/objects/port_allocation.h"
#include "driver/store/definition_store.h"
#include "driver/store/libvirt_import.h"
#include "xml/network_defaults.h"

namespace virtnat::driver {

struct NetworkObject {
  xml::NetworkDef def;                     // current; the live one while active
  std::optional<xml::NetworkDef> new_def;  // pending config of a running persistent network
  bool active = false;
  bool persistent = false;
  bool autostart = false;
  bool starting = false;          // a start is in progress (reads as inactive)
  bool updating = false;          // a live update is in progress
  std::map<Uuid, PortDef> ports;  // only while active
};

struct ImportReport {
  std::vector<std::string> imported;  // names defined
  std::vector<std::string> skipped;   // names already defined, left alone
  std::vector<std::string> problems;  // "PATH: reason", one per network not imported
};

class NetworkObjects : public NetworkDriver {
 public:
  // The injected objects must outlive the driver.
  NetworkObjects(DefinitionCodec& codec, NetworkRealizer& realizer, DefinitionStore& store);

  // Loads the stored definitions (inactive). Fails only if the store cannot
  // be read. A definition that does not parse or whose uuid is taken is
  // skipped; networks sharing a bridge name are all kept, as libvirt keeps
  // them. Each comes back as a line naming the network.
  Result<std::vector<std::string>> Load();
  // Begins starting every persistent autostart network that is not running
  // yet, as libvirtd does after loading; they start side by side without
  // waiting for each other. A failure stops no other network: each one is
  // reported, when it happens, as a line naming its network; so is each
  // success, to `started` when given.
  void StartAutostartNetworks(std::function<void(const std::string& failure)> report,
                              std::function<void(const std::string& line)> started = nullptr);
  // Defines the networks read from libvirt's configuration, with their
  // autostart marks; networks whose name is already defined are skipped.
  ImportReport ImportNetworks(const LibvirtImport& from);
  // Marks a network active with its recorded live definition, without host
  // effects or events (the caller has adopted them): a loaded persistent
  // network keeps its stored definition as the pending config, an unknown
  // one becomes transient. Returns the parsed live definition.
  Result<xml::NetworkDef> AdoptRunning(const std::string& live_xml);
  // The same for a live definition the caller has parsed.
  Status AdoptRunning(const xml::NetworkDef& live);
  // Whether AdoptRunning(live_xml) would succeed: the live definition parses
  // and neither its name nor its uuid belongs to another network, nor is it
  // active (VIR_ERR_OPERATION_FAILED / OPERATION_INVALID, as libvirt).
  Result<xml::NetworkDef> CheckAdoptable(const std::string& live_xml);
  Status CheckAdoptable(const xml::NetworkDef& live);
  // The ports a restarted daemon finds in the status record of a network
  // it has adopted (AdoptRunning): each is parsed and checked as a
  // reclaimed port is, without hooks. A port that fails is left out and
  // comes back as a line naming the network and why.
  std::vector<std::string> AdoptPorts(const NetworkRef& net, const std::vector<std::string>& ports);
  // Where generated virtualport ids come from (tests inject a fixed source).
  void SetRandomSource(RandomBytes random) { random_bytes_ = std::move(random); }
  // Called, before the caller's reply, whenever a running network's live
  // definition or its ports change without a lifecycle event (live
  // updates, port create, delete and new parameters).
  void SetLiveChangeHook(std::function<void(const NetworkRef&)> hook) {
    live_change_hook_ = std::move(hook);
  }
  // The network hook scripts (libvirt's /etc/libvirt/hooks/network), run
  // where libvirt runs them: start/begin before any host effect (its
  // failure aborts the start), started/begin once the host side is up (its
  // failure undoes the start), port-created/begin before the port exists
  // (its failure refuses the port), updated/begin after an update (its
  // failure is the call's error; the change stays, as in libvirt),
  // port-deleted/begin and stopped/end after the fact (failures only
  // logged by the runner). `hooks` must outlive the driver. REQUIRES for
  // the blocking calls (Create, CreateXml, Update, PortCreateXml): a runner
  // that completes during Run (the loop's callers use the Async ones).
  void SetHookRunner(HookRunner& hooks) { hooks_ = &hooks; }

  Result<std::vector<NetworkRef>> ListAllNetworks(unsigned flags) override;
  Result<NetworkRef> LookupByName(const std::string& name) override;
  Result<NetworkRef> LookupByUuid(const Uuid& uuid) override;
  Result<NetworkRef> DefineXml(const std::string& xml, unsigned flags) override;
  Result<NetworkRef> CreateXml(const std::string& xml, unsigned flags) override;
  Status Undefine(const NetworkRef& net) override;
  Status Create(const NetworkRef& net) override;
  void CreateAsync(const NetworkRef& net, StartDone done) override;
  void CreateXmlAsync(const std::string& xml, unsigned flags, CreateDone done) override;
  Status Destroy(const NetworkRef& net) override;
  Result<std::string> GetXmlDesc(const NetworkRef& net, unsigned flags) override;
  Result<std::string> GetBridgeName(const NetworkRef& net) override;
  Result<bool> GetAutostart(const NetworkRef& net) override;
  Status SetAutostart(const NetworkRef& net, bool autostart) override;
  Result<bool> IsActive(const NetworkRef& net) override;
  Result<bool> IsPersistent(const NetworkRef& net) override;
  Status Update(const NetworkRef& net, unsigned command, unsigned section, int parent_index,
                const std::string& xml, unsigned flags) override;
  void UpdateAsync(const NetworkRef& net, unsigned command, unsigned section, int parent_index,
                   const std::string& xml, unsigned flags, StartDone done) override;
  Result<std::vector<NetworkDhcpLease>> GetDhcpLeases(const NetworkRef& net,
                                                      const std::optional<std::string>& mac,
                                                      unsigned flags) override;
  Result<PortRef> PortCreateXml(const NetworkRef& net, const std::string& xml,
                                unsigned flags) override;
  void PortCreateXmlAsync(const NetworkRef& net, const std::string& xml, unsigned flags,
                          PortDone done) override;
  Result<PortRef> PortLookupByUuid(const NetworkRef& net, const Uuid& uuid) override;
  Result<std::string> PortGetXmlDesc(const PortRef& port, unsigned flags) override;
  Status PortDelete(const PortRef& port, unsigned flags) override;
  Result<std::vector<PortRef>> ListAllPorts(const NetworkRef& net, unsigned flags) override;
  Result<std::vector<TypedParam>> PortGetParameters(const PortRef& port, unsigned flags) override;
  Status PortSetParameters(const PortRef& port, const std::vector<TypedParam>& params,
                           unsigned flags) override;
  int SubscribeLifecycle(LifecycleCallback callback) override;
  void UnsubscribeLifecycle(int id) override;
  Status SetMetadata(const NetworkRef& net, int type, const std::optional<std::string>& metadata,
                     const std::optional<std::string>& key, const std::optional<std::string>& uri,
                     unsigned flags) override;
  Result<std::string> GetMetadata(const NetworkRef& net, int type,
                                  const std::optional<std::string>& uri, unsigned flags) override;
  int SubscribeMetadataChange(MetadataChangeCallback callback) override;
  void UnsubscribeMetadataChange(int id) override;

 private:
  // The object for a handle, found by UUID as libvirtd does.
  Result<NetworkObject*> Find(const NetworkRef& net);
  Result<PortDef*> FindPort(const PortRef& port);
  // Parses, applies defaults and checks conflicts with other objects.
  Result<xml::NetworkDef> PrepareDef(const std::string& xml, bool validate, bool for_create);
  // Starts `obj` as `def` (its config stays obj.def until the start is
  // done). `wait`: the realizer's blocking start, so `done` runs before this
  // returns. On success the object is active and STARTED emitted before
  // `done`; a transient object that failed to start is removed.
  void StartObject(NetworkObject& obj, xml::NetworkDef def, bool wait, StartDone done);
  void BeginCreate(const NetworkRef& net, bool wait, StartDone done);
  void BeginCreateXml(const std::string& xml, unsigned flags, bool wait, CreateDone done);
  // `wait`: as for StartObject. A live change marks the object updating
  // until the realizer is done; the object changes only if all succeeded.
  void BeginUpdate(const NetworkRef& net, unsigned command, unsigned section, int parent_index,
                   const std::string& xml, unsigned flags, bool wait, StartDone done);
  // Runs the network hook `op` for `def` as it is live with `ports` ports
  // (and `port`'s XML for port operations).
  void RunHook(HookOp op, const xml::NetworkDef& def, size_t ports, const PortDef* port,
               HookRunner::Done done);
  Status SaveConfig(const xml::NetworkDef& def);
  void Emit(const xml::NetworkDef& def, LifecycleEvent event);

  DefinitionCodec& codec_;
  NetworkRealizer& realizer_;
  DefinitionStore& store_;
  std::map<Uuid, std::unique_ptr<NetworkObject>> objects_;
  std::map<int, LifecycleCallback> subscribers_;
  std::map<int, MetadataChangeCallback> metadata_subscribers_;
  int next_subscriber_ = 1;
  std::function<void(const NetworkRef&)> live_change_hook_;
  RandomBytes random_bytes_ = xml::SystemRandomBytes;
  NullHookRunner null_hooks_;
  HookRunner* hooks_ = &null_hooks_;
  // Expires with the driver: a start completing after it is ignored.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// VIR_ERR_OPERATION_INVALID for a call that would change a network whose
// start or live update is in progress.
Status CheckNotBusy(const NetworkObject& obj);

// VIR_ERR_INVALID_ARG "unsupported flags (0x..) in function NAME" when
// `flags` has bits outside `allowed`.
Status CheckFlags(unsigned flags, unsigned allowed, const char* function);

}  // namespace virtnat::driver
