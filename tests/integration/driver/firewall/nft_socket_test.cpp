// NftSocket's requests to a real nf_tables, inside a throw-away namespace.

#include "driver/firewall/nft_socket.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/host/netns.h"

namespace virtnat::driver {
namespace {

using virtnat::testing::NetNs;

int CollectTableName(const nlmsghdr* nlh, void* data) noexcept {
  auto* names = static_cast<std::vector<std::string>*>(data);
  NftnlTablePtr table(nftnl_table_alloc());
  if (!table || nftnl_table_nlmsg_parse(nlh, table.get()) < 0) return MNL_CB_ERROR;
  names->emplace_back(nftnl_table_get_str(table.get(), NFTNL_TABLE_NAME));
  return MNL_CB_OK;
}

TEST(NftSocketIntegrationTest, DumpsAcksAndErrorReplies) {
  NetNs ns("nftsock");
  ASSERT_TRUE(ns.ok());
  ASSERT_EQ(ns.Exec("nft add table inet first && nft add table ip second").exit_status, 0);
  ns.Run([] {
    Result<NftSocket> socket = NftSocket::Open(SOCK_CLOEXEC);
    ASSERT_TRUE(socket.ok()) << socket.error().message;
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);

    // A dump: every message handed to the callback, then NLMSG_DONE.
    std::vector<std::string> names;
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(request.data(), NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, 7);
    EXPECT_EQ(socket->Exchange(nlh, CollectTableName, &names), 0);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"first", "second"}));

    // A request with an ack and no callback.
    nlh = nftnl_nlmsg_build_hdr(request.data(), NFT_MSG_GETGEN, NFPROTO_UNSPEC, NLM_F_ACK, 8);
    EXPECT_EQ(socket->Exchange(nlh, nullptr, nullptr), 0);

    // An error reply gives its errno.
    NftnlTablePtr missing(nftnl_table_alloc());
    nftnl_table_set_str(missing.get(), NFTNL_TABLE_NAME, "missing");
    nlh = nftnl_nlmsg_build_hdr(request.data(), NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 9);
    nftnl_table_nlmsg_build_payload(nlh, missing.get());
    EXPECT_EQ(socket->Exchange(nlh, CollectTableName, &names), ENOENT);

    // The socket stays usable after a renewal.
    ASSERT_TRUE(socket->Renew());
    names.clear();
    nlh = nftnl_nlmsg_build_hdr(request.data(), NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_DUMP, 10);
    EXPECT_EQ(socket->Exchange(nlh, CollectTableName, &names), 0);
    EXPECT_EQ(names, (std::vector<std::string>{"first"}));
  });
}

}  // namespace
}  // namespace virtnat::driver
