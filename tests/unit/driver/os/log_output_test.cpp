#include "driver/os/log_output.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace virtnat::driver {
namespace {

TEST(LogOutputTest, LibvirtsOutputSyntax) {
  Result<std::vector<LogOutput>> outputs =
      ParseLogOutputs("3:journald 1:file:/var/log/virtnatd.log  4:stderr");
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_EQ(outputs->size(), 3u);
  EXPECT_EQ((*outputs)[0].kind, LogOutput::Kind::kJournald);
  EXPECT_EQ((*outputs)[0].max_level, G_LOG_LEVEL_WARNING);
  EXPECT_EQ((*outputs)[1].kind, LogOutput::Kind::kFile);
  EXPECT_EQ((*outputs)[1].path, "/var/log/virtnatd.log");
  EXPECT_EQ((*outputs)[1].max_level, G_LOG_LEVEL_DEBUG);
  EXPECT_EQ((*outputs)[2].kind, LogOutput::Kind::kStderr);
  EXPECT_EQ((*outputs)[2].max_level, G_LOG_LEVEL_CRITICAL);
}

TEST(LogOutputTest, NoneMeansStderr) {
  Result<std::vector<LogOutput>> outputs = ParseLogOutputs("");
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 1u);
  EXPECT_EQ(outputs->front().kind, LogOutput::Kind::kStderr);
}

TEST(LogOutputTest, ABadOutputIsNamed) {
  for (const char* bad :
       {"journald", "5:stderr", "1:syslog:virtnatd", "1:file:relative", "2:tcp"}) {
    Result<std::vector<LogOutput>> outputs = ParseLogOutputs(bad);
    ASSERT_FALSE(outputs.ok()) << bad;
    EXPECT_NE(outputs.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << outputs.error().message;
  }
}

TEST(LogOutputTest, AFileOutputGetsStampedLinesAtItsLevel) {
  testing::TempDir tmp;
  std::string path = tmp / "virtnatd.log";
  {
    Result<std::unique_ptr<LogSink>> sink = LogSink::Open(
        G_LOG_LEVEL_DEBUG, {LogOutput{LogOutput::Kind::kFile, G_LOG_LEVEL_INFO, path}});
    ASSERT_TRUE(sink.ok()) << sink.error().message;
    g_info("network '%s' started", "lab");
    g_debug("not written: below the file's level");
  }
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::string line = text.str();
  EXPECT_NE(line.find("+0000: virtnatd: info: network 'lab' started\n"), std::string::npos) << line;
  EXPECT_EQ(line.find("not written"), std::string::npos);
}

TEST(LogOutputTest, AFileThatCannotBeOpenedIsAnError) {
  Result<std::unique_ptr<LogSink>> sink =
      LogSink::Open(G_LOG_LEVEL_INFO,
                    {LogOutput{LogOutput::Kind::kFile, G_LOG_LEVEL_INFO, "/nonexistent/x.log"}});
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.error().message.find("'/nonexistent/x.log'"), std::string::npos);
}

}  // namespace
}  // namespace virtnat::driver
