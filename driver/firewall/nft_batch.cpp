#include "driver/firewall/nft_batch.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <utility>

#include "driver/firewall/nft_expr.h"
#include "driver/firewall/nft_text.h"

namespace virtnat::driver {
namespace {

// Room for one message of any size we build; pages are this large too.
constexpr uint32_t kPageSize = 64 * 1024;

// nft's datatype numbers (include/datatype.h), stored as the set key type so
// that `nft list` prints the maps' types; a concatenation packs each
// component in 6 bits.
constexpr uint32_t kTypeIpAddr = 7;
constexpr uint32_t kTypeIp6Addr = 8;
constexpr uint32_t kTypeInetProto = 12;
constexpr uint32_t kTypeInetService = 13;
constexpr uint32_t kTypeIfname = 41;
// nft's byte order tags in the set's user data (BYTEORDER_HOST/BIG_ENDIAN).
constexpr uint32_t kByteorderInvalid = 0;
constexpr uint32_t kByteorderHost = 1;
constexpr uint32_t kByteorderBig = 2;

class Writer {
 public:
  explicit Writer(uint32_t seq)
      : batch_(nftnl_batch_alloc(kPageSize, kPageSize)), first_seq_(seq), seq_(seq) {}

  bool ok() const { return batch_ && ok_; }

  void Begin() {
    if (!batch_) return;
    nftnl_batch_begin(static_cast<char*>(nftnl_batch_buffer(batch_.get())), seq_++);
    Next("");
  }
  void End() {
    if (!batch_) return;
    nftnl_batch_end(static_cast<char*>(nftnl_batch_buffer(batch_.get())), seq_++);
    Next("");
  }

  // Starts a message; the caller fills its payload, then calls Next().
  nlmsghdr* Header(uint16_t type, uint16_t flags) {
    if (!batch_) return nullptr;
    return nftnl_nlmsg_build_hdr(static_cast<char*>(nftnl_batch_buffer(batch_.get())), type,
                                 NFPROTO_INET, flags, seq_++);
  }
  void Next(std::string what) {
    if (nftnl_batch_update(batch_.get()) < 0) ok_ = false;
    what_.push_back(std::move(what));
  }

  NftBatch Finish() && { return NftBatch(std::move(batch_), first_seq_, std::move(what_)); }

 private:
  NftnlBatchPtr batch_;
  uint32_t first_seq_;
  uint32_t seq_;
  bool ok_ = true;
  std::vector<std::string> what_;
};

Status OutOfMemory() { return InternalError("out of memory building an nftables batch"); }

NftnlTablePtr Table() {
  NftnlTablePtr t(nftnl_table_alloc());
  if (!t) return t;
  nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kNftTable);
  nftnl_table_set_u32(t.get(), NFTNL_TABLE_FAMILY, NFPROTO_INET);
  return t;
}

NftnlChainPtr Chain(const std::string& name) {
  NftnlChainPtr c(nftnl_chain_alloc());
  if (!c) return c;
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, kNftTable);
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, name.c_str());
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_FAMILY, NFPROTO_INET);
  return c;
}

NftnlSetPtr Set(const std::string& name) {
  NftnlSetPtr s(nftnl_set_alloc());
  if (!s) return s;
  nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kNftTable);
  nftnl_set_set_str(s.get(), NFTNL_SET_NAME, name.c_str());
  nftnl_set_set_u32(s.get(), NFTNL_SET_FAMILY, NFPROTO_INET);
  return s;
}

uint32_t Hooknum(ChainHook h) {
  switch (h) {
    case ChainHook::kPrerouting:
      return NF_INET_PRE_ROUTING;
    case ChainHook::kInput:
      return NF_INET_LOCAL_IN;
    case ChainHook::kForward:
      return NF_INET_FORWARD;
    case ChainHook::kOutput:
      return NF_INET_LOCAL_OUT;
    case ChainHook::kPostrouting:
      return NF_INET_POST_ROUTING;
    case ChainHook::kNone:
      break;
  }
  return 0;
}

// add table inet virtnat (no-op if it exists)
Status AddTable(Writer* w) {
  NftnlTablePtr t = Table();
  nlmsghdr* nlh = w->Header(NFT_MSG_NEWTABLE, NLM_F_CREATE);
  if (!t || !nlh) return OutOfMemory();
  nftnl_table_nlmsg_build_payload(nlh, t.get());
  w->Next(std::string("add table inet ") + kNftTable);
  return Status::Ok();
}

