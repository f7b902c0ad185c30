#include "driver/firewall/nft_expr.h"

// The libc socket headers must precede the kernel ones (struct in_addr).
#include <arpa/inet.h>
#include <net/if.h>
// Kernel uapi.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "driver/firewall/nft_ptr.h"

namespace virtnat::driver {
namespace {

// Conntrack bits as the ct expression loads them.
constexpr uint32_t kCtStateEstablished = 1u << 1;
constexpr uint32_t kCtStateRelated = 1u << 2;
constexpr uint32_t kCtStatusDstNat = 1u << 5;  // IPS_DST_NAT

// Builds one rule, remembering which protocol dependencies it already
// established so each is emitted once, as nft does.
class RuleBuilder {
 public:
  explicit RuleBuilder(nftnl_rule* rule) : rule_(rule) {}

  bool ok() const { return ok_; }

  void Add(const NftExpr& e);

 private:
  nftnl_expr* New(const char* name) {
    NftnlExprPtr e(nftnl_expr_alloc(name));
    if (!e) {
      ok_ = false;
      return nullptr;
    }
    nftnl_expr* raw = e.get();
    nftnl_rule_add_expr(rule_, e.release());  // the rule owns it from here
    return raw;
  }

  // [ meta load KEY => reg DREG ]
  void Meta(uint32_t key, uint32_t dreg) {
    if (nftnl_expr* e = New("meta")) {
      nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
      nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
    }
  }

  // [ cmp OP reg 1 DATA ]
  void Cmp(uint32_t op, const void* data, uint32_t len) {
    if (nftnl_expr* e = New("cmp")) {
      nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
      nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
      nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
    }
  }

  // [ payload load LEN @ BASE + OFFSET => reg DREG ]
  void Payload(uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg = NFT_REG_1) {
    if (nftnl_expr* e = New("payload")) {
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    }
  }

  // [ bitwise reg 1 = ( reg 1 & MASK ) ^ 0 ]
  void Mask(const void* mask, uint32_t len) {
    if (nftnl_expr* e = New("bitwise")) {
      std::vector<uint8_t> zero(len, 0);
      nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
      nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
      nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
      nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
      nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero.data(), len);
    }
  }

  // meta nfproto ipv4|ipv6 (also the implicit dependency of ip/ip6 matches)
  void NfProto(IpFamily f) {
    if (nfproto_ == f) return;
    nfproto_ = f;
    uint8_t v = f == IpFamily::kV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
    Meta(NFT_META_NFPROTO, NFT_REG_1);
    Cmp(NFT_CMP_EQ, &v, 1);
  }

  // meta l4proto tcp|udp (also the implicit dependency of tcp/udp dport)
  void L4Proto(uint8_t proto) {
    if (l4proto_ == proto) return;
    l4proto_ = proto;
    Meta(NFT_META_L4PROTO, NFT_REG_1);
    Cmp(NFT_CMP_EQ, &proto, 1);
  }

  // [ immediate reg DREG DATA ]
  void ImmediateData(uint32_t dreg, const void* data, uint32_t len) {
    if (nftnl_expr* e = New("immediate")) {
      nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
      nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
    }
  }

  void Port(uint32_t dreg, unsigned port) {
    uint16_t be = htons(static_cast<uint16_t>(port));
    ImmediateData(dreg, &be, sizeof be);
  }

  void AddrMatchExpr(const AddrMatch& m);
  void VmapExpr(const VmapStmt& v);
  void VerdictExpr(const VerdictStmt& v);
  void RejectExpr(const RejectStmt& r);
  void MasqExpr(const MasqueradeStmt& m);
  void NatExpr(const NatStmt& n);

  nftnl_rule* rule_;
  bool ok_ = true;
  IpFamily nfproto_ = IpFamily::kNone;
  uint8_t l4proto_ = 0;
};

// ip saddr 10.0.0.0/24, ip6 daddr != 2001:db8::/64, ip daddr 10.0.0.5.
// Byte-aligned prefixes load only the prefix bytes; others are masked.
void RuleBuilder::AddrMatchExpr(const AddrMatch& m) {
  const bool v6 = m.address.is_v6();
  NfProto(m.address.family());
  uint32_t offset = v6 ? (m.source ? 8 : 24) : (m.source ? 12 : 16);
  const uint32_t op = m.negate ? NFT_CMP_NEQ : NFT_CMP_EQ;
  std::vector<uint8_t> bytes = AddressBytes(m.address);
  if (m.prefix % 8 == 0) {
    uint32_t len = m.prefix / 8;
    Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len);
    Cmp(op, bytes.data(), len);
  } else {
    std::vector<uint8_t> mask = AddressBytes(IpAddress::Netmask(m.address.family(), m.prefix));
    Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, bytes.size());
    Mask(mask.data(), mask.size());
    Cmp(op, bytes.data(), bytes.size());
  }
}

