// virNetworkSetMetadata / virNetworkGetMetadata on the object layer
// (network_objects.h): the argument checks of libvirt's public API (which
// libvirtd runs again on the server side), then virnetworkobj.c's rules for
// which definition, live or persistent, a call reads or changes.

#include <libvirt/libvirt.h>

#include "driver/objects/network_objects.h"
#include "xml/network_metadata.h"

namespace virtnat::driver {
namespace {

constexpr unsigned kLive = VIR_NETWORK_UPDATE_AFFECT_LIVE;
constexpr unsigned kConfig = VIR_NETWORK_UPDATE_AFFECT_CONFIG;
constexpr int kDescription = static_cast<int>(MetadataType::kDescription);
constexpr int kTitle = static_cast<int>(MetadataType::kTitle);
constexpr int kElement = static_cast<int>(MetadataType::kElement);

Error InvalidArg(const std::string& text) {
  return Error{VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK, "invalid argument: " + text};
}

Status MustBeNull(const std::optional<std::string>& arg, const char* name, const char* api) {
  if (!arg) return Status::Ok();
  return InvalidArg(std::string(name) + " in " + api + " must be NULL");
}

Status MustNotBeNull(const std::optional<std::string>& arg, const char* name, const char* api) {
  if (arg) return Status::Ok();
  return InvalidArg(std::string(name) + " in " + api + " must not be NULL");
}

// libvirt checks only `type >= LAST`; a negative type is refused here too
// rather than silently doing nothing.
Status CheckType(int type) {
  if (type >= kDescription && type <= kElement) return Status::Ok();
  return InvalidArg("unknown metadata type '" + std::to_string(type) + "'");
}

// virNetworkObjUpdateModificationImpact: AFFECT_CURRENT means the live
// definition of a running network, the persistent one otherwise.
Status ResolveImpact(const NetworkObject& obj, unsigned& flags) {
  if ((flags & (kLive | kConfig)) == 0) flags |= obj.active ? kLive : kConfig;
  if ((flags & kConfig) && !obj.persistent) {
    return OperationInvalid("cannot change persistent config of a transient network");
  }
  if ((flags & kLive) && !obj.active) return OperationInvalid("network is not running");
  return Status::Ok();
}

// The persistent definition: the pending one of a running network.
const xml::NetworkDef& ConfigDef(const NetworkObject& obj) {
  return obj.active && obj.new_def ? *obj.new_def : obj.def;
}

Status Apply(xml::NetworkDef& def, int type, const std::optional<std::string>& metadata,
             const std::optional<std::string>& key, const std::optional<std::string>& uri) {
  if (type == kDescription) {
    def.description = metadata.value_or("");  // "" removes, as NULL does
  } else if (type == kTitle) {
    def.title = metadata.value_or("");
  } else {
    return xml::SetMetadataElement(def.metadata, metadata, key.value_or(""), uri.value_or(""));
  }
  return Status::Ok();
}

}  // namespace

Status NetworkObjects::SetMetadata(const NetworkRef& net, int type,
                                   const std::optional<std::string>& metadata,
                                   const std::optional<std::string>& key,
                                   const std::optional<std::string>& uri, unsigned flags) {
  constexpr const char* kApi = "virNetworkSetMetadata";
  if (type == kTitle || type == kDescription) {
    if (type == kTitle && metadata && metadata->find('\n') != std::string::npos) {
      return InvalidArg("metadata title can't contain newlines");
    }
    RETURN_IF_ERROR(MustBeNull(uri, "uri", kApi));
    RETURN_IF_ERROR(MustBeNull(key, "key", kApi));
  } else if (type == kElement) {
    RETURN_IF_ERROR(MustNotBeNull(uri, "uri", kApi));
    if (metadata) RETURN_IF_ERROR(MustNotBeNull(key, "key", kApi));
  }
  RETURN_IF_ERROR(CheckFlags(flags, kLive | kConfig, "networkSetMetadata"));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  RETURN_IF_ERROR(CheckNotBusy(*obj));
  RETURN_IF_ERROR(ResolveImpact(*obj, flags));
  RETURN_IF_ERROR(CheckType(type));
  // Edit copies; the object changes only once every requested side did.
  std::optional<xml::NetworkDef> live, config;
  if (obj->active && (flags & kLive)) {
    live = obj->def;
    RETURN_IF_ERROR(Apply(*live, type, metadata, key, uri));
  }
  if (flags & kConfig) {
    config = ConfigDef(*obj);
    RETURN_IF_ERROR(Apply(*config, type, metadata, key, uri));
    RETURN_IF_ERROR(SaveConfig(*config));
  }
  if (config) {
    if (obj->active) {
      obj->new_def = std::move(*config);
    } else {
      obj->def = std::move(*config);
    }
  }
  NetworkRef ref{obj->def.name, obj->def.uuid};
  if (live) {
    obj->def = std::move(*live);
    // The status record keeps the live definition across a restart.
    if (live_change_hook_) live_change_hook_(ref);
  }
  // A copy: a subscriber may unsubscribe while being called.
  auto subscribers = metadata_subscribers_;
  for (const auto& [id, callback] : subscribers) callback(ref, type, uri);
  return Status::Ok();
}

Result<std::string> NetworkObjects::GetMetadata(const NetworkRef& net, int type,
                                                const std::optional<std::string>& uri,
                                                unsigned flags) {
  constexpr const char* kApi = "virNetworkGetMetadata";
  if ((flags & kLive) && (flags & kConfig)) {
    return InvalidArg(
        "Flags 'VIR_NETWORK_UPDATE_AFFECT_LIVE' and 'VIR_NETWORK_UPDATE_AFFECT_CONFIG' are "
        "mutually exclusive");
  }
  if (type == kTitle || type == kDescription) {
    RETURN_IF_ERROR(MustBeNull(uri, "uri", kApi));
  } else if (type == kElement) {
    RETURN_IF_ERROR(MustNotBeNull(uri, "uri", kApi));
  }
  RETURN_IF_ERROR(CheckFlags(flags, kLive | kConfig, "networkGetMetadata"));
  ASSIGN_OR_RETURN(NetworkObject * obj, Find(net));
  RETURN_IF_ERROR(CheckType(type));
  RETURN_IF_ERROR(ResolveImpact(*obj, flags));
  const xml::NetworkDef& def = (flags & kConfig) ? ConfigDef(*obj) : obj->def;
  std::optional<std::string> value;
  if (type == kDescription && !def.description.empty()) value = def.description;
  if (type == kTitle && !def.title.empty()) value = def.title;
  if (type == kElement) {
    ASSIGN_OR_RETURN(value, xml::ExtractMetadataElement(def.metadata, *uri));
  }
  if (!value) {
    return Error{kErrNoNetworkMetadata, VIR_FROM_NETWORK,
                 "metadata not found: Requested metadata element is not present"};
  }
  return *value;
}

int NetworkObjects::SubscribeMetadataChange(MetadataChangeCallback callback) {
  int id = next_subscriber_++;
  metadata_subscribers_[id] = std::move(callback);
  return id;
}

void NetworkObjects::UnsubscribeMetadataChange(int id) { metadata_subscribers_.erase(id); }

}  // namespace virtnat::driver
