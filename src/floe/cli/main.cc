// The floe executable: parses the command line and dispatches to subcommands.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <new>
#include <string>

#include "floe/build_info.h"
#include "floe/cli/command.h"
#include "floe/util/logging.h"
#include "floe/util/strings.h"

namespace floe::cli {

void ExitOnError(const Status& status, int exit_code) {
  if (status.ok()) return;
  // Messages may quote bytes from hostile files: print them escaped.
  std::fprintf(stderr, "floe: error: %s\n", PrintableText(status.ToString()).c_str());
  throw CLI::RuntimeError(exit_code);
}

}  // namespace floe::cli

int main(int argc, char** argv) {
  // floe allocates and frees megabyte buffers batch after batch; keep them in
  // the heap for reuse rather than mapping and unmapping each one (which
  // costs a page fault per page, every batch).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  CLI::App app{"floe: a streaming lakehouse in one binary (Kafka -> Iceberg, catalog, maintenance)",
               "floe"};
  app.set_version_flag("--version", floe::CreatedBy());
  app.require_subcommand(0, 1);

  std::string log_level;
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off (default: $FLOE_LOG_LEVEL, else info)");
  app.parse_complete_callback([&] {
    auto level = log_level.empty() ? floe::LogLevelFromEnvironment(spdlog::level::info)
                                   : floe::ParseLogLevel(log_level);
    floe::cli::ExitOnError(level.status(), floe::cli::kExitUsage);
    floe::InitLogging({.level = *level});
  });

  floe::cli::AddDoctorCommand(app);
  floe::cli::AddParquetCommand(app);
  floe::cli::AddAvroCommand(app);
  floe::cli::AddBenchCommand(app);
  floe::cli::AddTransformCommand(app);
  floe::cli::AddMetadataCommand(app);
  floe::cli::AddNamespaceCommand(app);
  floe::cli::AddTableCommand(app);
  floe::cli::AddServerCommand(app);
  floe::cli::AddPipelineCommand(app);
  floe::cli::AddGenCommand(app);

  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      std::fputs(app.help().c_str(), stdout);
      return floe::cli::kExitUsage;
    }
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command failed; ExitOnError printed why
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0; real usage errors exit 2.
    return app.exit(e) == 0 ? 0 : floe::cli::kExitUsage;
  } catch (const std::bad_alloc&) {
    std::fputs("floe: error: out of memory\n", stderr);
    return floe::cli::kExitFailure;
  }
  return 0;
}
