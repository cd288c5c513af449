// `floe bench catalog-load` and `floe bench catalog-commit`: a REST catalog
// load generator in C++, so bench/catalog measures the servers (floe's and
// Java's reference) and not Python clients competing with them for the
// cores. Each client is a thread with one kept-alive connection; the result
// is one JSON object on stdout.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "floe/cli/command.h"
#include "floe/io/http_client.h"

namespace floe::cli {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

struct CatalogBench {
  std::string uri;
  std::string table_path = "/v1/namespaces/bench/tables/t";
  int clients = 16;
  int requests = 200;  // per client: loads, or commits that land
};

// Runs `body(client)` on `clients` threads; the first error wins.
template <typename F>
Status OnThreads(int clients, F&& body) {
  std::vector<std::thread> threads;
  std::vector<Status> status(static_cast<size_t>(clients));
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] { status[static_cast<size_t>(c)] = body(c); });
  }
  for (std::thread& t : threads) t.join();
  for (Status& s : status) FLOE_RETURN_IF_ERROR(s);
  return Status::OK();
}

Status RunLoad(const CatalogBench& o) {
  std::vector<std::vector<double>> latencies(static_cast<size_t>(o.clients));
  const auto start = Clock::now();
  FLOE_RETURN_IF_ERROR(OnThreads(o.clients, [&](int c) -> Status {
    FLOE_ASSIGN_OR_RETURN(auto http, HttpClient::Make(o.uri));
    FLOE_RETURN_IF_ERROR(http->Send("GET", o.table_path).status());  // connect, warm up
    auto& mine = latencies[static_cast<size_t>(c)];
    for (int i = 0; i < o.requests; ++i) {
      const auto t0 = Clock::now();
      FLOE_ASSIGN_OR_RETURN(HttpResult r, http->Send("GET", o.table_path));
      mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (r.status != 200) return Status::IOError("load answered {}: {}", r.status, r.body);
    }
    return Status::OK();
  }));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& part : latencies) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double q) {
    return all[std::min(all.size() - 1, static_cast<size_t>(q * all.size()))];
  };
  std::printf("%s\n", Json{{"loads", all.size()},
                           {"seconds", seconds},
                           {"p50_ms", pct(0.50)},
                           {"p99_ms", pct(0.99)},
                           {"max_ms", all.back()}}
                          .dump()
                          .c_str());
  return Status::OK();
}

Status RunCommit(const CatalogBench& o) {
  std::atomic<int64_t> conflicts = 0;
  const auto start = Clock::now();
  FLOE_RETURN_IF_ERROR(OnThreads(o.clients, [&](int c) -> Status {
    FLOE_ASSIGN_OR_RETURN(auto http, HttpClient::Make(o.uri));
    std::mt19937_64 random(static_cast<uint64_t>(c) * 7919 + 17);
    for (int landed = 0; landed < o.requests;) {
      FLOE_ASSIGN_OR_RETURN(HttpResult r, http->Send("GET", o.table_path + "?snapshots=refs"));
      if (r.status != 200) return Status::IOError("load answered {}: {}", r.status, r.body);
      const Json m = Json::parse(r.body)["metadata"];
      const Json parent = m.contains("current-snapshot-id") &&
                                  m["current-snapshot-id"].is_number() &&
                                  m["current-snapshot-id"].get<int64_t>() != -1
                              ? m["current-snapshot-id"]
                              : Json(nullptr);
      const auto id = static_cast<int64_t>(random() >> 2);
      Json snapshot = {
          {"snapshot-id", id},
          {"sequence-number", m["last-sequence-number"].get<int64_t>() + 1},
          {"timestamp-ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()},
          {"schema-id", 0},
          {"manifest-list",
           fmt::format("{}/metadata/snap-{}.avro", m["location"].get<std::string>(), id)},
          {"summary",
           {{"operation", "append"}, {"added-data-files", "1"}, {"added-records", "1"}}}};
      if (!parent.is_null()) snapshot["parent-snapshot-id"] = parent;
      const Json commit = {
          {"requirements",
           {{{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", parent}}}},
          {"updates",
           {{{"action", "add-snapshot"}, {"snapshot", snapshot}},
            {{"action", "set-snapshot-ref"},
             {"ref-name", "main"},
             {"type", "branch"},
             {"snapshot-id", id}}}}};
      FLOE_ASSIGN_OR_RETURN(HttpResult answer, http->Send("POST", o.table_path, commit.dump()));
      if (answer.status == 200) {
        ++landed;
      } else if (answer.status == 409) {
        ++conflicts;
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 2000));
      } else {
        return Status::IOError("commit answered {}: {}", answer.status, answer.body);
      }
    }
    return Status::OK();
  }));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const int64_t commits = int64_t{o.clients} * o.requests;
  std::printf("%s\n", Json{{"commits", commits},
                           {"seconds", seconds},
                           {"commits_per_second", static_cast<double>(commits) / seconds},
                           {"conflicts", conflicts.load()}}
                          .dump()
                          .c_str());
  return Status::OK();
}

}  // namespace

void AddCatalogBenchCommands(CLI::App* bench) {
  for (const bool commit : {false, true}) {
    auto o = std::make_shared<CatalogBench>();
    CLI::App* cmd = bench->add_subcommand(
        commit ? "catalog-commit" : "catalog-load",
        commit ? "Fast-append commits from concurrent clients to a REST catalog table"
               : "Table loads from concurrent clients against a REST catalog");
    cmd->add_option("URI", o->uri, "http://HOST:PORT")->required();
    cmd->add_option("--table-path", o->table_path, "The table's path under the URI");
    cmd->add_option("--clients", o->clients, "Concurrent clients (threads)");
    cmd->add_option("--requests", o->requests, "Per client: loads, or commits that land");
    cmd->callback([o, commit] { ExitOnError(commit ? RunCommit(*o) : RunLoad(*o)); });
  }
}

}  // namespace floe::cli