// iifname vmap @M / ip saddr vmap @M / meta l4proto . th dport vmap @M
void RuleBuilder::VmapExpr(const VmapStmt& v) {
  switch (v.key) {
    case MapKey::kIifname:
      Meta(NFT_META_IIFNAME, NFT_REG_1);
      break;
    case MapKey::kOifname:
      Meta(NFT_META_OIFNAME, NFT_REG_1);
      break;
    case MapKey::kSaddr4:
      NfProto(IpFamily::kV4);
      Payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
      break;
    case MapKey::kSaddr6:
      NfProto(IpFamily::kV6);
      Payload(NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
      break;
    case MapKey::kL4protoDport:
      Meta(NFT_META_L4PROTO, NFT_REG_1);
      // [ byteorder reg 1 = hton(reg 1, 2, 1) ]: what nft emits for the
      // one-byte protocol in a concatenation (a no-op on the value).
      if (nftnl_expr* e = New("byteorder")) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
      }
      Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
      break;
  }
  // [ lookup reg 1 set M dreg 0 ]
  if (nftnl_expr* e = New("lookup")) {
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, v.map.c_str());
  }
}

// accept / return / jump CHAIN: [ immediate reg 0 VERDICT ]
void RuleBuilder::VerdictExpr(const VerdictStmt& v) {
  if (nftnl_expr* e = New("immediate")) {
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    switch (v.kind) {
      case VerdictKind::kAccept:
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
        break;
      case VerdictKind::kReturn:
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NFT_RETURN);
        break;
      case VerdictKind::kJump:
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NFT_JUMP);
        nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, v.chain.c_str());
        break;
    }
  }
}

// reject                                 [ reject type 2 code 1 ] (icmpx)
// reject with icmp port-unreachable      meta nfproto ipv4 + [ reject type 0 code 3 ]
// reject with icmpv6 port-unreachable    meta nfproto ipv6 + [ reject type 0 code 4 ]
void RuleBuilder::RejectExpr(const RejectStmt& r) {
  uint32_t type = NFT_REJECT_ICMPX_UNREACH;
  uint8_t code = NFT_REJECT_ICMPX_PORT_UNREACH;
  if (r.family != IpFamily::kNone) {
    NfProto(r.family);
    type = NFT_REJECT_ICMP_UNREACH;
    code = r.family == IpFamily::kV6 ? 4 /* ICMPV6_PORT_UNREACH */ : 3 /* ICMP_PORT_UNREACH */;
  }
  if (nftnl_expr* e = New("reject")) {
    nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
    nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
  }
}

// masquerade [to :A-B]: [ masq proto_min reg 1 proto_max reg 2 flags 0x2 ]
void RuleBuilder::MasqExpr(const MasqueradeStmt& m) {
  if (m.ports) {
    Port(NFT_REG_1, m.ports->first);
    Port(NFT_REG_2, m.ports->last);
  }
  if (nftnl_expr* e = New("masq")) {
    if (m.ports) {
      nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
      nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFT_REG_1);
      nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFT_REG_2);
    }
  }
}

// snat ip to A[-B][:P[-Q]] / dnat ip6 to [A]:P:
// [ nat snat ip addr_min reg 1 [addr_max reg 2] proto_min reg N ... ]
void RuleBuilder::NatExpr(const NatStmt& n) {
  std::vector<uint8_t> first = AddressBytes(n.first);
  std::vector<uint8_t> last = AddressBytes(n.last);
  uint32_t reg = NFT_REG_1;
  const uint32_t addr_min = reg++;
  ImmediateData(addr_min, first.data(), first.size());
  uint32_t addr_max = 0;
  if (n.last != n.first) {
    addr_max = reg++;
    ImmediateData(addr_max, last.data(), last.size());
  }
  uint32_t proto_min = 0, proto_max = 0;
  if (n.ports) {
    proto_min = reg++;
    Port(proto_min, n.ports->first);
    if (n.ports->last != n.ports->first) {
      proto_max = reg++;
      Port(proto_max, n.ports->last);
    }
  }
  if (nftnl_expr* e = New("nat")) {
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, n.destination ? NFT_NAT_DNAT : NFT_NAT_SNAT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, n.first.is_v6() ? NFPROTO_IPV6 : NFPROTO_IPV4);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, addr_min);
    if (addr_max) nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, addr_max);
    if (proto_min) {
      nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, proto_min);
      if (proto_max) nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, proto_max);
      nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
    }
  }
}

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

