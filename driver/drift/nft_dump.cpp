#include "driver/drift/nft_dump.h"

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <tuple>

#include "driver/drift/input_audit.h"
#include "driver/drift/nft_monitor.h"
#include "driver/drift/nft_rule_read.h"
#include "driver/firewall/nft_ptr.h"
#include "driver/firewall/nft_ruleset.h"
#include "driver/firewall/nft_socket.h"

namespace virtnat::driver {
namespace {

// A dump restarted this often still racing with ruleset changes is reported.
constexpr int kDumpAttempts = 5;

using RawMessages = std::vector<std::string>;
using PayloadBuilder = std::function<void(nlmsghdr*)>;

using MessageVisitor = std::function<void(const nlmsghdr*)>;

struct CollectContext {
  const MessageVisitor* visit;
  bool failed = false;
};

int CollectMessage(const nlmsghdr* nlh, void* data) noexcept {
  auto* context = static_cast<CollectContext*>(data);
  try {
    (*context->visit)(nlh);
  } catch (...) {
    context->failed = true;
    return MNL_CB_ERROR;
  }
  return MNL_CB_OK;
}

class DumpSocket {
 public:
  static Result<DumpSocket> Open() {
    ASSIGN_OR_RETURN(NftSocket socket, NftSocket::Open(SOCK_CLOEXEC));
    return DumpSocket(std::move(socket));
  }

  // The messages a dump request of `type` answers, raw; restarted when the
  // kernel flags the dump as interrupted by a concurrent change.
  Result<RawMessages> Dump(uint16_t type, uint8_t family, const PayloadBuilder& payload,
                           const char* what) {
    RawMessages messages;
    RETURN_IF_ERROR(Visit(
        type, family, payload, what, [&messages] { messages.clear(); },
        [&messages](const nlmsghdr* nlh) {
          messages.emplace_back(reinterpret_cast<const char*>(nlh), nlh->nlmsg_len);
        }));
    return messages;
  }

  // The same, each message handed to `visit` as it arrives instead of kept;
  // `restart` forgets what a dump that had to be restarted delivered.
  Status Visit(uint16_t type, uint8_t family, const PayloadBuilder& payload, const char* what,
               const std::function<void()>& restart, const MessageVisitor& visit) {
    for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
      restart();
      int err = DumpOnce(type, family, payload, visit);
      if (err == 0) return Status::Ok();
      if (err != EINTR) {
        return SystemErrorFromErrno(err, std::string("cannot read the nftables ") + what);
      }
    }
    return SystemErrorFromErrno(EINTR, std::string("cannot read the nftables ") + what);
  }

 private:
  explicit DumpSocket(NftSocket socket) : socket_(std::move(socket)) {}

  int DumpOnce(uint16_t type, uint8_t family, const PayloadBuilder& payload,
               const MessageVisitor& visit) {
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(request.data(), type, family, NLM_F_DUMP, ++seq_);
    if (payload) payload(nlh);
    CollectContext context{&visit};
    int err = socket_.Exchange(nlh, CollectMessage, &context);
    if (context.failed) return ENOMEM;
    // The rest of an interrupted dump is still queued: drop it so that the
    // next request reads only its own answer.
    if (err == EINTR) socket_.Renew();
    return err;
  }

