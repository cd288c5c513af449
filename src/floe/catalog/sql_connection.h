// The database under a SQL catalog (catalog/sql_catalog.cc): SQLite, the
// embedded default, or PostgreSQL, shared by several floe servers. Only what
// the catalog needs: statements with '?' placeholders bound to text values,
// rows back as text, and write transactions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe::catalog {

using SqlRow = std::vector<std::string>;

// Errors: a unique-key violation is kAlreadyExists; a database busy or
// unreachable, or a transaction it rolled back (deadlock, serialization), is
// kUnavailable; a connection lost while a statement that commits was in
// flight (COMMIT, or a write outside a transaction) is kCommitStateUnknown,
// since the database may have applied it; anything else kIOError.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs `sql` with `params` bound to its '?' in order and returns its rows.
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            const std::vector<std::string>& params) = 0;
  // Runs a statement that returns no rows; the number of rows it changed.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<std::string>& params) = 0;
  // Statements between Begin and Commit (or Rollback) apply together.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
};

// A SQLite database file (created when missing), in WAL mode, waiting up to
// 30 s for other processes' locks.
Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path);

// A PostgreSQL server, by libpq connection URI ("postgresql://user@host:port/db")
// or key=value string. libpq is loaded when first needed, so commands that
// never touch PostgreSQL do not pay for loading it and its dependencies.
Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& conninfo);

// Runs `body` inside a transaction: committed when it returns OK, rolled
// back otherwise.
template <typename F>
Status InTransaction(SqlConnection& db, F&& body) {
  FLOE_RETURN_IF_ERROR(db.Begin());
  Status s = body();
  if (!s.ok()) {
    db.Rollback();
    return s;
  }
  return db.Commit();
}

}  // namespace floe::catalog
