// Where `floe namespace` and `floe table` find tables: a warehouse directory
// (default ./floe-data) holding the embedded catalog (catalog.db) and the
// tables' files, or an explicit catalog: another SQLite file or a PostgreSQL
// database.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/io/fault_injecting_file_io.h"
#include "floe/table/table_commit.h"

namespace floe::cli {

struct CatalogOptions {
  std::string warehouse = "floe-data";
  std::string catalog;  // default <warehouse>/catalog.db

  // The warehouse is a path or a file:// URI.
  std::string CatalogPath() const {
    return catalog.empty() ? LocalPath(warehouse) + "/catalog.db" : catalog;
  }
};

inline void AddCatalogOptions(CLI::App* cmd, CatalogOptions& options) {
  cmd->add_option("--warehouse", options.warehouse,
                  "Warehouse directory or file:// URI (tables and the embedded catalog)")
      ->capture_default_str();
  cmd->add_option("--catalog,--catalog-db", options.catalog,
                  "Catalog: a SQLite file (default WAREHOUSE/catalog.db), a PostgreSQL URI "
                  "(postgresql://USER@HOST:PORT/DB) or a REST catalog (http://HOST:PORT)");
}

inline bool IsPostgresUri(const std::string& catalog) {
  return catalog.starts_with("postgresql://") || catalog.starts_with("postgres://");
}

// The crash-consistency tests run floe itself with FLOE_FAULTS=OP:N:FAULT
// (FaultInjectingFileIO::Parse): the N-th table-file operation of kind OP
// fails or kills the process. Applied to every catalog a command opens.
inline Status ApplyFaultsFromEnvironment(catalog::Catalog& catalog) {
  const char* spec = std::getenv("FLOE_FAULTS");
  if (spec == nullptr || *spec == '\0') return Status::OK();
  FLOE_ASSIGN_OR_RETURN(FaultInjectingFileIO::Armed armed, FaultInjectingFileIO::Parse(spec));
  static FaultInjectingFileIO faults(LocalFileIO());
  faults.Arm(armed);
  std::fprintf(stderr, "floe: FLOE_FAULTS=%s: table files go through a fault-injecting FileIO\n",
               spec);
  catalog.UseFileIO(faults);
  return Status::OK();
}

// FLOE_KILL_AT_SWAP=before:N or after:N: the process kills itself with
// SIGKILL at the N-th catalog swap of table commits, right before it or
// right after it took effect (table::SetSwapHookForTesting).
inline Status ApplySwapKillFromEnvironment() {
  const char* spec = std::getenv("FLOE_KILL_AT_SWAP");
  static bool applied = false;  // one count per process, however many catalogs it opens
  if (spec == nullptr || *spec == '\0' || applied) return Status::OK();
  applied = true;
  const std::string text = spec;
  const size_t colon = text.find(':');
  const std::string point = text.substr(0, colon);
  const long n =
      colon == std::string::npos ? 0 : std::strtol(text.c_str() + colon + 1, nullptr, 10);
  if ((point != "before" && point != "after") || n < 1) {
    return Status::InvalidArgument("FLOE_KILL_AT_SWAP={}: expected before:N or after:N", text);
  }
  const table::SwapPoint at =
      point == "before" ? table::SwapPoint::kBefore : table::SwapPoint::kAfter;
  table::SetSwapHookForTesting(
      [at, n, count = std::make_shared<std::atomic<long>>(0)](table::SwapPoint p) {
        if (p == at && ++*count == n) {
          std::fprintf(stderr, "floe: FLOE_KILL_AT_SWAP: killed %s swap %ld\n",
                       at == table::SwapPoint::kBefore ? "before" : "after", n);
          std::fflush(stderr);
          ::raise(SIGKILL);
        }
      });
  return Status::OK();
}

inline Result<std::unique_ptr<catalog::Catalog>> OpenCatalogStore(const CatalogOptions& options) {
  if (IsPostgresUri(options.catalog)) return catalog::OpenPostgresCatalog(options.catalog);
  if (options.catalog.starts_with("http://") || options.catalog.starts_with("https://")) {
    return catalog::OpenRestCatalog(options.catalog);
  }
  return catalog::OpenSqliteCatalog(options.CatalogPath());
}

inline Result<std::unique_ptr<catalog::Catalog>> OpenCatalog(const CatalogOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(LocalPath(options.warehouse), ec);
  if (ec) return Status::IOError("warehouse {}: {}", options.warehouse, ec.message());
  FLOE_ASSIGN_OR_RETURN(auto opened, OpenCatalogStore(options));
  FLOE_RETURN_IF_ERROR(ApplyFaultsFromEnvironment(*opened));
  FLOE_RETURN_IF_ERROR(ApplySwapKillFromEnvironment());
  return opened;
}

// "k=v" pairs from repeated --property options.
inline Result<std::map<std::string, std::string>> ParseProperties(
    const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> out;
  for (const std::string& p : pairs) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::InvalidArgument("property '{}' must be KEY=VALUE", p);
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

}  // namespace floe::cli