  NftSocket socket_;
  uint32_t seq_ = static_cast<uint32_t>(time(nullptr));
};

Status ReadTables(DumpSocket& socket, NftInventory* inventory) {
  ASSIGN_OR_RETURN(RawMessages raw, socket.Dump(NFT_MSG_GETTABLE, NFPROTO_UNSPEC, {}, "tables"));
  for (const std::string& message : raw) {
    NftnlTablePtr table(nftnl_table_alloc());
    if (!table) return SystemErrorFromErrno(ENOMEM, "cannot read the nftables tables");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(message.data());
    if (nftnl_table_nlmsg_parse(nlh, table.get()) < 0) continue;
    inventory->tables.push_back(
        NftTableInfo{static_cast<uint8_t>(nftnl_table_get_u32(table.get(), NFTNL_TABLE_FAMILY)),
                     nftnl_table_get_str(table.get(), NFTNL_TABLE_NAME)});
  }
  return Status::Ok();
}

Status ReadChains(DumpSocket& socket, NftInventory* inventory) {
  ASSIGN_OR_RETURN(RawMessages raw, socket.Dump(NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, {}, "chains"));
  for (const std::string& message : raw) {
    NftnlChainPtr chain(nftnl_chain_alloc());
    if (!chain) return SystemErrorFromErrno(ENOMEM, "cannot read the nftables chains");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(message.data());
    if (nftnl_chain_nlmsg_parse(nlh, chain.get()) < 0) continue;
    NftChainInfo info;
    info.family = static_cast<uint8_t>(nftnl_chain_get_u32(chain.get(), NFTNL_CHAIN_FAMILY));
    info.table = nftnl_chain_get_str(chain.get(), NFTNL_CHAIN_TABLE);
    info.name = nftnl_chain_get_str(chain.get(), NFTNL_CHAIN_NAME);
    info.base = nftnl_chain_is_set(chain.get(), NFTNL_CHAIN_HOOKNUM);
    if (info.base) {
      info.hook = nftnl_chain_get_u32(chain.get(), NFTNL_CHAIN_HOOKNUM);
      info.priority = nftnl_chain_get_s32(chain.get(), NFTNL_CHAIN_PRIO);
      info.policy_drop =
          nftnl_chain_is_set(chain.get(), NFTNL_CHAIN_POLICY) &&
          static_cast<int>(nftnl_chain_get_u32(chain.get(), NFTNL_CHAIN_POLICY)) == NF_DROP;
    }
    inventory->chains.push_back(std::move(info));
  }
  return Status::Ok();
}

// A rule dump's filter: one table (chain empty) or one chain.
PayloadBuilder RuleFilter(const std::string& table, const std::string& chain) {
  return [table, chain](nlmsghdr* nlh) {
    NftnlRulePtr rule(nftnl_rule_alloc());
    if (!rule) return;
    nftnl_rule_set_str(rule.get(), NFTNL_RULE_TABLE, table.c_str());
    if (!chain.empty()) nftnl_rule_set_str(rule.get(), NFTNL_RULE_CHAIN, chain.c_str());
    nftnl_rule_nlmsg_build_payload(nlh, rule.get());
  };
}

// The chain a rule message names, or "" without one.
std::string RuleChain(const nlmsghdr* nlh) {
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
       mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)));
       attr = mnl_attr_next(attr)) {
    if (mnl_attr_get_type(attr) != NFTA_RULE_CHAIN) continue;
    const auto* text = static_cast<const char*>(mnl_attr_get_payload(attr));
    return std::string(text, strnlen(text, mnl_attr_get_payload_len(attr)));
  }
  return {};
}

// Rules per chain of one table, counted as the dump arrives. Only each
// rule's chain attribute is read, and no message is kept: parsing (and
// before that, holding) every rule of the table just to count them was most
// of a network start's time, and the daemon's peak heap, with hundreds of
// networks running.
Result<std::map<std::string, size_t>> CountRules(DumpSocket& socket, uint8_t family,
                                                 const std::string& table) {
  std::map<std::string, size_t> counts;
  RETURN_IF_ERROR(socket.Visit(
      NFT_MSG_GETRULE, family, RuleFilter(table, ""), "rules", [&counts] { counts.clear(); },
      [&counts](const nlmsghdr* nlh) {
        std::string chain = RuleChain(nlh);
        if (!chain.empty()) ++counts[chain];
      }));
  return counts;
}

