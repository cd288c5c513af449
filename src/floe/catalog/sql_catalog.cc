// The SQL catalog: the tables of Iceberg's JDBC catalog (iceberg_tables,
// iceberg_namespace_properties; PyIceberg's SqlCatalog uses them too) in
// SQLite or PostgreSQL. Every change is one statement or one transaction,
// and commits are a compare-and-swap of the metadata location, so several
// processes (floe servers, CLIs, PyIceberg) can share one database.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <tuple>

#include "floe/catalog/catalog.h"
#include "floe/catalog/sql_connection.h"

namespace floe::catalog {
namespace {

constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    " catalog_name VARCHAR(255) NOT NULL,"
    " table_namespace VARCHAR(255) NOT NULL,"
    " table_name VARCHAR(255) NOT NULL,"
    " metadata_location VARCHAR(1000),"
    " previous_metadata_location VARCHAR(1000),"
    " iceberg_type VARCHAR(5),"
    " PRIMARY KEY (catalog_name, table_namespace, table_name))",
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    " catalog_name VARCHAR(255) NOT NULL,"
    " namespace VARCHAR(255) NOT NULL,"
    " property_key VARCHAR(255) NOT NULL,"
    " property_value VARCHAR(1000) NOT NULL,"
    " PRIMARY KEY (catalog_name, namespace, property_key))",
    // floe's own: metrics reports, which the JDBC catalog does not keep.
    "CREATE TABLE IF NOT EXISTS floe_metrics_reports ("
    " catalog_name VARCHAR(255) NOT NULL,"
    " table_namespace VARCHAR(255) NOT NULL,"
    " table_name VARCHAR(255) NOT NULL,"
    " received_ms BIGINT NOT NULL,"
    " report TEXT NOT NULL)",
};

// iceberg_type: 'TABLE' or 'VIEW'; rows of the JDBC catalog's first schema
// version (and PyIceberg's) have none and are tables.
const char* TypeName(Catalog::Kind kind) {
  return kind == Catalog::Kind::kView ? "VIEW" : "TABLE";
}
const char* KindName(Catalog::Kind kind) {
  return kind == Catalog::Kind::kView ? "view" : "table";
}
const char* IsKind(Catalog::Kind kind) {
  return kind == Catalog::Kind::kView ? "iceberg_type = 'VIEW'"
                                      : "(iceberg_type IS NULL OR iceberg_type = 'TABLE')";
}

using ConnectionOpener = std::function<Result<std::unique_ptr<SqlConnection>>()>;

class SqlCatalog final : public Catalog {
 public:
  SqlCatalog(std::unique_ptr<SqlConnection> db, ConnectionOpener open_reader, std::string name)
      : db_(std::move(db)), open_reader_(std::move(open_reader)), name_(std::move(name)) {}

  Status Init() {
    for (const char* statement : kSchema)
      FLOE_RETURN_IF_ERROR(db_->Execute(statement, {}).status());
    return Status::OK();
  }

  Status CreateNamespace(const Namespace& ns, const Properties& properties) override {
    std::lock_guard lock(mutex_);
    FLOE_RETURN_IF_ERROR(CheckNamespace(ns));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (exists) return Status::AlreadyExists("namespace {} already exists", NamespaceToString(ns));
    Properties with_marker = properties;
    with_marker.emplace("exists", "true");  // what PyIceberg and the JDBC catalog record
    Status s = InTransaction(*db_, [&]() -> Status {
      for (const auto& [k, v] : with_marker) {
        FLOE_RETURN_IF_ERROR(
            db_->Execute("INSERT INTO iceberg_namespace_properties VALUES (?, ?, ?, ?)",
                         {name_, NamespaceToString(ns), k, v})
                .status());
      }
      return Status::OK();
    });
    if (s.code() == StatusCode::kAlreadyExists) {  // created concurrently
      return Status::AlreadyExists("namespace {} already exists", NamespaceToString(ns));
    }
    return s;
  }

  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override {
    std::lock_guard lock(mutex_);
    std::set<std::string> names;
    for (const char* sql :
         {"SELECT DISTINCT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?",
          "SELECT DISTINCT table_namespace FROM iceberg_tables WHERE catalog_name = ?"}) {
      FLOE_ASSIGN_OR_RETURN(auto rows, db_->Query(sql, {name_}));
      for (const SqlRow& row : rows) names.insert(row[0]);
    }
    // Children one level below `parent`.
    std::set<std::vector<std::string>> out;
    for (const std::string& n : names) {
      auto ns = ParseNamespace(n);
      if (!ns.ok() || ns->size() <= parent.size() ||
          !std::equal(parent.begin(), parent.end(), ns->begin()))
        continue;
      out.insert(Namespace(ns->begin(), ns->begin() + static_cast<long>(parent.size()) + 1));
    }
    return std::vector<Namespace>(out.begin(), out.end());
  }

