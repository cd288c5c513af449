#include "floe/util/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <regex>
#include <sstream>

namespace floe {
namespace {

TEST(LoggingTest, ParsesEveryLevelName) {
  EXPECT_EQ(*ParseLogLevel("trace"), spdlog::level::trace);
  EXPECT_EQ(*ParseLogLevel("DEBUG"), spdlog::level::debug);
  EXPECT_EQ(*ParseLogLevel("info"), spdlog::level::info);
  EXPECT_EQ(*ParseLogLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(*ParseLogLevel("Warning"), spdlog::level::warn);
  EXPECT_EQ(*ParseLogLevel("error"), spdlog::level::err);
  EXPECT_EQ(*ParseLogLevel("critical"), spdlog::level::critical);
  EXPECT_EQ(*ParseLogLevel("off"), spdlog::level::off);
}

TEST(LoggingTest, RejectsUnknownLevelWithAClearMessage) {
  auto level = ParseLogLevel("loud");
  ASSERT_FALSE(level.ok());
  EXPECT_EQ(level.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(level.status().message().find("'loud'"), std::string_view::npos);
}

TEST(LoggingTest, EnvironmentOverridesFallback) {
  ::unsetenv("FLOE_LOG_LEVEL");
  EXPECT_EQ(*LogLevelFromEnvironment(spdlog::level::info), spdlog::level::info);
  ::setenv("FLOE_LOG_LEVEL", "debug", 1);
  EXPECT_EQ(*LogLevelFromEnvironment(spdlog::level::info), spdlog::level::debug);
  ::setenv("FLOE_LOG_LEVEL", "nonsense", 1);
  auto bad = LogLevelFromEnvironment(spdlog::level::info);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("FLOE_LOG_LEVEL"), std::string_view::npos);
  ::unsetenv("FLOE_LOG_LEVEL");
}

TEST(LoggingTest, WritesUtcTimestampLevelAndMessageAtOrAboveLevel) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  InitLogging({.level = spdlog::level::info, .sink = sink});
  spdlog::debug("hidden {}", 1);
  spdlog::info("consumed {} records", 1000);
  spdlog::warn("lag is {} s", 3);
  spdlog::default_logger()->flush();

  std::istringstream lines(out.str());
  std::string first, second, extra;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_FALSE(std::getline(lines, extra)) << "debug line leaked: " << extra;
  const std::regex shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\w+) +(.*))");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(first, m, shape)) << first;
  EXPECT_EQ(m[1], "info");
  EXPECT_EQ(m[2], "consumed 1000 records");
  ASSERT_TRUE(std::regex_match(second, m, shape)) << second;
  EXPECT_EQ(m[1].str().substr(0, 4), "warn");
  EXPECT_EQ(m[2], "lag is 3 s");
  spdlog::drop_all();
}

}  // namespace
}  // namespace floe
