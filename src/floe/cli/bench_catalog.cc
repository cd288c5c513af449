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
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "floe/cli/command.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_writer.h"
#include "floe/iceberg/table_metadata_json_internal.h"
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

// A fast append as a client builds it on `m` (loaded with snapshots=refs):
// a snapshot on main's, whose manifest list is `manifest` (one new data file,
// written once per append and reused by its retries) plus every manifest of
// the parent, with the summary's totals counted on the parent's.
Result<Json> FastAppendCommit(const iceberg::TableMetadata& m, iceberg::ManifestFile manifest,
                              int64_t id, int attempt) {
  iceberg::Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = m.current_snapshot_id;
  s.sequence_number = m.last_sequence_number + 1;
  s.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  s.schema_id = m.current_schema_id;
  s.manifest_list = fmt::format("{}/metadata/snap-{}-{}-bench.avro", m.location, id, attempt);
  iceberg::AssignManifestToSnapshot(s, &manifest);
  std::vector<iceberg::ManifestFile> manifests = {manifest};
  std::map<std::string, std::string> parent_summary;
  if (const iceberg::Snapshot* parent = m.CurrentSnapshot()) {
    FLOE_ASSIGN_OR_RETURN(auto carried,
                          iceberg::ReadManifestList(LocalFileIO(), parent->manifest_list));
    manifests.insert(manifests.end(), carried.begin(), carried.end());
    parent_summary = parent->summary;
  }
  FLOE_RETURN_IF_ERROR(iceberg::WriteManifestList(LocalFileIO(), s.manifest_list, s, manifests));
  const int64_t records = manifest.added_rows_count.value_or(0);
  auto total = [&](const char* key, int64_t added) {
    auto it = parent_summary.find(key);
    return std::to_string((it == parent_summary.end() ? 0 : std::stoll(it->second)) + added);
  };
  s.summary = {{"operation", "append"},
               {"added-data-files", "1"},
               {"added-records", std::to_string(records)},
               {"total-data-files", total("total-data-files", 1)},
               {"total-records", total("total-records", records)}};
  const Json parent = s.parent_snapshot_id ? Json(*s.parent_snapshot_id) : Json(nullptr);
  return Json{{"requirements",
               {{{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", parent}}}},
              {"updates",
               {{{"action", "add-snapshot"},
                 {"snapshot", iceberg::internal::SnapshotToJsonValue(s, m.format_version)}},
                {{"action", "set-snapshot-ref"},
                 {"ref-name", "main"},
                 {"type", "branch"},
                 {"snapshot-id", id}}}}};
}

Status RunCommit(const CatalogBench& o) {
  std::atomic<int64_t> conflicts = 0;
  std::mutex built_on_mutex;
  std::map<int64_t, int64_t> built_on;  // landed snapshot -> the parent it was built on
  const auto start = Clock::now();
  FLOE_RETURN_IF_ERROR(OnThreads(o.clients, [&](int c) -> Status {
    FLOE_ASSIGN_OR_RETURN(auto http, HttpClient::Make(o.uri));
    std::mt19937_64 random(std::random_device{}() + static_cast<uint64_t>(c) * 7919);
    for (int landed = 0; landed < o.requests; ++landed) {
      const auto id = static_cast<int64_t>(random() >> 2);
      std::optional<iceberg::ManifestFile> manifest;
      for (int attempt = 1;; ++attempt) {
        FLOE_ASSIGN_OR_RETURN(HttpResult r, http->Send("GET", o.table_path + "?snapshots=refs"));
        if (r.status != 200) return Status::IOError("load answered {}: {}", r.status, r.body);
        FLOE_ASSIGN_OR_RETURN(
            iceberg::TableMetadata m,
            iceberg::internal::TableMetadataFromJsonValue(Json::parse(r.body)["metadata"]));
        if (!manifest) {
          iceberg::DataFile file;
          file.file_path = fmt::format("{}/data/bench-{}-{}.parquet", m.location, c, landed);
          file.file_format = "PARQUET";
          file.record_count = 1;
          file.file_size_in_bytes = 100;
          FLOE_ASSIGN_OR_RETURN(
              manifest, iceberg::WriteManifest(
                            LocalFileIO(),
                            fmt::format("{}/metadata/bench-{}-{}-m0.avro", m.location, c, landed),
                            m, *m.DefaultSpec(), iceberg::AddedEntries({file})));
        }
        FLOE_ASSIGN_OR_RETURN(Json commit, FastAppendCommit(m, *manifest, id, attempt));
        FLOE_ASSIGN_OR_RETURN(HttpResult answer, http->Send("POST", o.table_path, commit.dump()));
        if (answer.status == 200) {
          std::lock_guard lock(built_on_mutex);
          built_on[id] = m.current_snapshot_id.value_or(-1);
          break;
        }
        if (answer.status != 409) {
          return Status::IOError("commit answered {}: {}", answer.status, answer.body);
        }
        ++conflicts;
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 2000));
      }
    }
    return Status::OK();
  }));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Appends the server landed on another parent than they were built on.
  FLOE_ASSIGN_OR_RETURN(auto http, HttpClient::Make(o.uri));
  FLOE_ASSIGN_OR_RETURN(HttpResult table, http->Send("GET", o.table_path));
  const Json loaded = Json::parse(table.body);
  int64_t rebased = 0;
  for (const Json& s : loaded["metadata"]["snapshots"]) {
    auto it = built_on.find(s["snapshot-id"].get<int64_t>());
    rebased += it != built_on.end() && s.value("parent-snapshot-id", int64_t{-1}) != it->second;
  }
  const int64_t commits = int64_t{o.clients} * o.requests;
  std::printf("%s\n", Json{{"commits", commits},
                           {"seconds", seconds},
                           {"commits_per_second", static_cast<double>(commits) / seconds},
                           {"conflicts", conflicts.load()},
                           {"rebased", rebased}}
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
        commit ? "Fast-append commits from concurrent clients to a REST catalog table (writes "
                 "manifests under the table's location: run it beside the server)"
               : "Table loads from concurrent clients against a REST catalog");
    cmd->add_option("URI", o->uri, "http://HOST:PORT")->required();
    cmd->add_option("--table-path", o->table_path, "The table's path under the URI");
    cmd->add_option("--clients", o->clients, "Concurrent clients (threads)");
    cmd->add_option("--requests", o->requests, "Per client: loads, or commits that land");
    cmd->callback([o, commit] { ExitOnError(commit ? RunCommit(*o) : RunLoad(*o)); });
  }
}

}  // namespace floe::cli
