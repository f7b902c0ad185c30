#pragma once
// Owning handles for libnftnl and libmnl objects. Every nftnl_* / mnl_*
// object the driver creates lives in one of these; ownership passes to
// libnftnl only where its API takes it (nftnl_rule_add_expr,
// nftnl_set_elem_add), and the caller then release()s the handle.

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <memory>

namespace virtnat::driver {

struct NftnlTableDeleter {
  void operator()(nftnl_table* p) const { nftnl_table_free(p); }
};
struct NftnlChainDeleter {
  void operator()(nftnl_chain* p) const { nftnl_chain_free(p); }
};
struct NftnlRuleDeleter {
  void operator()(nftnl_rule* p) const { nftnl_rule_free(p); }
};
struct NftnlExprDeleter {
  void operator()(nftnl_expr* p) const { nftnl_expr_free(p); }
};
struct NftnlSetDeleter {
  void operator()(nftnl_set* p) const { nftnl_set_free(p); }
};
struct NftnlSetElemDeleter {
  void operator()(nftnl_set_elem* p) const { nftnl_set_elem_free(p); }
};
struct NftnlBatchDeleter {
  void operator()(nftnl_batch* p) const { nftnl_batch_free(p); }
};
struct NftnlUdataBufDeleter {
  void operator()(nftnl_udata_buf* p) const { nftnl_udata_buf_free(p); }
};
struct MnlSocketDeleter {
  void operator()(mnl_socket* p) const { mnl_socket_close(p); }
};

using NftnlTablePtr = std::unique_ptr<nftnl_table, NftnlTableDeleter>;
using NftnlChainPtr = std::unique_ptr<nftnl_chain, NftnlChainDeleter>;
using NftnlRulePtr = std::unique_ptr<nftnl_rule, NftnlRuleDeleter>;
using NftnlExprPtr = std::unique_ptr<nftnl_expr, NftnlExprDeleter>;
using NftnlSetPtr = std::unique_ptr<nftnl_set, NftnlSetDeleter>;
using NftnlSetElemPtr = std::unique_ptr<nftnl_set_elem, NftnlSetElemDeleter>;
using NftnlBatchPtr = std::unique_ptr<nftnl_batch, NftnlBatchDeleter>;
using NftnlUdataBufPtr = std::unique_ptr<nftnl_udata_buf, NftnlUdataBufDeleter>;
using MnlSocketPtr = std::unique_ptr<mnl_socket, MnlSocketDeleter>;

}  // namespace virtnat::driver
