// Logging setup. floe logs through spdlog's default logger everywhere
// (spdlog::info(...), spdlog::warn(...)); this sets that logger up once, at
// program start, so every line has the same shape:
//
//   2026-11-25T15:04:05.123Z info  message
//
// Timestamps are UTC. Logs go to stderr so that stdout stays clean for data
// (`floe parquet cat ... | jq`).
#pragma once

#include <spdlog/common.h>

#include <string_view>

#include "floe/util/status.h"

namespace floe {

struct LogOptions {
  // trace, debug, info, warn, error, critical or off.
  spdlog::level::level_enum level = spdlog::level::info;
  // Where lines go; stderr when null.
  spdlog::sink_ptr sink = nullptr;
};

// Parses a level name (case-insensitive; "warning" is accepted for "warn").
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// The level named by the FLOE_LOG_LEVEL environment variable, else `fallback`.
// An unknown name there is an error rather than silently ignored.
Result<spdlog::level::level_enum> LogLevelFromEnvironment(spdlog::level::level_enum fallback);

// Replaces spdlog's default logger. Safe to call again (tests do).
void InitLogging(const LogOptions& options);

}  // namespace floe
