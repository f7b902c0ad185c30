// What a management client asks about the host when it opens a connection:
// capabilities, node info, hostname, sysinfo and the domain lists. libvirt's
// network daemon refuses them all (VIR_ERR_NO_SUPPORT), which stops
// virt-manager from opening the connection; here they answer what is true of
// a host that runs only a network daemon: the host's facts, no guests and no
// domains.

#include <libvirt/libvirt.h>

#include <cstdio>
#include <string>

#include "rpc/host_description.h"
#include "rpc/host_source.h"
#include "rpc/procedures.h"
#include "rpc/protocol.h"

namespace virtnat::rpc {
namespace {

HostDescription Describe(const HostSource& host) {
  return DescribeHost(host.files, host.arch(), host.page_kib());
}

Status GetCapabilities(CallContext& ctx, XdrDecoder&, XdrEncoder& ret) {
  ret.String(FormatCapabilities(Describe(*ctx.server.host)));
  return Status::Ok();
}

// remote_node_get_info_ret: char model[32] is an XDR fixed array of chars,
// each char its own 4-byte unit; then memory (KiB) and the counts.
Status NodeGetInfo(CallContext& ctx, XdrDecoder&, XdrEncoder& ret) {
  NodeInfo info = NodeInfoOf(Describe(*ctx.server.host));
  for (size_t i = 0; i < kNodeInfoModelSize; ++i) {
    // NUL-terminated within the 32 chars, as virStrcpyStatic leaves it.
    char c = i + 1 < kNodeInfoModelSize && i < info.model.size() ? info.model[i] : '\0';
    ret.Int(static_cast<signed char>(c));
  }
  ret.Uhyper(info.memory_kib);
  ret.Int(static_cast<int32_t>(info.cpus));
  ret.Int(static_cast<int32_t>(info.mhz));
  ret.Int(static_cast<int32_t>(info.nodes));
  ret.Int(static_cast<int32_t>(info.sockets));
  ret.Int(static_cast<int32_t>(info.cores));
  ret.Int(static_cast<int32_t>(info.threads));
  return Status::Ok();
}

Status GetHostname(CallContext& ctx, XdrDecoder&, XdrEncoder& ret) {
  std::optional<std::string> name = ctx.server.host->hostname();
  if (!name) return InternalError("cannot determine the host name", VIR_FROM_NONE);
  ret.String(*name);
  return Status::Ok();
}

Status GetSysinfo(CallContext& ctx, XdrDecoder& args, XdrEncoder& ret) {
  uint32_t flags = args.Uint();
  if (!args.ok()) return DecodeFailure();
  if (flags != 0) {
    char hex[16];
    snprintf(hex, sizeof(hex), "0x%x", flags);
    return MakeError(
        VIR_ERR_INVALID_ARG, VIR_FROM_NETWORK,
        std::string("unsupported flags (") + hex + ") in function networkConnectGetSysinfo");
  }
  std::optional<std::string> sysinfo = FormatSysinfo(ctx.server.host->files);
  // libvirt's drivers answer so when the host has no SMBIOS table.
  if (!sysinfo) return ConfigUnsupported("Host SMBIOS information is not available");
  ret.String(*sysinfo);
  return Status::Ok();
}

// The old list calls check their bound as libvirtd's generated code does,
// then list nothing.
Status CheckBound(XdrDecoder& args, const char* name) {
  int32_t max = args.Int();
  if (!args.ok()) return DecodeFailure();
  if (max < 0) return RpcError(std::string(name) + " must be non-negative");
  if (max > static_cast<int32_t>(kDomainListMax)) {
    return RpcError(std::string(name) + " > REMOTE_DOMAIN_LIST_MAX");
  }
  return Status::Ok();
}

Status ListDomains(CallContext&, XdrDecoder& args, XdrEncoder& ret) {
  RETURN_IF_ERROR(CheckBound(args, "maxids"));
  ret.Uint(0);
  return Status::Ok();
}

Status ListDefinedDomains(CallContext&, XdrDecoder& args, XdrEncoder& ret) {
  RETURN_IF_ERROR(CheckBound(args, "maxnames"));
  ret.Uint(0);
  return Status::Ok();
}

Status NumOfDomains(CallContext&, XdrDecoder&, XdrEncoder& ret) {
  ret.Int(0);
  return Status::Ok();
}

// remote_connect_list_all_domains_ret: domains<> (empty), then the count.
Status ListAllDomains(CallContext&, XdrDecoder& args, XdrEncoder& ret) {
  args.Int();   // need_results
  args.Uint();  // flags: every filter of nothing is nothing
  if (!args.ok()) return DecodeFailure();
  ret.Uint(0);
  ret.Uint(0);
  return Status::Ok();
}

constexpr Procedure kProcedures[] = {
    {proc::kConnectGetCapabilities, GetCapabilities, OpenRule::kHypervisorConn, nullptr},
    {proc::kNodeGetInfo, NodeGetInfo, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectGetHostname, GetHostname, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectGetSysinfo, GetSysinfo, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectListDomains, ListDomains, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectNumOfDomains, NumOfDomains, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectListDefinedDomains, ListDefinedDomains, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectNumOfDefinedDomains, NumOfDomains, OpenRule::kHypervisorConn, nullptr},
    {proc::kConnectListAllDomains, ListAllDomains, OpenRule::kHypervisorConn, nullptr},
};

}  // namespace

std::span<const Procedure> HostProcedures() { return kProcedures; }

}  // namespace virtnat::rpc
