// SqlConnection over PostgreSQL through libpq, loaded with dlopen on first
// use: linking it would make every floe command load libpq's dependencies
// (OpenSSL, Kerberos, LDAP: about 3 ms of process start here) whether or
// not it uses PostgreSQL.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <mutex>

#include "floe/catalog/sql_connection.h"

namespace floe::catalog {
namespace {

// The libpq functions floe calls, resolved from libpq.so.5.
struct LibPq {
  decltype(&PQconnectdb) connectdb;
  decltype(&PQstatus) status;
  decltype(&PQerrorMessage) error_message;
  decltype(&PQfinish) finish;
  decltype(&PQreset) reset;
  decltype(&PQexecParams) exec_params;
  decltype(&PQresultStatus) result_status;
  decltype(&PQresultErrorField) result_error_field;
  decltype(&PQresultErrorMessage) result_error_message;
  decltype(&PQntuples) ntuples;
  decltype(&PQnfields) nfields;
  decltype(&PQgetvalue) getvalue;
  decltype(&PQcmdTuples) cmd_tuples;
  decltype(&PQclear) clear;
};

Result<const LibPq*> LoadLibPq() {
  static std::once_flag once;
  static LibPq api;
  static Status loaded;
  std::call_once(once, [] {
    void* lib = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      loaded = Status::Unavailable("PostgreSQL catalogs need libpq (libpq.so.5): {}", ::dlerror());
      return;
    }
    auto bind = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
      if (fn == nullptr && loaded.ok()) loaded = Status::Unavailable("libpq lacks {}", name);
    };
    bind(api.connectdb, "PQconnectdb");
    bind(api.status, "PQstatus");
    bind(api.error_message, "PQerrorMessage");
    bind(api.finish, "PQfinish");
    bind(api.reset, "PQreset");
    bind(api.exec_params, "PQexecParams");
    bind(api.result_status, "PQresultStatus");
    bind(api.result_error_field, "PQresultErrorField");
    bind(api.result_error_message, "PQresultErrorMessage");
    bind(api.ntuples, "PQntuples");
    bind(api.nfields, "PQnfields");
    bind(api.getvalue, "PQgetvalue");
    bind(api.cmd_tuples, "PQcmdTuples");
    bind(api.clear, "PQclear");
  });
  if (!loaded.ok()) return loaded;
  return &api;
}

// '?' placeholders as PostgreSQL's $1, $2, ... (outside quoted literals).
std::string Numbered(std::string_view sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out.push_back('$');
      out += std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// libpq's message on one line (its lines joined by "; ").
std::string Trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (size_t at = s.find('\n'); at != std::string::npos; at = s.find('\n', at)) {
    s.replace(at, 1, "; ");
    while (at + 2 < s.size() && s[at + 2] == '\t') s.erase(at + 2, 1);
  }
  return s;
}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(const LibPq* pq, PGconn* conn) : pq_(pq), conn_(conn) {}
  ~PostgresConnection() override { pq_->finish(conn_); }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<std::string>& params) override {
    std::vector<SqlRow> rows;
    FLOE_RETURN_IF_ERROR(Run(sql, params, &rows, nullptr, /*commits=*/false));
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<std::string>& params) override {
    int64_t changed = 0;
    FLOE_RETURN_IF_ERROR(Run(sql, params, nullptr, &changed, /*commits=*/!in_transaction_));
    return changed;
  }

  Status Begin() override {
    FLOE_RETURN_IF_ERROR(Run("BEGIN", {}, nullptr, nullptr, false));
    in_transaction_ = true;
    return Status::OK();
  }
  Status Commit() override {
    in_transaction_ = false;
    return Run("COMMIT", {}, nullptr, nullptr, true);
  }
  void Rollback() override {
    in_transaction_ = false;
    (void)Run("ROLLBACK", {}, nullptr, nullptr, false);
  }

 private:
  // `commits`: the statement commits when it succeeds (COMMIT, or a write
  // outside a transaction), so a connection lost while it ran leaves its
  // outcome unknown.
  Status Run(std::string_view sql, const std::vector<std::string>& params,
             std::vector<SqlRow>* rows, int64_t* changed, bool commits) {
    // A connection the server dropped is re-established, once, unless a
    // transaction was open on it (its statements are gone with it).
    if (pq_->status(conn_) != CONNECTION_OK && !in_transaction_) {
      pq_->reset(conn_);
      if (pq_->status(conn_) != CONNECTION_OK) {  // nothing was sent
        return Status::Unavailable("catalog database: {}", Trimmed(pq_->error_message(conn_)));
      }
    }
    auto lost = [&](const std::string& message) {
      if (commits) {
        return Status::CommitStateUnknown(
            "catalog database: the connection broke while a commit was in flight: {}", message);
      }
      return Status::Unavailable("catalog database: {}", message);
    };
    const std::string text = Numbered(sql);
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    PGresult* result = pq_->exec_params(conn_, text.c_str(), static_cast<int>(values.size()),
                                        nullptr, values.data(), nullptr, nullptr, 0);
    if (result == nullptr) return lost(Trimmed(pq_->error_message(conn_)));
    const ExecStatusType st = pq_->result_status(result);
    Status s;
    if (st == PGRES_TUPLES_OK && rows != nullptr) {
      for (int r = 0; r < pq_->ntuples(result); ++r) {
        SqlRow row;
        for (int c = 0; c < pq_->nfields(result); ++c)
          row.emplace_back(pq_->getvalue(result, r, c));
        rows->push_back(std::move(row));
      }
    } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      if (changed != nullptr) {
        const char* n = pq_->cmd_tuples(result);
        *changed = n != nullptr && *n != '\0' ? std::stoll(n) : 0;
      }
    } else {
      const char* state = pq_->result_error_field(result, PG_DIAG_SQLSTATE);
      const std::string code = state != nullptr ? state : "";
      const std::string message = Trimmed(pq_->result_error_message(result));
      if (code == "23505") {
        s = Status::AlreadyExists("{}", message);  // unique_violation
      } else if (pq_->status(conn_) != CONNECTION_OK || code.starts_with("08") ||
                 code.starts_with("57P")) {
        s = lost(message);  // connection failure, server shut down or crashed
      } else if (code == "40001" || code == "40P01") {  // rolled back: nothing applied
        s = Status::Unavailable("catalog database: {}", message);
      } else {
        s = Status::IOError("catalog database: {}", message);
      }
    }
    pq_->clear(result);
    return s;
  }

  const LibPq* pq_;
  PGconn* conn_;
  bool in_transaction_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& conninfo) {
  FLOE_ASSIGN_OR_RETURN(const LibPq* pq, LoadLibPq());
  PGconn* conn = pq->connectdb(conninfo.c_str());
  if (conn == nullptr) return Status::Unavailable("catalog database: out of memory");
  if (pq->status(conn) != CONNECTION_OK) {
    Status s = Status::Unavailable("PostgreSQL: {}", Trimmed(pq->error_message(conn)));
    pq->finish(conn);
    return s;
  }
  return std::unique_ptr<SqlConnection>(std::make_unique<PostgresConnection>(pq, conn));
}

}  // namespace floe::catalog