void RuleBuilder::Add(const NftExpr& expr) {
  std::visit(Overload{
                 // iifname "NAME": [ meta load iifname => reg 1 ] [ cmp eq reg 1 NAME\0... ]
                 [&](const IfNameMatch& m) {
                   Meta(m.input ? NFT_META_IIFNAME : NFT_META_OIFNAME, NFT_REG_1);
                   std::vector<uint8_t> name = IfNameBytes(m.name);
                   Cmp(NFT_CMP_EQ, name.data(), name.size());
                 },
                 // meta nfproto ipv4: written explicitly; kept by nft when no ip
                 // payload match follows in the same rule.
                 [&](const NfProtoMatch& m) {
                   nfproto_ = IpFamily::kNone;
                   NfProto(m.family);
                 },
                 // meta l4proto tcp
                 [&](const L4ProtoMatch& m) {
                   l4proto_ = 0;
                   L4Proto(m.proto);
                 },
                 [&](const AddrMatch& m) { AddrMatchExpr(m); },
                 // tcp dport 80: l4proto dependency, [ payload load 2b @ transport
                 // header + 2 ], then cmp eq, or cmp gte + cmp lte for a range.
                 [&](const PortMatch& m) {
                   L4Proto(m.proto);
                   Payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
                   uint16_t first = htons(static_cast<uint16_t>(m.ports.first));
                   uint16_t last = htons(static_cast<uint16_t>(m.ports.last));
                   if (m.ports.first == m.ports.last) {
                     Cmp(NFT_CMP_EQ, &first, 2);
                   } else {
                     Cmp(NFT_CMP_GTE, &first, 2);
                     Cmp(NFT_CMP_LTE, &last, 2);
                   }
                 },
                 // ct state established,related: [ ct load state => reg 1 ]
                 // [ bitwise reg 1 = ( reg 1 & 0x6 ) ^ 0 ] [ cmp neq reg 1 0 ]
                 [&](const CtEstablishedMatch&) {
                   if (nftnl_expr* e = New("ct")) {
                     nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
                     nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
                   }
                   uint32_t mask = kCtStateEstablished | kCtStateRelated, zero = 0;
                   Mask(&mask, 4);
                   Cmp(NFT_CMP_NEQ, &zero, 4);
                 },
                 // ct status dnat: [ ct load status => reg 1 ] [ bitwise & 0x20 ] [ cmp neq 0 ]
                 [&](const CtDnatMatch&) {
                   if (nftnl_expr* e = New("ct")) {
                     nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
                     nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
                   }
                   uint32_t mask = kCtStatusDstNat, zero = 0;
                   Mask(&mask, 4);
                   Cmp(NFT_CMP_NEQ, &zero, 4);
                 },
                 // fib daddr type local: [ fib daddr type => reg 1 ] [ cmp eq reg 1 RTN_LOCAL ]
                 [&](const FibLocalMatch&) {
                   if (nftnl_expr* e = New("fib")) {
                     nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
                     nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
                     nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
                   }
                   uint32_t local = RTN_LOCAL;
                   Cmp(NFT_CMP_EQ, &local, 4);
                 },
                 [&](const VmapStmt& v) { VmapExpr(v); },
                 [&](const VerdictStmt& v) { VerdictExpr(v); },
                 [&](const RejectStmt& r) { RejectExpr(r); },
                 [&](const MasqueradeStmt& m) { MasqExpr(m); },
                 [&](const NatStmt& n) { NatExpr(n); },
             },
             expr);
}

}  // namespace

std::vector<uint8_t> IfNameBytes(const std::string& name) {
  std::vector<uint8_t> out(IFNAMSIZ, 0);
  std::memcpy(out.data(), name.data(), std::min(name.size(), size_t{IFNAMSIZ - 1}));
  return out;
}

std::vector<uint8_t> AddressBytes(const IpAddress& a) {
  size_t len = a.is_v6() ? 16 : 4;
  return std::vector<uint8_t>(a.bytes().begin(), a.bytes().begin() + len);
}

std::vector<uint8_t> ProtoPortBytes(uint8_t proto, unsigned port) {
  return {proto, 0, 0, 0, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port), 0, 0};
}

Status AppendRuleExprs(const NftRule& rule, nftnl_rule* out) {
  RuleBuilder builder(out);
  for (const NftExpr& e : rule.exprs) builder.Add(e);
  if (!builder.ok()) return InternalError("out of memory building an nftables rule");
  return Status::Ok();
}

}  // namespace virtnat::driver