// map NAME { type KEY : verdict; [flags interval;] }
Status AddMap(const NftMap& map, uint32_t id, Writer* w) {
  NftnlSetPtr s = Set(map.name);
  NftnlUdataBufPtr udata(nftnl_udata_buf_alloc(64));
  if (!s || !udata) return OutOfMemory();
  uint32_t flags = NFT_SET_MAP, key_type = 0, key_len = 0, byteorder = kByteorderBig;
  switch (map.key_type) {
    case MapKeyType::kIfname:
      key_type = kTypeIfname;
      key_len = IFNAMSIZ;
      byteorder = kByteorderHost;
      break;
    case MapKeyType::kIpv4Prefix:
      flags |= NFT_SET_INTERVAL;
      key_type = kTypeIpAddr;
      key_len = 4;
      break;
    case MapKeyType::kIpv6Prefix:
      flags |= NFT_SET_INTERVAL;
      key_type = kTypeIp6Addr;
      key_len = 16;
      break;
    case MapKeyType::kProtoPorts: {
      flags |= NFT_SET_INTERVAL | NFT_SET_CONCAT;
      key_type = (kTypeInetProto << 6) | kTypeInetService;
      key_len = 8;  // two 32-bit registers
      byteorder = kByteorderInvalid;
      const uint8_t field_len[] = {1, 2, 0};
      nftnl_set_set_data(s.get(), NFTNL_SET_DESC_CONCAT, field_len, 2);
      break;
    }
  }
  nftnl_set_set_u32(s.get(), NFTNL_SET_ID, id);
  nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, flags);
  nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, key_type);
  nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, key_len);
  nftnl_set_set_u32(s.get(), NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
  if (!nftnl_udata_put_u32(udata.get(), NFTNL_UDATA_SET_KEYBYTEORDER, byteorder) ||
      !nftnl_udata_put_u32(udata.get(), NFTNL_UDATA_SET_DATABYTEORDER, kByteorderInvalid)) {
    return OutOfMemory();
  }
  nftnl_set_set_data(s.get(), NFTNL_SET_USERDATA, nftnl_udata_buf_data(udata.get()),
                     nftnl_udata_buf_len(udata.get()));
  nlmsghdr* nlh = w->Header(NFT_MSG_NEWSET, NLM_F_CREATE);
  if (!nlh) return OutOfMemory();
  nftnl_set_nlmsg_build_payload(nlh, s.get());
  w->Next("add map " + map.name);
  return Status::Ok();
}

// add chain inet virtnat NAME [{ type filter|nat hook H priority P; policy accept; }]
Status AddChain(const NftChain& chain, uint16_t flags, Writer* w) {
  NftnlChainPtr c = Chain(chain.name);
  if (!c) return OutOfMemory();
  if (chain.hook != ChainHook::kNone) {
    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, Hooknum(chain.hook));
    nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, chain.priority);
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, chain.nat ? "nat" : "filter");
    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
  }
  nlmsghdr* nlh = w->Header(NFT_MSG_NEWCHAIN, flags);
  if (!nlh) return OutOfMemory();
  nftnl_chain_nlmsg_build_payload(nlh, c.get());
  w->Next("add chain " + chain.name);
  return Status::Ok();
}

// A rule message with only table and chain: DELRULE flushes the chain.
Status FlushChain(const std::string& chain, Writer* w) {
  NftnlRulePtr r(nftnl_rule_alloc());
  nlmsghdr* nlh = w->Header(NFT_MSG_DELRULE, 0);
  if (!r || !nlh) return OutOfMemory();
  nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, kNftTable);
  nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, chain.c_str());
  nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_INET);
  nftnl_rule_nlmsg_build_payload(nlh, r.get());
  w->Next("flush chain " + chain);
  return Status::Ok();
}

// add rule inet virtnat CHAIN ..., once per rule (appended in order)
Status AddRules(const NftChain& chain, Writer* w) {
  for (const NftRule& rule : chain.rules) {
    NftnlRulePtr r(nftnl_rule_alloc());
    if (!r) return OutOfMemory();
    nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, kNftTable);
    nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, chain.name.c_str());
    nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_INET);
    RETURN_IF_ERROR(AppendRuleExprs(rule, r.get()));
    nlmsghdr* nlh = w->Header(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
    if (!nlh) return OutOfMemory();
    nftnl_rule_nlmsg_build_payload(nlh, r.get());
    w->Next("add rule " + chain.name);
  }
  return Status::Ok();
}

