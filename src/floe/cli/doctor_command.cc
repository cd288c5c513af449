// `floe doctor`: reports what this floe binary is built from and whether the
// places it works in are usable, to paste into a bug report.
#include <spdlog/spdlog.h>
#include <spdlog/version.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "floe/build_info.h"
#include "floe/cli/command.h"

namespace floe::cli {
namespace {

struct DoctorOptions {
  std::string warehouse = "floe-data";
};

// The warehouse directory must exist (or be creatable) and be writable.
Status CheckWarehouse(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path probe = dir;
  while (!probe.empty() && !std::filesystem::exists(probe, ec)) probe = probe.parent_path();
  if (probe.empty()) probe = ".";
  if (!std::filesystem::is_directory(probe, ec)) {
    return Status::IOError("warehouse {}: {} is not a directory", dir.string(), probe.string());
  }
  if (::access(probe.c_str(), W_OK) != 0) {
    return Status::PermissionDenied("warehouse {}: {} is not writable", dir.string(),
                                    probe.string());
  }
  return Status::OK();
}

Status RunDoctor(const DoctorOptions& options) {
  std::printf("%s\n", CreatedBy().c_str());
  std::printf("  compiler   %s\n", __VERSION__);
  std::printf("  fmt        %d.%d.%d\n", FMT_VERSION / 10000, FMT_VERSION / 100 % 100,
              FMT_VERSION % 100);
  std::printf("  spdlog     %d.%d.%d\n", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH);
  std::printf("  CLI11      %s\n", CLI11_VERSION);
  Status warehouse = CheckWarehouse(options.warehouse);
  std::printf("  warehouse  %s: %s\n", options.warehouse.c_str(),
              warehouse.ok() ? "writable" : warehouse.ToString().c_str());
  spdlog::debug("doctor finished");
  return warehouse;
}

}  // namespace

void AddDoctorCommand(CLI::App& app) {
  auto options = std::make_shared<DoctorOptions>();
  CLI::App* cmd = app.add_subcommand("doctor", "Show build details and check the environment");
  cmd->add_option("--warehouse", options->warehouse, "Warehouse directory to check")
      ->capture_default_str();
  cmd->callback([options] { ExitOnError(RunDoctor(*options)); });
}

}  // namespace floe::cli
