// SqlConnection over SQLite.
#include <sqlite3.h>

#include "floe/catalog/sql_connection.h"

namespace floe::catalog {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<std::string>& params) override {
    std::vector<SqlRow> rows;
    FLOE_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<std::string>& params) override {
    FLOE_RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes(db_.get()));
  }

  // IMMEDIATE: the write lock up front, so two writers never deadlock on
  // upgrading read locks (the busy timeout then orders them).
  Status Begin() override { return Run("BEGIN IMMEDIATE", {}, nullptr); }
  Status Commit() override { return Run("COMMIT", {}, nullptr); }
  void Rollback() override { (void)Run("ROLLBACK", {}, nullptr); }

  Status Run(std::string_view sql, const std::vector<std::string>& params,
             std::vector<SqlRow>* rows) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
      return Status::IOError("catalog: {}", sqlite3_errmsg(db_.get()));
    }
    std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt(raw);
    for (size_t i = 0; i < params.size(); ++i) {
      sqlite3_bind_text(raw, static_cast<int>(i + 1), params[i].data(),
                        static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
    }
    while (true) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) return Status::OK();
      if (rc == SQLITE_ROW) {
        if (rows == nullptr) continue;
        SqlRow row;
        for (int c = 0; c < sqlite3_column_count(raw); ++c) {
          const auto* text = sqlite3_column_text(raw, c);
          row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
        }
        rows->push_back(std::move(row));
        continue;
      }
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return Status::Unavailable("catalog is busy: {}", sqlite3_errmsg(db_.get()));
      if (rc == SQLITE_CONSTRAINT) return Status::AlreadyExists("{}", sqlite3_errmsg(db_.get()));
      return Status::IOError("catalog: {}", sqlite3_errmsg(db_.get()));
    }
  }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::IOError("catalog {}: {}", path, db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close_v2(db);
    return s;
  }
  auto connection = std::make_unique<SqliteConnection>(db);
  // Other floe processes (and PyIceberg) share the file: wait for their locks.
  sqlite3_busy_timeout(db, 30'000);
  FLOE_RETURN_IF_ERROR(connection->Run("PRAGMA journal_mode=WAL", {}, nullptr));
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

}  // namespace floe::catalog