// One element of an add/delete element message: KEY [- KEY_END] [: VERDICT].
bool AddElem(nftnl_set* s, const std::vector<uint8_t>& key, const std::vector<uint8_t>* key_end,
             const VerdictStmt* verdict, bool interval_end) {
  NftnlSetElemPtr e(nftnl_set_elem_alloc());
  if (!e) return false;
  nftnl_set_elem_set(e.get(), NFTNL_SET_ELEM_KEY, key.data(), key.size());
  if (key_end)
    nftnl_set_elem_set(e.get(), NFTNL_SET_ELEM_KEY_END, key_end->data(), key_end->size());
  if (interval_end)
    nftnl_set_elem_set_u32(e.get(), NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
  if (verdict) {
    if (verdict->kind == VerdictKind::kJump) {
      nftnl_set_elem_set_u32(e.get(), NFTNL_SET_ELEM_VERDICT, NFT_JUMP);
      nftnl_set_elem_set_str(e.get(), NFTNL_SET_ELEM_CHAIN, verdict->chain.c_str());
    } else {
      nftnl_set_elem_set_u32(e.get(), NFTNL_SET_ELEM_VERDICT,
                             verdict->kind == VerdictKind::kAccept ? NF_ACCEPT : NFT_RETURN);
    }
  }
  nftnl_set_elem_add(s, e.release());  // the set owns it from here
  return true;
}

// The kernel's form of one element: an ifname key; a prefix as a start
// element plus an interval-end element just past its last address (none
// when the prefix reaches the top of the address space); a port range as
// key and key end (concatenated intervals).
Status ElementMessage(const NftElement& el, bool add, Writer* w) {
  NftnlSetPtr s = Set(el.map);
  if (!s) return OutOfMemory();
  const VerdictStmt* verdict = add ? &el.verdict : nullptr;
  bool ok = true;
  if (const auto* k = std::get_if<IfNameKey>(&el.key)) {
    ok = AddElem(s.get(), IfNameBytes(k->name), nullptr, verdict, false);
  } else if (const auto* k = std::get_if<PrefixKey>(&el.key)) {
    ok = AddElem(s.get(), AddressBytes(k->network), nullptr, verdict, false);
    IpAddress after = k->network.BroadcastAddress(k->prefix).Next();
    if (ok && after != IpAddress::Netmask(after.family(), 0)) {
      ok = AddElem(s.get(), AddressBytes(after), nullptr, nullptr, true);
    }
  } else if (const auto* k = std::get_if<ProtoPortsKey>(&el.key)) {
    std::vector<uint8_t> end = ProtoPortBytes(k->proto, k->ports.last);
    ok = AddElem(s.get(), ProtoPortBytes(k->proto, k->ports.first), &end, verdict, false);
  }
  nlmsghdr* nlh =
      w->Header(add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
  if (!ok || !nlh) return OutOfMemory();
  nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
  // e.g. "add element portfwd { tcp . 8080 : jump virbr0_dnat }": names the
  // key another network may already hold.
  w->Next(std::string(add ? "add" : "delete") + " element " + el.map + " { " + RenderElement(el) +
          " }");
  return Status::Ok();
}

// delete table inet virtnat
Status DeleteTable(Writer* w) {
  NftnlTablePtr t = Table();
  nlmsghdr* nlh = w->Header(NFT_MSG_DELTABLE, 0);
  if (!t || !nlh) return OutOfMemory();
  nftnl_table_nlmsg_build_payload(nlh, t.get());
  w->Next(std::string("delete table inet ") + kNftTable);
  return Status::Ok();
}

// The base, then each network's chains, rules and elements (the messages of
// an add batch, without the batch markers).
Status AddAll(const NftBase& base, const std::vector<const NftNetworkRules*>& networks, Writer* w) {
  RETURN_IF_ERROR(AddTable(w));
  uint32_t id = 1;
  for (const NftMap& map : base.maps) RETURN_IF_ERROR(AddMap(map, id++, w));
  for (const NftChain& chain : base.chains) RETURN_IF_ERROR(AddChain(chain, NLM_F_CREATE, w));
  for (const NftChain& chain : base.chains) {
    RETURN_IF_ERROR(FlushChain(chain.name, w));
    RETURN_IF_ERROR(AddRules(chain, w));
  }
  for (const NftNetworkRules* rules : networks) {
    for (const NftChain& chain : rules->chains) {
      RETURN_IF_ERROR(AddChain(chain, NLM_F_CREATE | NLM_F_EXCL, w));
    }
  }
  for (const NftNetworkRules* rules : networks) {
    for (const NftChain& chain : rules->chains) RETURN_IF_ERROR(AddRules(chain, w));
  }
  for (const NftNetworkRules* rules : networks) {
    for (const NftElement& el : rules->elements) RETURN_IF_ERROR(ElementMessage(el, true, w));
  }
  return Status::Ok();
}

}  // namespace

std::vector<iovec> NftBatch::Iovecs() const {
  std::vector<iovec> iov(nftnl_batch_iovec_len(batch_.get()));
  nftnl_batch_iovec(batch_.get(), iov.data(), iov.size());
  return iov;
}

std::string NftBatch::Describe(uint32_t seq) const {
  if (seq < first_seq_ || seq >= end_seq()) return "";
  return what_[seq - first_seq_];
}

Result<NftBatch> BuildAddBatch(const NftBase& base, const NftNetworkRules& rules, uint32_t seq) {
  Writer w(seq);
  w.Begin();
  RETURN_IF_ERROR(AddAll(base, {&rules}, &w));
  w.End();
  if (!w.ok()) return OutOfMemory();
  return std::move(w).Finish();
}

Result<NftBatch> BuildRestoreBatch(const NftBase& base, const std::vector<NftNetworkRules>& rules,
                                   uint32_t seq) {
  Writer w(seq);
  w.Begin();
  // Creating first makes the delete valid whether or not the table is
  // there; the kernel applies the three as one transaction.
  RETURN_IF_ERROR(AddTable(&w));
  RETURN_IF_ERROR(DeleteTable(&w));
  std::vector<const NftNetworkRules*> networks;
  for (const NftNetworkRules& r : rules) {
    if (!r.empty()) networks.push_back(&r);
  }
  if (!networks.empty()) RETURN_IF_ERROR(AddAll(base, networks, &w));
  w.End();
  if (!w.ok()) return OutOfMemory();
  return std::move(w).Finish();
}

namespace {

const NftChain* FindChain(const std::vector<NftChain>& chains, const std::string& name) {
  for (const NftChain& chain : chains) {
    if (chain.name == name) return &chain;
  }
  return nullptr;
}

bool HasElement(const std::vector<NftElement>& elements, const NftElement& element) {
  return std::find(elements.begin(), elements.end(), element) != elements.end();
}

Status DeleteChain(const std::string& name, Writer* w) {
  NftnlChainPtr c = Chain(name);
  nlmsghdr* nlh = w->Header(NFT_MSG_DELCHAIN, 0);
  if (!c || !nlh) return OutOfMemory();
  nftnl_chain_nlmsg_build_payload(nlh, c.get());
  w->Next("delete chain " + name);
  return Status::Ok();
}

}  // namespace

Result<NftBatch> BuildReplaceBatch(const NftNetworkRules& from, const NftNetworkRules& to,
                                   uint32_t seq) {
  Writer w(seq);
  w.Begin();
  for (const NftElement& el : from.elements) {
    if (!HasElement(to.elements, el)) RETURN_IF_ERROR(ElementMessage(el, false, &w));
  }
  for (const NftChain& chain : from.chains) {
    RETURN_IF_ERROR(FlushChain(chain.name, &w));
    if (!FindChain(to.chains, chain.name)) RETURN_IF_ERROR(DeleteChain(chain.name, &w));
  }
  for (const NftChain& chain : to.chains) {
    if (!FindChain(from.chains, chain.name)) {
      RETURN_IF_ERROR(AddChain(chain, NLM_F_CREATE | NLM_F_EXCL, &w));
    }
  }
  for (const NftChain& chain : to.chains) RETURN_IF_ERROR(AddRules(chain, &w));
  for (const NftElement& el : to.elements) {
    if (!HasElement(from.elements, el)) RETURN_IF_ERROR(ElementMessage(el, true, &w));
  }
  w.End();
  if (!w.ok()) return OutOfMemory();
  return std::move(w).Finish();
}

Result<NftBatch> BuildRemoveBatch(const NftNetworkRules& rules, bool delete_table, uint32_t seq) {
  Writer w(seq);
  w.Begin();
  for (const NftElement& el : rules.elements) RETURN_IF_ERROR(ElementMessage(el, false, &w));
  for (const NftChain& chain : rules.chains) {
    RETURN_IF_ERROR(FlushChain(chain.name, &w));
    NftnlChainPtr c = Chain(chain.name);
    nlmsghdr* nlh = w.Header(NFT_MSG_DELCHAIN, 0);
    if (!c || !nlh) return OutOfMemory();
    nftnl_chain_nlmsg_build_payload(nlh, c.get());
    w.Next("delete chain " + chain.name);
  }
  if (delete_table) RETURN_IF_ERROR(DeleteTable(&w));
  w.End();
  if (!w.ok()) return OutOfMemory();
  return std::move(w).Finish();
}

}  // namespace virtnat::driver
