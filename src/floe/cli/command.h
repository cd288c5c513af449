// Shared plumbing for the `floe` subcommands. Each command lives in its own
// file and registers itself on the root CLI11 app through an Add*Command
// function; its work is library code returning Status, and this header turns
// that Status into the process's exit code at the edge.
#pragma once

#include <CLI/CLI.hpp>

#include "floe/stream/pipeline_config.h"
#include "floe/util/status.h"

namespace floe::cli {

// Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong
// (CLI11's own parse errors also exit with 2 or more).
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Prints "floe: error: <status>" to stderr and ends the command with
// `exit_code` when `status` is an error; does nothing when it is OK. Bad
// option values pass kExitUsage; everything else failed while running.
void ExitOnError(const Status& status, int exit_code = kExitFailure);

void AddDoctorCommand(CLI::App& app);
void AddParquetCommand(CLI::App& app);
void AddAvroCommand(CLI::App& app);
void AddBenchCommand(CLI::App& app);
// The REST catalog load generator under `floe bench` (bench_catalog.cc).
void AddCatalogBenchCommands(CLI::App* bench);
void AddTransformCommand(CLI::App& app);
void AddMetadataCommand(CLI::App& app);
void AddNamespaceCommand(CLI::App& app);
void AddTableCommand(CLI::App& app);
void AddServerCommand(CLI::App& app);
void AddPipelineCommand(CLI::App& app);
// The pipelines of a YAML config; every error is printed to stderr with its
// YAML path first (pipeline_command.cc).
Result<std::vector<stream::PipelineConfig>> LoadPipelineConfig(const std::string& path);
void AddGenCommand(CLI::App& app);

}  // namespace floe::cli