  Result<Properties> LoadNamespaceProperties(const Namespace& ns) override {
    std::lock_guard lock(mutex_);
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    FLOE_ASSIGN_OR_RETURN(auto rows,
                          db_->Query("SELECT property_key, property_value FROM "
                                     "iceberg_namespace_properties WHERE catalog_name = ? AND "
                                     "namespace = ?",
                                     {name_, NamespaceToString(ns)}));
    Properties out;
    for (const SqlRow& row : rows) {
      if (row[0] != "exists") out[row[0]] = row[1];
    }
    return out;
  }

  Status UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                   const Properties& updates) override {
    std::lock_guard lock(mutex_);
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    const std::string name = NamespaceToString(ns);
    return InTransaction(*db_, [&]() -> Status {
      for (const std::string& key : removals) {
        if (key == "exists") continue;  // the marker stays
        FLOE_RETURN_IF_ERROR(db_->Execute("DELETE FROM iceberg_namespace_properties WHERE "
                                          "catalog_name = ? AND namespace = ? AND property_key = ?",
                                          {name_, name, key})
                                 .status());
      }
      for (const auto& [key, value] : updates) {
        FLOE_RETURN_IF_ERROR(
            db_->Execute("INSERT INTO iceberg_namespace_properties VALUES (?, ?, ?, ?) ON CONFLICT "
                         "(catalog_name, namespace, property_key) DO UPDATE SET property_value = "
                         "excluded.property_value",
                         {name_, name, key, value})
                .status());
      }
      return Status::OK();
    });
  }

  Status DropNamespace(const Namespace& ns) override {
    std::lock_guard lock(mutex_);
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    FLOE_ASSIGN_OR_RETURN(auto tables, List(ns, Kind::kTable));
    FLOE_ASSIGN_OR_RETURN(auto views, List(ns, Kind::kView));
    if (!tables.empty() || !views.empty()) {
      return Status::Conflict("namespace {} is not empty ({} tables, {} views)",
                              NamespaceToString(ns), tables.size(), views.size());
    }
    return db_
        ->Execute(
            "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?",
            {name_, NamespaceToString(ns)})
        .status();
  }

  Result<std::vector<TableIdentifier>> List(const Namespace& ns, Kind kind) override {
    std::lock_guard lock(mutex_);
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    FLOE_ASSIGN_OR_RETURN(auto rows,
                          db_->Query(fmt::format("SELECT table_name FROM iceberg_tables WHERE "
                                                 "catalog_name = ? AND table_namespace = ? AND {} "
                                                 "ORDER BY table_name",
                                                 IsKind(kind)),
                                     {name_, NamespaceToString(ns)}));
    std::vector<TableIdentifier> out;
    for (const SqlRow& row : rows) out.push_back({ns, row[0]});
    return out;
  }

  Status Create(const TableIdentifier& id, const std::string& metadata_location,
                Kind kind) override {
    std::lock_guard lock(mutex_);
    FLOE_RETURN_IF_ERROR(CheckName(id.name));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(id.ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(id.ns));
    Status st =
        db_->Execute("INSERT INTO iceberg_tables VALUES (?, ?, ?, ?, NULL, ?)",
                     {name_, NamespaceToString(id.ns), id.name, metadata_location, TypeName(kind)})
            .status();
    if (st.code() == StatusCode::kAlreadyExists)
      return Status::AlreadyExists("{} already exists", id.ToString());
    if (st.code() == StatusCode::kCommitStateUnknown) {
      return Resolve(st, {{id, std::string(), metadata_location}}, kind);
    }
    return st;
  }

