// The embedded SQLite catalog.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "floe/catalog/catalog.h"

namespace floe::catalog {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name));
CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255) NOT NULL,
  property_value VARCHAR(1000) NOT NULL,
  PRIMARY KEY (catalog_name, namespace, property_key));
)sql";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// One prepared statement: bind with Bind(...), then Step() row by row.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  template <typename... Args>
  Statement& Bind(const Args&... args) {
    int i = 0;
    (BindOne(++i, args), ...);
    return *this;
  }
  // True for a row, false at the end.
  Result<bool> Step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
      return Status::Unavailable("catalog is busy: {}", sqlite3_errmsg(db_));
    if (rc == SQLITE_CONSTRAINT) return Status::AlreadyExists("{}", sqlite3_errmsg(db_));
    return Status::IOError("catalog: {}", sqlite3_errmsg(db_));
  }
  Status Run() {
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool row, Step());
      if (!row) return Status::OK();
    }
  }
  std::string Text(int column) const {
    const auto* t = sqlite3_column_text(stmt_.get(), column);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  }

 private:
  void BindOne(int i, const std::string& v) {
    sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindOne(int i, const char* v) { sqlite3_bind_text(stmt_.get(), i, v, -1, SQLITE_TRANSIENT); }

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class SqliteCatalog final : public Catalog {
 public:
  SqliteCatalog(sqlite3* db, std::string name) : db_(db), name_(std::move(name)) {}

  Status Init() {
    FLOE_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
    FLOE_RETURN_IF_ERROR(Exec(kSchema));
    return Status::OK();
  }

  Status CreateNamespace(const Namespace& ns, const Properties& properties) override {
    FLOE_RETURN_IF_ERROR(CheckNamespace(ns));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (exists) return Status::AlreadyExists("namespace {} already exists", NamespaceToString(ns));
    Properties with_marker = properties;
    with_marker.emplace("exists", "true");  // what PyIceberg and the JDBC catalog record
    FLOE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    for (const auto& [k, v] : with_marker) {
      FLOE_ASSIGN_OR_RETURN(
          Statement s, Prepare("INSERT INTO iceberg_namespace_properties VALUES (?, ?, ?, ?)"));
      Status st = s.Bind(name_, NamespaceToString(ns), k, v).Run();
      if (!st.ok()) {
        (void)Exec("ROLLBACK");
        return st;
      }
    }
    return Exec("COMMIT");
  }

  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override {
    std::set<std::string> names;
    for (const char* sql :
         {"SELECT DISTINCT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?",
          "SELECT DISTINCT table_namespace FROM iceberg_tables WHERE catalog_name = ?"}) {
      FLOE_ASSIGN_OR_RETURN(Statement s, Prepare(sql));
      s.Bind(name_);
      while (true) {
        FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        names.insert(s.Text(0));
      }
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
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    FLOE_ASSIGN_OR_RETURN(
        Statement s,
        Prepare("SELECT property_key, property_value FROM iceberg_namespace_properties "
                "WHERE catalog_name = ? AND namespace = ?"));
    s.Bind(name_, NamespaceToString(ns));
    Properties out;
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (s.Text(0) != "exists") out[s.Text(0)] = s.Text(1);
    }
    return out;
  }

  Status UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                   const Properties& updates) override {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    FLOE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto apply = [&]() -> Status {
      for (const std::string& key : removals) {
        if (key == "exists") continue;  // the marker stays
        FLOE_ASSIGN_OR_RETURN(Statement s,
                              Prepare("DELETE FROM iceberg_namespace_properties WHERE "
                                      "catalog_name = ? AND namespace = ? AND property_key = ?"));
        FLOE_RETURN_IF_ERROR(s.Bind(name_, NamespaceToString(ns), key).Run());
      }
      for (const auto& [key, value] : updates) {
        FLOE_ASSIGN_OR_RETURN(Statement s,
                              Prepare("INSERT OR REPLACE INTO iceberg_namespace_properties "
                                      "VALUES (?, ?, ?, ?)"));
        FLOE_RETURN_IF_ERROR(s.Bind(name_, NamespaceToString(ns), key, value).Run());
      }
      return Status::OK();
    };
    Status st = apply();
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    return Exec("COMMIT");
  }

  Status DropNamespace(const Namespace& ns) override {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    FLOE_ASSIGN_OR_RETURN(auto tables, List(ns, Kind::kTable));
    FLOE_ASSIGN_OR_RETURN(auto views, List(ns, Kind::kView));
    if (!tables.empty() || !views.empty()) {
      return Status::Conflict("namespace {} is not empty ({} tables, {} views)",
                              NamespaceToString(ns), tables.size(), views.size());
    }
    FLOE_ASSIGN_OR_RETURN(
        Statement s,
        Prepare(
            "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?"));
    return s.Bind(name_, NamespaceToString(ns)).Run();
  }

  Result<std::vector<TableIdentifier>> List(const Namespace& ns, Kind kind) override {
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(ns));
    const std::string sql = fmt::format(
        "SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? "
        "AND {} ORDER BY table_name",
        IsKind(kind));
    FLOE_ASSIGN_OR_RETURN(Statement s, Prepare(sql.c_str()));
    s.Bind(name_, NamespaceToString(ns));
    std::vector<TableIdentifier> out;
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back({ns, s.Text(0)});
    }
    return out;
  }

  Status Create(const TableIdentifier& id, const std::string& metadata_location,
                Kind kind) override {
    FLOE_RETURN_IF_ERROR(CheckName(id.name));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(id.ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(id.ns));
    FLOE_ASSIGN_OR_RETURN(Statement s,
                          Prepare("INSERT INTO iceberg_tables VALUES (?, ?, ?, ?, NULL, ?)"));
    Status st =
        s.Bind(name_, NamespaceToString(id.ns), id.name, metadata_location, TypeName(kind)).Run();
    if (st.code() == StatusCode::kAlreadyExists)
      return Status::AlreadyExists("{} already exists", id.ToString());
    return st;
  }

  Result<std::string> Load(const TableIdentifier& id, Kind kind) override {
    const std::string sql = fmt::format(
        "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND "
        "table_namespace = ? AND table_name = ? AND {}",
        IsKind(kind));
    FLOE_ASSIGN_OR_RETURN(Statement s, Prepare(sql.c_str()));
    s.Bind(name_, NamespaceToString(id.ns), id.name);
    FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("{} {} does not exist", KindName(kind), id.ToString());
    return s.Text(0);
  }

  Status Commit(const TableIdentifier& id, const std::string& expected, const std::string& next,
                Kind kind) override {
    const std::string sql = fmt::format(
        "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? WHERE "
        "catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ? "
        "AND {}",
        IsKind(kind));
    FLOE_ASSIGN_OR_RETURN(Statement s, Prepare(sql.c_str()));
    FLOE_RETURN_IF_ERROR(
        s.Bind(next, expected, name_, NamespaceToString(id.ns), id.name, expected).Run());
    if (sqlite3_changes(db_.get()) == 1) return Status::OK();
    FLOE_ASSIGN_OR_RETURN(std::string current, Load(id, kind));
    return Status::Conflict("{} {} changed: expected metadata {}, found {}", KindName(kind),
                            id.ToString(), expected, current);
  }

  Status CommitTables(const std::vector<Swap>& swaps) override {
    FLOE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    for (const Swap& swap : swaps) {
      Status st = Commit(swap.id, swap.expected_location, swap.new_location, Kind::kTable);
      if (!st.ok()) {
        (void)Exec("ROLLBACK");
        return st;
      }
    }
    return Exec("COMMIT");
  }

  Status Drop(const TableIdentifier& id, Kind kind) override {
    const std::string sql = fmt::format(
        "DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND "
        "table_name = ? AND {}",
        IsKind(kind));
    FLOE_ASSIGN_OR_RETURN(Statement s, Prepare(sql.c_str()));
    FLOE_RETURN_IF_ERROR(s.Bind(name_, NamespaceToString(id.ns), id.name).Run());
    if (sqlite3_changes(db_.get()) == 0)
      return Status::NotFound("{} {} does not exist", KindName(kind), id.ToString());
    return Status::OK();
  }

  Status Rename(const TableIdentifier& from, const TableIdentifier& to, Kind kind) override {
    FLOE_RETURN_IF_ERROR(CheckName(to.name));
    FLOE_ASSIGN_OR_RETURN(bool exists, NamespaceExists(to.ns));
    if (!exists) return Status::NotFound("namespace {} does not exist", NamespaceToString(to.ns));
    const std::string sql = fmt::format(
        "UPDATE iceberg_tables SET table_namespace = ?, table_name = ? WHERE catalog_name = ? "
        "AND table_namespace = ? AND table_name = ? AND {}",
        IsKind(kind));
    FLOE_ASSIGN_OR_RETURN(Statement s, Prepare(sql.c_str()));
    Status st =
        s.Bind(NamespaceToString(to.ns), to.name, name_, NamespaceToString(from.ns), from.name)
            .Run();
    if (st.code() == StatusCode::kAlreadyExists)
      return Status::AlreadyExists("{} already exists", to.ToString());
    FLOE_RETURN_IF_ERROR(st);
    if (sqlite3_changes(db_.get()) == 0)
      return Status::NotFound("{} {} does not exist", KindName(kind), from.ToString());
    return Status::OK();
  }

 private:
  Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &error) != SQLITE_OK) {
      Status s = Status::IOError("catalog: {}", error ? error : "unknown error");
      sqlite3_free(error);
      return s;
    }
    return Status::OK();
  }

  Result<Statement> Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::IOError("catalog: {}", sqlite3_errmsg(db_.get()));
    }
    return Statement(db_.get(), stmt);
  }

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
        Statement s,
        Prepare("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND "
                "(namespace = ?2 OR namespace LIKE ?3 ESCAPE '\\') UNION ALL SELECT 1 FROM "
                "iceberg_tables WHERE catalog_name = ?1 AND (table_namespace = ?2 OR "
                "table_namespace LIKE ?3 ESCAPE '\\') LIMIT 1"));
    s.Bind(name_, name, children);
    return s.Step();
  }

  // iceberg_type: 'TABLE' or 'VIEW'; rows of the JDBC catalog's first
  // schema version (and PyIceberg's) have none and are tables.
  static const char* TypeName(Kind kind) { return kind == Kind::kView ? "VIEW" : "TABLE"; }
  static const char* KindName(Kind kind) { return kind == Kind::kView ? "view" : "table"; }
  static const char* IsKind(Kind kind) {
    return kind == Kind::kView ? "iceberg_type = 'VIEW'"
                               : "(iceberg_type IS NULL OR iceberg_type = 'TABLE')";
  }

  static Status CheckName(const std::string& name) {
    if (name.empty() || name.find_first_of("/\\\0", 0, 3) != std::string::npos || name == "." ||
        name == "..") {
      return Status::InvalidArgument("invalid name '{}'", name);
    }
    return Status::OK();
  }

  static Status CheckNamespace(const Namespace& ns) {
    if (ns.empty()) return Status::InvalidArgument("empty namespace");
    for (const std::string& level : ns) FLOE_RETURN_IF_ERROR(CheckName(level));
    return Status::OK();
  }

  std::unique_ptr<sqlite3, DbCloser> db_;
  std::string name_;
};

}  // namespace