// Rules of one table (chain empty) or one chain, parsed, in chain order.
Result<std::vector<NftnlRulePtr>> ReadRules(DumpSocket& socket, uint8_t family,
                                            const std::string& table, const std::string& chain) {
  ASSIGN_OR_RETURN(RawMessages raw,
                   socket.Dump(NFT_MSG_GETRULE, family, RuleFilter(table, chain), "rules"));
  std::vector<NftnlRulePtr> rules;
  for (const std::string& message : raw) {
    NftnlRulePtr rule(nftnl_rule_alloc());
    if (!rule) return SystemErrorFromErrno(ENOMEM, "cannot read the nftables rules");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(message.data());
    if (nftnl_rule_nlmsg_parse(nlh, rule.get()) < 0) continue;
    rules.push_back(std::move(rule));
  }
  return rules;
}

Status ReadSets(DumpSocket& socket, NftInventory* inventory) {
  ASSIGN_OR_RETURN(RawMessages raw, socket.Dump(NFT_MSG_GETSET, NFPROTO_UNSPEC, {}, "sets"));
  for (const std::string& message : raw) {
    NftnlSetPtr set(nftnl_set_alloc());
    if (!set) return SystemErrorFromErrno(ENOMEM, "cannot read the nftables sets");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(message.data());
    if (nftnl_set_nlmsg_parse(nlh, set.get()) < 0) continue;
    inventory->sets.push_back(
        NftSetInfo{static_cast<uint8_t>(nftnl_set_get_u32(set.get(), NFTNL_SET_FAMILY)),
                   nftnl_set_get_str(set.get(), NFTNL_SET_TABLE),
                   nftnl_set_get_str(set.get(), NFTNL_SET_NAME), 0});
  }
  return Status::Ok();
}

// An interval the kernel keeps as two elements (rbtree sets: start, then an
// element flagged as the end) counts once; a concatenated range (pipapo)
// is one element with a key end already.
int CountElement(nftnl_set_elem* elem, void* data) noexcept {
  uint32_t flags = nftnl_set_elem_is_set(elem, NFTNL_SET_ELEM_FLAGS)
                       ? nftnl_set_elem_get_u32(elem, NFTNL_SET_ELEM_FLAGS)
                       : 0;
  if (!(flags & NFT_SET_ELEM_INTERVAL_END)) ++*static_cast<size_t*>(data);
  return 0;
}

Result<size_t> CountElements(DumpSocket& socket, const NftSetInfo& info) {
  PayloadBuilder filter = [&](nlmsghdr* nlh) {
    NftnlSetPtr set(nftnl_set_alloc());
    if (!set) return;
    nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, info.table.c_str());
    nftnl_set_set_str(set.get(), NFTNL_SET_NAME, info.name.c_str());
    nftnl_set_elems_nlmsg_build_payload(nlh, set.get());
  };
  ASSIGN_OR_RETURN(RawMessages raw,
                   socket.Dump(NFT_MSG_GETSETELEM, info.family, filter, "set elements"));
  size_t count = 0;
  for (const std::string& message : raw) {
    NftnlSetPtr set(nftnl_set_alloc());
    if (!set) return SystemErrorFromErrno(ENOMEM, "cannot read the nftables set elements");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(message.data());
    if (nftnl_set_elems_nlmsg_parse(nlh, set.get()) < 0) continue;
    nftnl_set_elem_foreach(set.get(), CountElement, &count);
  }
  return count;
}

bool InTables(const NftChainInfo& chain, const std::vector<NftTableInfo>& tables) {
  return std::any_of(tables.begin(), tables.end(), [&](const NftTableInfo& t) {
    return t.family == chain.family && t.name == chain.table;
  });
}