  // Every table load of a server looks its table up here. When the main
  // connection is busy (a write, or another lookup), the lookup runs on a
  // reader connection of its own instead of queueing: one SELECT, which
  // sees the last committed state, as it would on the main connection. A
  // lone client (the CLI) never opens a reader.
  Result<std::string> Load(const TableIdentifier& id, Kind kind) override {
    {
      std::unique_lock lock(mutex_, std::try_to_lock);
      if (lock.owns_lock()) return LoadWith(*db_, id, kind);
    }
    std::unique_ptr<SqlConnection> reader;
    {
      std::lock_guard lock(readers_mutex_);
      if (!readers_.empty()) {
        reader = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!reader) {
      auto opened = open_reader_();
      if (!opened.ok()) {  // out of connections, say: queue for the main one
        std::lock_guard lock(mutex_);
        return LoadWith(*db_, id, kind);
      }
      reader = *std::move(opened);
    }
    Result<std::string> location = LoadWith(*reader, id, kind);
    if (location.ok() || location.status().code() == StatusCode::kNotFound) {
      std::lock_guard lock(readers_mutex_);
      if (readers_.size() < kMaxIdleReaders) readers_.push_back(std::move(reader));
    }
    return location;
  }

  Status Commit(const TableIdentifier& id, const std::string& expected, const std::string& next,
                Kind kind) override {
    std::lock_guard lock(mutex_);
    Status s = SwapLocation(id, expected, next, kind);
    if (s.code() == StatusCode::kCommitStateUnknown)
      return Resolve(s, {{id, expected, next}}, kind);
    return s;
  }

  Status CommitTables(const std::vector<Swap>& swaps) override {
    std::vector<Swap> ordered = swaps;  // one lock order for every transaction
    std::sort(ordered.begin(), ordered.end(), [](const Swap& a, const Swap& b) {
      return std::tie(a.id.ns, a.id.name) < std::tie(b.id.ns, b.id.name);
    });
    std::lock_guard lock(mutex_);
    Status s = InTransaction(*db_, [&]() -> Status {
      for (const Swap& swap : ordered) {
        FLOE_RETURN_IF_ERROR(
            SwapLocation(swap.id, swap.expected_location, swap.new_location, Kind::kTable));
      }
      return Status::OK();
    });
    if (s.code() == StatusCode::kCommitStateUnknown) return Resolve(s, ordered, Kind::kTable);
    return s;
  }

  Status Drop(const TableIdentifier& id, Kind kind) override {
    std::lock_guard lock(mutex_);
    FLOE_ASSIGN_OR_RETURN(
        int64_t changed,
        db_->Execute(fmt::format("DELETE FROM iceberg_tables WHERE catalog_name = ? AND "
                                 "table_namespace = ? AND table_name = ? AND {}",
                                 IsKind(kind)),
                     {name_, NamespaceToString(id.ns), id.name}));
    if (changed == 0)
      return Status::NotFound("{} {} does not exist", KindName(kind), id.ToString());
    return Status::OK();
  }

  Status Rename(const TableIdentifier& from, const TableIdentifier& to, Kind kind) override {
    std::lock_guard lock(mutex_);
    FLOE_RETURN_IF_ERROR(CheckName(to.name));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(to.ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(to.ns));
    auto changed = db_->Execute(
        fmt::format("UPDATE iceberg_tables SET table_namespace = ?, table_name = ? WHERE "
                    "catalog_name = ? AND table_namespace = ? AND table_name = ? AND {}",
                    IsKind(kind)),
        {NamespaceToString(to.ns), to.name, name_, NamespaceToString(from.ns), from.name});
    if (changed.status().code() == StatusCode::kAlreadyExists)
      return Status::AlreadyExists("{} already exists", to.ToString());
    FLOE_RETURN_IF_ERROR(changed.status());
    if (*changed == 0)
      return Status::NotFound("{} {} does not exist", KindName(kind), from.ToString());
    return Status::OK();
  }

  Status StoreMetricsReport(const TableIdentifier& id, const std::string& report) override {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return db_
        ->Execute("INSERT INTO floe_metrics_reports VALUES (?, ?, ?, ?, ?)",
                  {name_, NamespaceToString(id.ns), id.name, std::to_string(now), report})
        .status();
  }

  Result<std::vector<MetricsReport>> ListMetricsReports(const TableIdentifier& id,
                                                        int64_t limit) override {
    std::lock_guard lock(mutex_);
    FLOE_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT received_ms, report FROM floe_metrics_reports WHERE catalog_name = ? "
                   "AND table_namespace = ? AND table_name = ? ORDER BY received_ms DESC LIMIT ?",
                   {name_, NamespaceToString(id.ns), id.name, std::to_string(limit)}));
    std::vector<MetricsReport> out;
    for (const SqlRow& row : rows) out.push_back({std::stoll(row[0]), row[1]});
    return out;
  }

 private:
  // A namespace exists when it has properties or tables, or when a namespace
  // below it does (as in the JDBC catalog: "a" exists once "a.b" does).
  Result<bool> NamespaceExists(const Namespace& ns) {
    const std::string name = NamespaceToString(ns);
    std::string children;  // LIKE pattern for "name.<anything>"
    for (char c : name) {
      if (c == '%' || c == '_' || c == '\\') children.push_back('\\');
      children.push_back(c);
    }
    children += ".%";
    FLOE_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND "
                   "(namespace = ? OR namespace LIKE ? ESCAPE '\\') UNION ALL SELECT 1 FROM "
                   "iceberg_tables WHERE catalog_name = ? AND (table_namespace = ? OR "
                   "table_namespace LIKE ? ESCAPE '\\') LIMIT 1",
                   {name_, name, children, name_, name, children}));
    return !rows.empty();
  }

  // The compare-and-swap of one entry's metadata location.
  Status SwapLocation(const TableIdentifier& id, const std::string& expected,
                      const std::string& next, Kind kind) {
    FLOE_ASSIGN_OR_RETURN(
        int64_t changed,
        db_->Execute(fmt::format("UPDATE iceberg_tables SET metadata_location = ?, "
                                 "previous_metadata_location = ? WHERE catalog_name = ? AND "
                                 "table_namespace = ? AND table_name = ? AND metadata_location = "
                                 "? AND {}",
                                 IsKind(kind)),
                     {next, expected, name_, NamespaceToString(id.ns), id.name, expected}));
    if (changed == 1) return Status::OK();
    FLOE_ASSIGN_OR_RETURN(std::string current, LoadWith(*db_, id, kind));
    return Status::Conflict("{} {} changed: expected metadata {}, found {}", KindName(kind),
                            id.ToString(), expected, current);
  }

  // After swaps whose outcome is unknown (the connection broke during
  // them): a fresh look. Every entry at its new location: they took effect.
  // Otherwise the outcome stays unknown, even for entries still at their
  // expected location, since a transaction whose connection broke can still
  // finish in the database after this look.
  Status Resolve(const Status& unknown, const std::vector<Swap>& swaps, Kind kind) {
    for (const Swap& swap : swaps) {
      auto current = LoadWith(*db_, swap.id, kind);
      if (!current.ok() || *current != swap.new_location) {
        return unknown.WithContext(fmt::format("{} {} may or may not point at {}", KindName(kind),
                                               swap.id.ToString(), swap.new_location));
      }
    }
    return Status::OK();
  }

  Result<std::string> LoadWith(SqlConnection& db, const TableIdentifier& id, Kind kind) {
    FLOE_ASSIGN_OR_RETURN(auto rows,
                          db.Query(fmt::format("SELECT metadata_location FROM iceberg_tables WHERE "
                                               "catalog_name = ? AND table_namespace = ? AND "
                                               "table_name = ? AND {}",
                                               IsKind(kind)),
                                   {name_, NamespaceToString(id.ns), id.name}));
    if (rows.empty())
      return Status::NotFound("{} {} does not exist", KindName(kind), id.ToString());
    return rows[0][0];
  }

  static constexpr size_t kMaxIdleReaders = 16;

  // One connection, shared by a server's request threads: a call (and a
  // transaction) at a time. Recursive: methods build on one another.
  std::recursive_mutex mutex_;
  std::unique_ptr<SqlConnection> db_;
  // Idle reader connections for Load, opened when first needed.
  const ConnectionOpener open_reader_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqlConnection>> readers_;
  std::string name_;
};

Result<std::unique_ptr<Catalog>> OpenSqlCatalog(const ConnectionOpener& open,
                                                const std::string& where,
                                                const std::string& catalog_name) {
  auto db = open();
  if (!db.ok()) return db.status().WithContext("catalog " + where);
  auto catalog = std::make_unique<SqlCatalog>(*std::move(db), open, catalog_name);
  Status s = catalog->Init();
  if (!s.ok()) return s.WithContext("catalog " + where);
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace

Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path,
                                                   const std::string& catalog_name) {
  return OpenSqlCatalog([path] { return OpenSqliteConnection(path); }, path, catalog_name);
}

Result<std::unique_ptr<Catalog>> OpenPostgresCatalog(const std::string& conninfo,
                                                     const std::string& catalog_name) {
  return OpenSqlCatalog([conninfo] { return OpenPostgresConnection(conninfo); }, "database",
                        catalog_name);
}

}  // namespace floe::catalog
