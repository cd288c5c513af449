#include "floe/util/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

namespace floe {

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "warning") lower = "warn";
  static constexpr std::string_view kNames[] = {"trace", "debug",    "info", "warn",
                                                "error", "critical", "off"};
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (lower == kNames[i]) return static_cast<spdlog::level::level_enum>(i);
  }
  return Status::InvalidArgument(
      "unknown log level '{}' (expected trace, debug, info, warn, error, critical or off)", name);
}

Result<spdlog::level::level_enum> LogLevelFromEnvironment(spdlog::level::level_enum fallback) {
  const char* value = std::getenv("FLOE_LOG_LEVEL");
  if (value == nullptr || *value == '\0') return fallback;
  auto level = ParseLogLevel(value);
  if (!level.ok()) return level.status().WithContext("FLOE_LOG_LEVEL");
  return level;
}

void InitLogging(const LogOptions& options) {
  spdlog::sink_ptr sink =
      options.sink ? options.sink : std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("floe", std::move(sink));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(options.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace floe
