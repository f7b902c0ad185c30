#include "driver/firewall/firewall_nft.h"

#include <glib.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "driver/firewall/firewall_conflicts.h"

namespace virtnat::driver {
namespace {

struct ReplyError {
  int errnum = 0;
  uint32_t seq = 0;
  std::string extack;  // the kernel's own explanation, if it gave one
};

// The extended-ack message that follows a capped nlmsgerr, if any.
std::string ExtackMessage(const nlmsghdr* nlh) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return "";
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  size_t offset = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
  const char* start = static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + offset;
  const char* end = reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len;
  for (const nlattr* a = reinterpret_cast<const nlattr*>(start);
       mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a)));
       a = mnl_attr_next(a)) {
    if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) return mnl_attr_get_str(a);
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<NftFirewall>> NftFirewall::Open() {
  ASSIGN_OR_RETURN(NftSocket socket, NftSocket::Open(0));
  // Short error replies (no copy of our message), with the kernel's reason.
  (void)socket.SetOption(NETLINK_CAP_ACK, 1);
  (void)socket.SetOption(NETLINK_EXT_ACK, 1);
  auto seq = static_cast<uint32_t>(time(nullptr));
  return std::unique_ptr<NftFirewall>(new NftFirewall(std::move(socket), seq));
}

Status NftFirewall::Send(const NftBatch& batch) { return SendBatch(batch, nullptr); }

Status NftFirewall::SendBatch(const NftBatch& batch, int* first_errno) {
  std::vector<iovec> iov = batch.Iovecs();
  seq_ = batch.end_seq();
  size_t bytes = 0;
  for (const iovec& part : iov) bytes += part.iov_len;
  g_debug("nftables: one batch of %zu messages (%zu bytes), sequence %u", iov.size(), bytes,
          static_cast<unsigned>(seq_));
  if (int err = socket_.Send(iov); err != 0) {
    return SystemErrorFromErrno(err, "cannot send nftables batch");
  }

  // The kernel handles a batch inside sendmsg(): every reply (errors only,
  // as no message asks for an ack) is queued when it returns.
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  std::optional<ReplyError> first;
  for (;;) {
    size_t size = 0;
    bool truncated = false;
    int err = socket_.ReceiveQueued(buf, &size, &truncated);
    if (err == EAGAIN || err == EWOULDBLOCK) break;
    if (err != 0) return SystemErrorFromErrno(err, "cannot read the nftables reply");
    ForEachNetlinkMessage(buf.data(), size, [&first](const nlmsghdr* nlh) {
      if (nlh->nlmsg_type != NLMSG_ERROR) return;
      const auto* reply = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (reply->error == 0 || first) return;
      first = ReplyError{-reply->error, nlh->nlmsg_seq, ExtackMessage(nlh)};
    });
  }
  if (!first) return Status::Ok();
  if (first_errno) *first_errno = first->errnum;
  std::string what = batch.Describe(first->seq);
  std::string text = what.empty() ? "" : what + ": ";
  text += std::strerror(first->errnum);
  if (!first->extack.empty()) text += " (" + first->extack + ")";
  return InternalError(text);
}

Status NftFirewall::Apply(const std::string& network, const FirewallPlan& plan) {
  if (applied_.count(network)) {
    return InternalError("firewall rules of network '" + network + "' are already applied");
  }
  const std::string context = "failed to apply firewall rules of network '" + network + "'";
  Status conflict = CheckElementConflicts(network, plan.rules, applied_);
  if (!conflict.ok()) return conflict.WithContext(context);
  if (!plan.rules->empty()) {
    ASSIGN_OR_RETURN(NftBatch batch, BuildAddBatch(plan.Base(), *plan.rules, seq_));
    Status s = Send(batch);
    if (!s.ok()) return s.WithContext(context);
  }
  applied_[network] = plan.rules;
  return Status::Ok();
}

Status NftFirewall::Remove(const std::string& network) {
  auto it = applied_.find(network);
  if (it == applied_.end()) return Status::Ok();
  if (!it->second->empty()) {
    bool last = true;
    for (const auto& [name, rules] : applied_) {
      if (name != network && !rules->empty()) last = false;
    }
    ASSIGN_OR_RETURN(NftBatch batch, BuildRemoveBatch(*it->second, last, seq_));
    int err = 0;
    Status s = SendBatch(batch, &err);
    // Some of the objects are gone already (an interrupted stop, a foreign
    // flush): the batch failed as a whole, so remove the rest one by one.
    if (!s.ok() && err == ENOENT) s = RemoveEachPresent(*it->second, last);
    if (!s.ok()) {
      applied_.erase(it);
      if (RestoreAll().ok()) {
        if (rebuilt_) rebuilt_(network, s);
        return Status::Ok();
      }
      return s.WithContext("failed to remove firewall rules of network '" + network + "'");
    }
  }
  applied_.erase(it);
  return Status::Ok();
}

Status NftFirewall::RestoreAll() {
  std::vector<NftNetworkRules> rules;
  for (const auto& [name, network_rules] : applied_) rules.push_back(*network_rules);
  ASSIGN_OR_RETURN(NftBatch batch, BuildRestoreBatch(VirtnatBase(), rules, seq_));
  Status s = Send(batch);
  if (!s.ok()) return s.WithContext("failed to restore the firewall rules");
  return Status::Ok();
}

std::vector<std::string> NftFirewall::Networks() const {
  std::vector<std::string> names;
  for (const auto& [name, rules] : applied_) names.push_back(name);
  return names;
}

Status NftFirewall::Replace(const std::string& network, const FirewallPlan& plan) {
  auto it = applied_.find(network);
  // Nothing in the kernel yet (unknown, or an open network without
  // forwards): a plain apply creates the table if needed.
  if (it == applied_.end() || it->second->empty()) {
    applied_.erase(network);
    return Apply(network, plan);
  }
  if (plan.rules->empty()) {
    RETURN_IF_ERROR(Remove(network));
    applied_[network] = plan.rules;
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(NftBatch batch, BuildReplaceBatch(*it->second, *plan.rules, seq_));
  Status s = Send(batch);
  if (!s.ok()) return s.WithContext("failed to update firewall rules of network '" + network + "'");
  it->second = plan.rules;
  return Status::Ok();
}

Status NftFirewall::RemoveEachPresent(const NftNetworkRules& rules, bool delete_table) {
  // Elements first: a chain that a map element jumps to cannot be deleted.
  std::vector<NftNetworkRules> singles;
  for (const NftElement& element : rules.elements) singles.push_back({{}, {element}});
  for (const NftChain& chain : rules.chains) singles.push_back({{chain}, {}});
  if (delete_table) singles.push_back({});
  for (size_t i = 0; i < singles.size(); ++i) {
    const bool table = delete_table && i + 1 == singles.size();
    ASSIGN_OR_RETURN(NftBatch batch, BuildRemoveBatch(singles[i], table, seq_));
    int err = 0;
    Status s = SendBatch(batch, &err);
    if (!s.ok() && err != ENOENT) return s;
  }
  return Status::Ok();
}

void NftFirewall::Adopt(const std::string& network, SharedRules rules) {
  applied_[network] = std::move(rules);
}

const NftNetworkRules* NftFirewall::Applied(const std::string& network) const {
  auto it = applied_.find(network);
  return it == applied_.end() ? nullptr : &it->second.get();
}

SharedRules NftFirewall::AppliedRules(const std::string& network) const {
  auto it = applied_.find(network);
  return it == applied_.end() ? SharedRules() : it->second;
}

}  // namespace virtnat::driver
