// What of NftSocket needs no privilege: opening, binding, options, the
// queue and message walking. Requests to nf_tables need CAP_NET_ADMIN:
// tests/integration/driver/firewall/nft_socket_test.cpp.

#include "driver/firewall/nft_socket.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstring>

namespace virtnat::driver {
namespace {

TEST(NftSocketTest, OpensBoundWithTheFlagsAsked) {
  Result<NftSocket> plain = NftSocket::Open(0);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  Result<NftSocket> flagged = NftSocket::Open(SOCK_CLOEXEC | SOCK_NONBLOCK);
  ASSERT_TRUE(flagged.ok()) << flagged.error().message;
  EXPECT_NE(plain->portid(), 0u);
  EXPECT_NE(flagged->portid(), 0u);
  EXPECT_NE(plain->portid(), flagged->portid());
  EXPECT_EQ(fcntl(plain->fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(fcntl(plain->fd(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(flagged->fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(fcntl(flagged->fd(), F_GETFL) & O_NONBLOCK, 0);

  int protocol = 0;
  socklen_t len = sizeof protocol;
  ASSERT_EQ(getsockopt(plain->fd(), SOL_SOCKET, SO_PROTOCOL, &protocol, &len), 0);
  EXPECT_EQ(protocol, NETLINK_NETFILTER);
}

TEST(NftSocketTest, MovingKeepsOneOwner) {
  Result<NftSocket> opened = NftSocket::Open(SOCK_CLOEXEC);
  ASSERT_TRUE(opened.ok());
  const int fd = opened->fd();
  {
    NftSocket moved = std::move(opened).value();
    EXPECT_EQ(moved.fd(), fd);
    EXPECT_NE(fcntl(fd, F_GETFD), -1);
  }
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);  // closed once, by its last owner
}

TEST(NftSocketTest, OptionsAndAnEmptyQueue) {
  Result<NftSocket> socket = NftSocket::Open(SOCK_CLOEXEC);
  ASSERT_TRUE(socket.ok());
  EXPECT_EQ(socket->SetOption(NETLINK_CAP_ACK, 1), 0);
  EXPECT_EQ(socket->SetOption(NETLINK_EXT_ACK, 1), 0);
  EXPECT_EQ(socket->SetOption(-1, 1), ENOPROTOOPT);
  std::vector<char> buffer(4096);
  size_t size = 1;
  bool truncated = true;
  EXPECT_EQ(socket->ReceiveQueued(buffer, &size, &truncated), EAGAIN);
}

TEST(NftSocketTest, RenewGivesAFreshSocketWithTheSameFlags) {
  Result<NftSocket> socket = NftSocket::Open(SOCK_CLOEXEC | SOCK_NONBLOCK);
  ASSERT_TRUE(socket.ok());
  const uint32_t before = socket->portid();
  ASSERT_TRUE(socket->Renew());
  EXPECT_NE(socket->portid(), before);
  EXPECT_NE(fcntl(socket->fd(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(socket->fd(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(NftSocketTest, WalksEachCompleteMessageOfADatagram) {
  alignas(nlmsghdr) char data[256] = {};
  size_t used = 0;
  for (uint16_t type : {uint16_t{100}, uint16_t{101}}) {
    auto* nlh = reinterpret_cast<nlmsghdr*>(data + used);
    nlh->nlmsg_len = NLMSG_LENGTH(4);
    nlh->nlmsg_type = type;
    used += NLMSG_ALIGN(nlh->nlmsg_len);
  }
  // A third header claiming more than is there is not a message.
  auto* cut = reinterpret_cast<nlmsghdr*>(data + used);
  cut->nlmsg_len = 200;
  used += NLMSG_HDRLEN;
  std::vector<uint16_t> seen;
  ForEachNetlinkMessage(data, used,
                        [&seen](const nlmsghdr* nlh) { seen.push_back(nlh->nlmsg_type); });
  EXPECT_EQ(seen, (std::vector<uint16_t>{100, 101}));
}

}  // namespace
}  // namespace virtnat::driver