// The rules of every chain of each table holding an input or output base
// chain (IsHostBaseChain), for the input-hook audit: one dump per table.
Status ReadHostChainRules(DumpSocket& socket, NftInventory& inventory,
                          const std::vector<NftTableInfo>& count_in) {
  std::vector<NftTableInfo> tables;
  for (const NftChainInfo& chain : inventory.chains) {
    NftTableInfo table{chain.family, chain.table};
    if (IsHostBaseChain(chain) && std::find(tables.begin(), tables.end(), table) == tables.end()) {
      tables.push_back(table);
    }
  }
  for (const NftTableInfo& table : tables) {
    ASSIGN_OR_RETURN(std::vector<NftnlRulePtr> rules,
                     ReadRules(socket, table.family, table.name, ""));
    std::map<std::string, std::vector<NftRuleInfo>> by_chain;
    for (const NftnlRulePtr& rule : rules) {
      const char* chain = nftnl_rule_get_str(rule.get(), NFTNL_RULE_CHAIN);
      if (chain != nullptr) by_chain[chain].push_back(ReadRuleInfo(rule.get()));
    }
    for (NftChainInfo& chain : inventory.chains) {
      if (chain.family != table.family || chain.table != table.name) continue;
      chain.rule_list = std::move(by_chain[chain.name]);
      if (!InTables(chain, count_in)) chain.rules = chain.rule_list.size();
    }
  }
  return Status::Ok();
}

}  // namespace

Result<NftInventory> ReadNftInventory(const std::vector<NftTableInfo>& count_in,
                                      CountedTables counted) {
  ASSIGN_OR_RETURN(DumpSocket socket, DumpSocket::Open());
  NftInventory inventory;
  RETURN_IF_ERROR(ReadTables(socket, &inventory));
  RETURN_IF_ERROR(ReadChains(socket, &inventory));
  RETURN_IF_ERROR(ReadSets(socket, &inventory));
  if (counted == CountedTables::kCount) {
    for (NftSetInfo& set : inventory.sets) {
      if (std::find(count_in.begin(), count_in.end(), NftTableInfo{set.family, set.table}) ==
          count_in.end()) {
        continue;
      }
      ASSIGN_OR_RETURN(set.elements, CountElements(socket, set));
    }
    for (const NftTableInfo& table : count_in) {
      ASSIGN_OR_RETURN(auto counts, CountRules(socket, table.family, table.name));
      for (NftChainInfo& chain : inventory.chains) {
        if (chain.family == table.family && chain.table == table.name) {
          chain.rules = counts[chain.name];
        }
      }
    }
  }
  for (NftChainInfo& chain : inventory.chains) {
    // A counted table is never read rule by rule: with hundreds of networks,
    // reading virtnat's own forward chain was most of a check.
    if (!IsForwardBaseChain(chain) || chain.policy_drop || InTables(chain, count_in)) continue;
    ASSIGN_OR_RETURN(std::vector<NftnlRulePtr> rules,
                     ReadRules(socket, chain.family, chain.table, chain.name));
    chain.ends_in_drop = !rules.empty() && DropsEverything(ReadRuleInfo(rules.back().get()));
    chain.rules = rules.size();
  }
  RETURN_IF_ERROR(ReadHostChainRules(socket, inventory, count_in));
  return inventory;
}

Result<std::vector<NftChainDrift>> CheckChains(const std::vector<ExpectedNftChain>& expected) {
  std::vector<NftTableInfo> count;
  for (const ExpectedNftChain& e : expected) {
    NftTableInfo table{e.family, e.table};
    if (e.min_rules > 0 && std::find(count.begin(), count.end(), table) == count.end()) {
      count.push_back(table);
    }
  }
  ASSIGN_OR_RETURN(NftInventory inventory, ReadNftInventory(count));
  return FindChainDrift(expected, inventory);
}

Result<std::vector<NftSetDrift>> CheckSets(const std::vector<ExpectedNftSet>& expected) {
  std::vector<NftTableInfo> count;
  for (const ExpectedNftSet& e : expected) {
    NftTableInfo table{e.family, e.table};
    if (e.min_elements > 0 && std::find(count.begin(), count.end(), table) == count.end()) {
      count.push_back(table);
    }
  }
  ASSIGN_OR_RETURN(NftInventory inventory, ReadNftInventory(count));
  return FindSetDrift(expected, inventory);
}

Result<std::vector<ForwardDropFinding>> AuditForwardDrops(
    const std::vector<AuditNetwork>& networks) {
  ASSIGN_OR_RETURN(NftInventory inventory, ReadNftInventory());
  return FindForwardDrops(inventory, networks);
}

}  // namespace virtnat::driver
