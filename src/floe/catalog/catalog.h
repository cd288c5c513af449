// The catalog: which tables exist and where each table's current metadata
// file is. Commits are a compare-and-swap of that location, so concurrent
// writers cannot lose each other's snapshots (the loser gets kConflict,
// re-applies its change on the new metadata and tries again).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/iceberg/table_metadata.h"
#include "floe/util/status.h"

namespace floe::catalog {

using Namespace = std::vector<std::string>;  // {"edc"} or nested {"trials", "edc"}
using Properties = std::map<std::string, std::string>;

// "edc.audit_events" or "trials.edc.audit_events": namespace levels, then the name.
struct TableIdentifier {
  Namespace ns;
  std::string name;

  static Result<TableIdentifier> Parse(std::string_view text);
  std::string ToString() const;
  bool operator==(const TableIdentifier&) const = default;
};

Result<Namespace> ParseNamespace(std::string_view text);

// Names of namespace levels, tables and views become directory names and
// rows of the catalog database: kInvalidArgument, saying why, unless the
// name is valid UTF-8 of 1 to 255 bytes without '/', '\\' or NUL and is not
// "." or "..". A namespace has at least one level and at most 255 bytes
// joined (the JDBC catalog's column width).
Status CheckName(std::string_view name);
Status CheckNamespace(const Namespace& ns);
Status CheckIdentifier(const TableIdentifier& id);
std::string NamespaceToString(const Namespace& ns);

// Where a new table goes when its creator names no location:
// <warehouse>/<namespace>.db/<name> (levels of nested namespaces joined by dots),
// that is, in its namespace's location.
std::string NamespaceLocation(const std::string& warehouse, const Namespace& ns);
std::string DefaultTableLocation(const std::string& warehouse, const TableIdentifier& id);

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Where the files of this catalog's tables are read and written: the
  // local filesystem unless UseFileIO chose another (a fault-injecting one
  // in tests). REQUIRES of UseFileIO: `io` outlives the catalog, and no
  // operation is running.
  FileIO& io() const { return *io_; }
  void UseFileIO(FileIO& io) { io_ = &io; }

  virtual Status CreateNamespace(const Namespace& ns, const Properties& properties) = 0;
  // Namespaces directly under `parent` (all top-level ones for an empty parent).
  virtual Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) = 0;
  virtual Result<Properties> LoadNamespaceProperties(const Namespace& ns) = 0;
  // Removes `removals` and sets `updates` in one transaction.
  virtual Status UpdateNamespaceProperties(const Namespace& ns,
                                           const std::vector<std::string>& removals,
                                           const Properties& updates) = 0;
  // REQUIRES: the namespace holds no tables (else kConflict).
  virtual Status DropNamespace(const Namespace& ns) = 0;

  // Tables and views share one name space per namespace (a view cannot take
  // a table's name); each call is about one kind of entry.
  enum class Kind { kTable, kView };

  virtual Result<std::vector<TableIdentifier>> List(const Namespace& ns, Kind kind) = 0;
  // Records an entry whose metadata file already exists (create and
  // register); kAlreadyExists when the name is taken by either kind.
  virtual Status Create(const TableIdentifier& id, const std::string& metadata_location,
                        Kind kind) = 0;
  // The current metadata location.
  virtual Result<std::string> Load(const TableIdentifier& id, Kind kind) = 0;
  // Points the entry at `new_location` if it is still at `expected_location`;
  // kConflict when another commit got there first. kCommitStateUnknown when
  // the outcome cannot be told (the database connection broke during the
  // swap and a fresh look did not find new_location): the entry may point
  // at new_location now or later, so its file must stay. Any other error
  // means the entry did not move.
  virtual Status Commit(const TableIdentifier& id, const std::string& expected_location,
                        const std::string& new_location, Kind kind) = 0;
  // Several tables' compare-and-swaps in one transaction: all move, or none
  // does (kConflict naming the first table that had moved on;
  // kCommitStateUnknown as for Commit). Rows are locked in identifier order,
  // whatever the order of `swaps`, so that two transactions over the same
  // tables cannot deadlock.
  struct Swap {
    TableIdentifier id;
    std::string expected_location, new_location;
  };
  virtual Status CommitTables(const std::vector<Swap>& swaps) = 0;
  // Forgets the entry (its files stay; purging is the caller's business).
  virtual Status Drop(const TableIdentifier& id, Kind kind) = 0;
  virtual Status Rename(const TableIdentifier& from, const TableIdentifier& to, Kind kind) = 0;

  // Metrics reports clients send about a table (the REST API's scan and
  // commit reports, as JSON text), kept for operators to list: newest first,
  // at most `limit`.
  struct MetricsReport {
    int64_t received_ms = 0;
    std::string report;
  };
  virtual Status StoreMetricsReport(const TableIdentifier& id, const std::string& report) = 0;
  virtual Result<std::vector<MetricsReport>> ListMetricsReports(const TableIdentifier& id,
                                                                int64_t limit) = 0;

  // Commits `next`, the metadata a change made of `base` (the table's
  // metadata at `base_location`), unless the table has moved on (kConflict).
  // Returns the new metadata location. Catalogs that keep a pointer (the SQL
  // ones) write next's metadata file and swap the pointer; the REST client
  // sends the server the changes from base to next and the server writes it.
  virtual Result<std::string> CommitMetadata(const TableIdentifier& id,
                                             const std::string& base_location,
                                             const iceberg::TableMetadata& base,
                                             const iceberg::TableMetadata& next);
  // Creates a table from a new table's metadata and returns its metadata
  // location: a pointer catalog writes the first metadata file under
  // metadata.location; the REST client asks its server, which chooses where.
  virtual Result<std::string> CreateTableFrom(const TableIdentifier& id,
                                              const iceberg::TableMetadata& metadata);

  // Tables, the common case.
  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) {
    return List(ns, Kind::kTable);
  }
  Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) {
    return Create(id, metadata_location, Kind::kTable);
  }
  Result<std::string> LoadTable(const TableIdentifier& id) { return Load(id, Kind::kTable); }
  Status CommitTable(const TableIdentifier& id, const std::string& expected_location,
                     const std::string& new_location) {
    return Commit(id, expected_location, new_location, Kind::kTable);
  }
  Status DropTable(const TableIdentifier& id) { return Drop(id, Kind::kTable); }
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
    return Rename(from, to, Kind::kTable);
  }

 private:
  FileIO* io_ = &LocalFileIO();
};

// Whether a failed commit certainly changed nothing, so that the files it
// wrote for the new state may be deleted: a conflict, a refusal, a service
// that did not take the request. kCommitStateUnknown and the errors of the
// storage or of floe itself (kIOError, kCorruption, kInternal) might have
// come after the change took effect.
bool CommitCertainlyFailed(const Status& status);

// The embedded catalog: one SQLite file (WAL mode), in the same tables the
// Iceberg JDBC catalog and PyIceberg's SqlCatalog use (iceberg_tables,
// iceberg_namespace_properties), so those can open floe's catalog too.
Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path,
                                                   const std::string& catalog_name = "floe");
// A floe server (or any Iceberg REST catalog) at `uri` ("http://HOST:PORT"
// with an optional prefix path), as a client. Commits send the changes
// between two metadata versions as the REST API's requirements and updates.
Result<std::unique_ptr<Catalog>> OpenRestCatalog(const std::string& uri);

// The same tables in a PostgreSQL database (libpq connection URI or
// key=value string), which several floe servers can share.
Result<std::unique_ptr<Catalog>> OpenPostgresCatalog(const std::string& conninfo,
                                                     const std::string& catalog_name = "floe");

}  // namespace floe::catalog
