#include "rpc/xdr.h"

#include <gtest/gtest.h>

#include <limits>

#include "rpc/protocol.h"
#include "rpc/remote_types.h"
#include "tests/support/transcript.h"

namespace virtnat::rpc {
namespace {

using testing::FromHex;

TEST(XdrTest, EncodesIntegersBigEndian) {
  Bytes out;
  XdrEncoder enc(out);
  enc.Int(-1);
  enc.Uint(0x2e);
  enc.Uhyper(9000000);  // CONNECT_GET_LIB_VERSION reply (captured, 27)
  EXPECT_EQ(out, FromHex("ffffffff0000002e0000000000895440"));
}

TEST(XdrTest, EncodesStringWithPadding) {
  Bytes out;
  XdrEncoder enc(out);
  enc.String("a-demo");  // NETWORK_LOOKUP_BY_NAME args (captured, 03)
  EXPECT_EQ(out, FromHex("00000006612d64656d6f0000"));
  out.clear();
  enc.String("virbra1x");  // a multiple of 4: no padding
  EXPECT_EQ(out.size(), 12u);
}

TEST(XdrTest, EncodesOptionalString) {
  Bytes out;
  XdrEncoder enc(out);
  enc.OptString(std::nullopt);
  enc.OptString(std::string("52:54:00:a1:00:52"));  // GET_DHCP_LEASES mac (captured, 09b)
  EXPECT_EQ(out, FromHex("000000000000000100000011"
                         "35323a35343a30303a61313a30303a3532000000"));
}

TEST(XdrTest, DecodesCapturedNetwork) {
  // NETWORK_LOOKUP_BY_NAME reply payload (captured, 03).
  Bytes payload = FromHex("00000006612d64656d6f0000addbccd4ca0844749b9562a5c99a6a8a");
  XdrDecoder dec(payload);
  driver::NetworkRef net = DecodeNetwork(dec);
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(net.name, "a-demo");
  EXPECT_EQ(xml::FormatUuid(net.uuid), "addbccd4-ca08-4474-9b95-62a5c99a6a8a");
  EXPECT_EQ(dec.remaining(), 0u);
}

TEST(XdrTest, DecodesCapturedTypedParam) {
  // NETWORK_PORT_SET_PARAMETERS params (captured, 13).
  Bytes payload = FromHex(
      "000000010000000f696e626f756e642e6176657261676500"
      "00000002000003e8");
  XdrDecoder dec(payload);
  ASSERT_EQ(dec.ArrayCount(kPortParametersMax), 1u);
  driver::TypedParam p = DecodeTypedParam(dec);
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(p.field, "inbound.average");
  EXPECT_EQ(p.type, VIR_TYPED_PARAM_UINT);
  EXPECT_EQ(p.u, 1000u);
}

TEST(XdrTest, TypedParamRoundTripsEveryType) {
  std::vector<driver::TypedParam> params(7);
  for (int t = 1; t <= 7; ++t) {
    params[t - 1].field = "f" + std::to_string(t);
    params[t - 1].type = t;
  }
  params[0].i = -5;
  params[1].u = 7;
  params[2].i = std::numeric_limits<int64_t>::min();
  params[3].u = std::numeric_limits<uint64_t>::max();
  params[4].d = 2.5;
  params[5].i = 1;
  params[6].s = "text";
  Bytes out;
  XdrEncoder enc(out);
  for (const auto& p : params) EncodeTypedParam(enc, p);
  XdrDecoder dec(out);
  for (const auto& p : params) EXPECT_EQ(DecodeTypedParam(dec), p);
  EXPECT_TRUE(dec.ok());
  EXPECT_EQ(dec.remaining(), 0u);
}

TEST(XdrTest, UnknownTypedParamTypeFails) {
  Bytes payload = FromHex("0000000161000000000000080000000000000000");
  XdrDecoder dec(payload);
  DecodeTypedParam(dec);
  EXPECT_FALSE(dec.ok());
}

TEST(XdrTest, TruncatedInputFails) {
  Bytes payload = FromHex("00000006612d6465");  // string cut short
  XdrDecoder dec(payload);
  EXPECT_EQ(dec.String(kStringMax), "");
  EXPECT_FALSE(dec.ok());
  EXPECT_EQ(dec.Uint(), 0u);  // later reads stay failed
}

TEST(XdrTest, StringOverLimitFails) {
  Bytes payload = FromHex("0000000561626364650000000");
  XdrDecoder dec(payload);
  dec.String(4);
  EXPECT_FALSE(dec.ok());
}

TEST(XdrTest, HugeLengthDoesNotWrap) {
  Bytes payload = FromHex("ffffffff00000000");
  XdrDecoder dec(payload);
  dec.String(std::numeric_limits<size_t>::max());
  EXPECT_FALSE(dec.ok());
}

TEST(XdrTest, ArrayCountOverLimitFails) {
  Bytes payload = FromHex("00004001");  // 16385 > REMOTE_NETWORK_LIST_MAX
  XdrDecoder dec(payload);
  EXPECT_EQ(dec.ArrayCount(kNetworkListMax), 0u);
  EXPECT_FALSE(dec.ok());
}

TEST(XdrTest, PointerDiscriminantMustBeZeroOrOne) {
  Bytes payload = FromHex("00000002");
  XdrDecoder dec(payload);
  EXPECT_FALSE(dec.Present());
  EXPECT_FALSE(dec.ok());
}

TEST(XdrTest, EncodesErrorAsLibvirtd) {
  // NETWORK_LOOKUP_BY_NAME error payload (captured, 19).
  Bytes expected = FromHex(
      "0000002b00000013000000010000003c4e6574776f726b206e6f7420666f756e643a206e6f206e6574776f726b"
      "2077697468206d61746368696e67206e616d65202761"
      "2d6d697373696e6727000000020000000000000001000000154e6574776f726b206e6f7420666f756e643a2025"
      "7300000000000001000000296e6f206e6574776f726b2077697468206d61746368696e67206e616d652027612d"
      "6d697373696e672700000000000000ffffffffffffffff00000000");
  Bytes out;
  XdrEncoder enc(out);
  EncodeError(enc, MakeError(VIR_ERR_NO_NETWORK, VIR_FROM_NETWORK,
                             "no network with matching name 'a-missing'"));
  EXPECT_EQ(out, expected);
  XdrDecoder dec(out);
  Error e = DecodeError(dec);
  EXPECT_TRUE(dec.ok());
  EXPECT_EQ(e.code, VIR_ERR_NO_NETWORK);
  EXPECT_EQ(e.message, "Network not found: no network with matching name 'a-missing'");
}

TEST(XdrTest, LeaseRoundTrip) {
  driver::NetworkDhcpLease lease{
      "virbra1",         1795799411, 0,        "52:54:00:a1:00:51",   std::nullopt,
      "192.168.201.150", 24,         "guest1", "01:52:54:00:a1:00:51"};
  Bytes out;
  XdrEncoder enc(out);
  EncodeLease(enc, lease);
  XdrDecoder dec(out);
  EXPECT_EQ(DecodeLease(dec), lease);
  EXPECT_TRUE(dec.ok());
}

}  // namespace
}  // namespace virtnat::rpc