Result<Namespace> ParseNamespace(std::string_view text) {
  Namespace ns;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t dot = text.find('.', start);
    const std::string_view level =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (level.empty()) return Status::InvalidArgument("invalid namespace '{}'", text);
    ns.emplace_back(level);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return ns;
}

std::string NamespaceToString(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) out += (i ? "." : "") + ns[i];
  return out;
}

std::string DefaultTableLocation(const std::string& warehouse, const TableIdentifier& id) {
  return fmt::format("{}/{}.db/{}", warehouse, NamespaceToString(id.ns), id.name);
}

Result<TableIdentifier> TableIdentifier::Parse(std::string_view text) {
  const size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == text.size()) {
    return Status::InvalidArgument("table '{}' must be NAMESPACE.NAME", text);
  }
  FLOE_ASSIGN_OR_RETURN(Namespace ns, ParseNamespace(text.substr(0, dot)));
  return TableIdentifier{std::move(ns), std::string(text.substr(dot + 1))};
}

std::string TableIdentifier::ToString() const {
  return NamespaceToString(ns) + "." + name;
}

Result<std::unique_ptr<Catalog>> OpenSqliteCatalog(const std::string& path,
                                                   const std::string& catalog_name) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::IOError("catalog {}: {}", path, db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close_v2(db);
    return s;
  }
  // Other floe processes (and PyIceberg) share the file: wait for their locks.
  sqlite3_busy_timeout(db, 30'000);
  auto catalog = std::make_unique<SqliteCatalog>(db, catalog_name);
  Status s = catalog->Init();
  if (!s.ok()) return s.WithContext("catalog " + path);
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace floe::catalog
