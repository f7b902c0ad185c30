#include "driver/drift/nft_rule_read.h"

#include <libnftnl/expr.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cstring>
#include <map>

namespace virtnat::driver {
namespace {

// What a register holds after a load.
struct Register {
  NftMatch::Field field = NftMatch::Field::kUnknown;
  uint32_t mask = 0;  // ct state after a bitwise and; 0: unmasked
};

struct Reader {
  NftRuleInfo info;
  std::map<uint32_t, Register> registers;
  bool after_verdict = false;
};

void Unknown(Reader& r) { r.info.matches.push_back(NftMatch{}); }

void Load(Reader& r, nftnl_expr* expr, uint16_t dreg_attr, NftMatch::Field field) {
  if (!nftnl_expr_is_set(expr, dreg_attr)) {
    Unknown(r);  // a store (meta set, ct set): not a condition the audit reads
    return;
  }
  r.registers[nftnl_expr_get_u32(expr, dreg_attr)] = Register{field, 0};
}

NftMatch::Field MetaField(uint32_t key) {
  switch (key) {
    case NFT_META_IIFNAME:
      return NftMatch::Field::kIifname;
    case NFT_META_OIFNAME:
      return NftMatch::Field::kOifname;
    case NFT_META_NFPROTO:
      return NftMatch::Field::kNfproto;
    case NFT_META_L4PROTO:
      return NftMatch::Field::kL4proto;
    default:
      return NftMatch::Field::kUnknown;
  }
}

// iptables' `-p udp` reads the protocol from the IPv4 header (offset 9) or
// the IPv6 header's next header (offset 6); ports are the transport
// header's first two 16-bit fields.
NftMatch::Field PayloadField(nftnl_expr* expr) {
  uint32_t base = nftnl_expr_get_u32(expr, NFTNL_EXPR_PAYLOAD_BASE);
  uint32_t offset = nftnl_expr_get_u32(expr, NFTNL_EXPR_PAYLOAD_OFFSET);
  uint32_t len = nftnl_expr_get_u32(expr, NFTNL_EXPR_PAYLOAD_LEN);
  if (base == NFT_PAYLOAD_TRANSPORT_HEADER && len == 2) {
    if (offset == 0) return NftMatch::Field::kSourcePort;
    if (offset == 2) return NftMatch::Field::kDestPort;
  }
  if (base == NFT_PAYLOAD_NETWORK_HEADER && len == 1 && (offset == 9 || offset == 6)) {
    return NftMatch::Field::kL4proto;
  }
  return NftMatch::Field::kUnknown;
}

void Bitwise(Reader& r, nftnl_expr* expr) {
  auto it = r.registers.find(nftnl_expr_get_u32(expr, NFTNL_EXPR_BITWISE_SREG));
  uint32_t len = 0;
  const void* mask = nftnl_expr_get_data(expr, NFTNL_EXPR_BITWISE_MASK, &len);
  Register result;
  if (it != r.registers.end() && it->second.field == NftMatch::Field::kCtState && mask &&
      len == sizeof(uint32_t)) {
    result.field = NftMatch::Field::kCtState;
    std::memcpy(&result.mask, mask, sizeof(uint32_t));
  }
  r.registers[nftnl_expr_get_u32(expr, NFTNL_EXPR_BITWISE_DREG)] = result;
}

void Compare(Reader& r, nftnl_expr* expr) {
  auto it = r.registers.find(nftnl_expr_get_u32(expr, NFTNL_EXPR_CMP_SREG));
  uint32_t op = nftnl_expr_get_u32(expr, NFTNL_EXPR_CMP_OP);
  uint32_t len = 0;
  const auto* data =
      static_cast<const uint8_t*>(nftnl_expr_get_data(expr, NFTNL_EXPR_CMP_DATA, &len));
  if (it == r.registers.end() || data == nullptr || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)) {
    Unknown(r);
    return;
  }
  NftMatch m;
  m.field = it->second.field;
  m.negated = op == NFT_CMP_NEQ;
  switch (m.field) {
    case NftMatch::Field::kIifname:
    case NftMatch::Field::kOifname: {
      // An exact name is compared with its terminating NUL; `"virbr*"` without.
      const char* text = reinterpret_cast<const char*>(data);
      size_t n = strnlen(text, len);
      m.name.assign(text, n);
      m.prefix = n == len;
      break;
    }
    case NftMatch::Field::kNfproto:
    case NftMatch::Field::kL4proto:
      if (len != 1) m.field = NftMatch::Field::kUnknown;
      m.value = data[0];
      break;
    case NftMatch::Field::kSourcePort:
    case NftMatch::Field::kDestPort:
      if (len != 2) m.field = NftMatch::Field::kUnknown;
      m.value = len == 2 ? (uint32_t{data[0]} << 8) | data[1] : 0;
      break;
    case NftMatch::Field::kCtState: {
      uint32_t value = 0;
      if (len == sizeof(value)) std::memcpy(&value, data, sizeof(value));
      if (it->second.mask != 0 && value == 0 && len == sizeof(value)) {
        // `ct state established,related`: (state & mask) != 0.
        m.value = it->second.mask;
        m.negated = !m.negated;
      } else if (it->second.mask == 0 && len == sizeof(value)) {
        m.value = value;  // `ct state new` written as equality
      } else {
        m.field = NftMatch::Field::kUnknown;
      }
      break;
    }
    case NftMatch::Field::kUnknown:
      break;
  }
  r.info.matches.push_back(std::move(m));
}

void Immediate(Reader& r, nftnl_expr* expr) {
  if (!nftnl_expr_is_set(expr, NFTNL_EXPR_IMM_VERDICT)) {
    Unknown(r);  // a value loaded into a register
    return;
  }
  using V = NftRuleInfo::Verdict;
  int verdict = static_cast<int>(nftnl_expr_get_u32(expr, NFTNL_EXPR_IMM_VERDICT));
  r.after_verdict = true;
  switch (verdict) {
    case NF_ACCEPT:
      r.info.verdict = V::kAccept;
      return;
    case NF_DROP:
      r.info.verdict = V::kDrop;
      return;
    case NFT_JUMP:
    case NFT_GOTO:
      r.info.verdict = verdict == NFT_JUMP ? V::kJump : V::kGoto;
      if (const char* chain = nftnl_expr_get_str(expr, NFTNL_EXPR_IMM_CHAIN)) {
        r.info.target = chain;
      }
      return;
    case NFT_RETURN:
      r.info.verdict = V::kReturn;
      return;
    default:
      r.info.verdict = V::kOther;
  }
}

int ReadExpr(nftnl_expr* expr, void* data) noexcept {
  auto& r = *static_cast<Reader*>(data);
  const char* name = nftnl_expr_get_str(expr, NFTNL_EXPR_NAME);
  if (name == nullptr || r.after_verdict) {
    Unknown(r);  // anything after the verdict: not understood
    return 0;
  }
  if (std::strcmp(name, "counter") == 0 || std::strcmp(name, "log") == 0) return 0;
  if (std::strcmp(name, "meta") == 0) {
    Load(r, expr, NFTNL_EXPR_META_DREG, MetaField(nftnl_expr_get_u32(expr, NFTNL_EXPR_META_KEY)));
  } else if (std::strcmp(name, "payload") == 0) {
    Load(r, expr, NFTNL_EXPR_PAYLOAD_DREG, PayloadField(expr));
  } else if (std::strcmp(name, "ct") == 0) {
    bool state = nftnl_expr_get_u32(expr, NFTNL_EXPR_CT_KEY) == NFT_CT_STATE;
    Load(r, expr, NFTNL_EXPR_CT_DREG,
         state ? NftMatch::Field::kCtState : NftMatch::Field::kUnknown);
  } else if (std::strcmp(name, "bitwise") == 0) {
    Bitwise(r, expr);
  } else if (std::strcmp(name, "cmp") == 0) {
    Compare(r, expr);
  } else if (std::strcmp(name, "immediate") == 0) {
    Immediate(r, expr);
  } else if (std::strcmp(name, "reject") == 0) {
    r.info.verdict = NftRuleInfo::Verdict::kDrop;
    r.after_verdict = true;
  } else {
    Unknown(r);
  }
  return 0;
}

}  // namespace

NftRuleInfo ReadRuleInfo(nftnl_rule* rule) {
  Reader reader;
  nftnl_expr_foreach(rule, ReadExpr, &reader);
  return std::move(reader.info);
}

}  // namespace virtnat::driver
