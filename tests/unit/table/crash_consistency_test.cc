// Crash consistency of the commit path, proven on FileIO. Each table-file
// operation of three commits is, one case at a time, made to fail before it
// takes effect, to fail after it took effect (an answer lost), or to crash
// the process followed by a power loss (files not closed are lost):
//   - an append through the library (data file, manifest, manifest list,
//     metadata file, catalog swap);
//   - a REST commit of a client's append that the server must rebase onto a
//     main that moved on (it writes a manifest list and a metadata file);
//   - a REST transaction over two tables.
// After every case each table must be whole: its metadata file reads, every
// file it reaches exists, a scan returns the current snapshot's records, the
// state is the old one or the new one (both tables alike for the
// transaction), an acknowledged commit is there, one that certainly failed
// is not, and the next append succeeds.
//
// The catalog store is SQLite on the real disk (stores are not FileIO's):
// a crash loses no catalog row that was committed, as SQLite promises.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "floe/catalog/catalog.h"
#include "floe/iceberg/manifest_writer.h"
#include "floe/iceberg/reachable_files.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_metadata_json_internal.h"
#include "floe/iceberg/table_scan.h"
#include "floe/io/fault_injecting_file_io.h"
#include "floe/server/rest_catalog.h"
#include "floe/table/data_file_writer.h"
#include "floe/table/table_append.h"
#include "floe/table/table_commit.h"
#include "temp_dir_test.h"

namespace floe {
namespace {

using catalog::Catalog;
using catalog::TableIdentifier;
using Json = nlohmann::json;
using Op = FaultInjectingFileIO::Op;
using Fault = FaultInjectingFileIO::Fault;

constexpr const char* kWarehouse = "/mem/warehouse";
const TableIdentifier kT{{"lab"}, "t"};
const TableIdentifier kU{{"lab"}, "u"};

// One case: a disk that can lose power, the faults in front of it, and the
// catalog the commit runs on (its table files go through the faults).
struct World {
  MemoryFileIO disk;
  FaultInjectingFileIO faults{disk};
  std::string catalog_path;
  std::unique_ptr<Catalog> catalog;
};

struct Outcome {
  bool acknowledged = false;      // the caller was told it committed
  bool certainly_failed = false;  // the caller was told it certainly did not
  std::string detail;
};

struct TableState {
  std::optional<int64_t> snapshot_id;
  size_t snapshots = 0;
  int64_t rows = 0;
};

std::unique_ptr<Catalog> OpenCatalog(const std::string& path, FileIO& io) {
  auto c = catalog::OpenSqliteCatalog(path);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  (*c)->UseFileIO(io);
  return *std::move(c);
}

// Everything a reader relies on, or the first thing that is broken.
Result<TableState> Inspect(FileIO& disk, Catalog& cat, const TableIdentifier& id) {
  FLOE_ASSIGN_OR_RETURN(std::string location, cat.LoadTable(id));
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata m, iceberg::ReadTableMetadataFile(disk, location));
  FLOE_ASSIGN_OR_RETURN(auto files, iceberg::ReachableFiles(disk, m, location));
  for (const std::string& f : files) {
    FLOE_ASSIGN_OR_RETURN(bool there, disk.Exists(f));
    if (!there) return Status::Corruption("{} reaches {}, which is missing", location, f);
  }
  TableState state;
  state.snapshots = m.snapshots.size();
  if (const iceberg::Snapshot* s = m.CurrentSnapshot()) {
    state.snapshot_id = s->snapshot_id;
    FLOE_RETURN_IF_ERROR(iceberg::ScanTable(disk, m, *s, {}, [&](const RecordBatch& b) {
      state.rows += b.num_rows;
      return Status::OK();
    }));
    auto total = s->summary.find("total-records");
    if (total == s->summary.end() || std::to_string(state.rows) != total->second) {
      return Status::Corruption("{}: a scan returns {} rows, the snapshot says {}", location,
                                state.rows, total == s->summary.end() ? "nothing" : total->second);
    }
  }
  return state;
}

class CrashConsistencyTest : public floe::testing::TempDirTest {
 protected:
  // Rows of `count` records, as a JSON-lines input file.
  std::string Input(const std::string& name, int first, int count) {
    const std::string path = (dir_ / name).string();
    std::string text;
    for (int i = first; i < first + count; ++i) {
      text += fmt::format("{{\"id\": {}, \"name\": \"subject-{}\"}}\n", i, i);
    }
    EXPECT_TRUE(LocalFileIO().WriteAtomically(path, text, true).ok());
    return path;
  }

  // A world with tables t and u of three rows each, made without faults.
  std::unique_ptr<World> NewWorld() {
    auto w = std::make_unique<World>();
    w->catalog_path = (dir_ / fmt::format("catalog-{}.db", ++worlds_)).string();
    w->catalog = OpenCatalog(w->catalog_path, w->faults);
    EXPECT_TRUE(w->catalog->CreateNamespace({"lab"}, {}).ok());
    const Schema schema(
        {{1, "id", true, Type::Long(), ""}, {2, "name", false, Type::String(), ""}});
    for (const TableIdentifier& id : {kT, kU}) {
      auto m = iceberg::NewTableMetadata(schema, iceberg::PartitionSpec{}, iceberg::SortOrder{},
                                         catalog::DefaultTableLocation(kWarehouse, id), {});
      EXPECT_TRUE(m.ok()) << m.status().ToString();
      EXPECT_TRUE(w->catalog->CreateTableFrom(id, *m).ok());
      auto appended = table::AppendFiles(*w->catalog, id, {first_});
      EXPECT_TRUE(appended.ok()) << appended.status().ToString();
    }
    return w;
  }

  // What a REST client (PyIceberg, Spark) sends to append `input` to `id`:
  // the files written first (durably, on the disk), then the add-snapshot
  // and set-snapshot-ref updates, required to apply to the table as it is now.
  Json ClientAppend(World& w, const TableIdentifier& id, const std::string& input) {
    auto location = w.catalog->LoadTable(id);
    auto m = iceberg::ReadTableMetadataFile(w.disk, *location);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    const iceberg::PartitionSpec& spec = *m->DefaultSpec();
    auto writer = table::DataFileWriter::Open(w.disk, *m, spec);
    EXPECT_TRUE(table::ReadInput(input, *m->CurrentSchema(), writer->get()).ok());
    auto files = (*writer)->Finish();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    const int64_t added = (*files)[0].record_count;
    const iceberg::Snapshot& parent = *m->CurrentSnapshot();
    iceberg::Snapshot s;
    s.snapshot_id = static_cast<int64_t>(random_() >> 1);
    s.parent_snapshot_id = parent.snapshot_id;
    s.sequence_number = m->last_sequence_number + 1;
    s.timestamp_ms = table::NowMillis();
    s.schema_id = m->current_schema_id;
    s.manifest_list = fmt::format("{}/metadata/snap-{}-client.avro", m->location, s.snapshot_id);
    const int64_t total = std::stoll(parent.summary.at("total-records")) + added;
    s.summary = {{"operation", "append"},
                 {"added-records", std::to_string(added)},
                 {"total-records", std::to_string(total)}};
    auto manifest = iceberg::WriteManifest(
        w.disk, fmt::format("{}/metadata/{}-client-m0.avro", m->location, s.snapshot_id), *m, spec,
        iceberg::AddedEntries(*std::move(files)));
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    iceberg::AssignManifestToSnapshot(s, &*manifest);
    auto carried = iceberg::ReadManifestList(w.disk, parent.manifest_list);
    std::vector<iceberg::ManifestFile> list{*manifest};
    list.insert(list.end(), carried->begin(), carried->end());
    EXPECT_TRUE(iceberg::WriteManifestList(w.disk, s.manifest_list, s, list).ok());
    return Json{
        {"identifier", {{"namespace", id.ns}, {"name", id.name}}},
        {"requirements", Json::array({{{"type", "assert-ref-snapshot-id"},
                                       {"ref", "main"},
                                       {"snapshot-id", parent.snapshot_id}}})},
        {"updates", Json::array({{{"action", "add-snapshot"},
                                  {"snapshot", iceberg::internal::SnapshotToJsonValue(s, 2)}},
                                 {{"action", "set-snapshot-ref"},
                                  {"ref-name", "main"},
                                  {"type", "branch"},
                                  {"snapshot-id", s.snapshot_id}}})}};
  }

  // A request to a floe server over the world's catalog (and its faults).
  static Outcome Post(World& w, const std::string& path, const Json& body, int success) {
    server::RestCatalog rest(OpenCatalog(w.catalog_path, w.faults), kWarehouse);
    server::HttpRequest request;
    request.method = "POST";
    request.path = path;
    request.body = body.dump();
    const server::HttpResponse answer = rest.Handle(request);
    // 4xx: refused, nothing applied; 5xx: CommitStateUnknown, or the server
    // failed somewhere it cannot tell.
    return {answer.status == success, answer.status >= 400 && answer.status < 500,
            fmt::format("HTTP {} {}", answer.status, answer.Body().substr(0, 300))};
  }

  struct Scenario {
    std::string name;
    std::vector<TableIdentifier> tables;  // the tables it changes
    int64_t rows_added = 0;               // to each of them
    // Prepares a world (without faults) and returns the commit to break.
    std::function<std::function<Outcome()>(World&)> prepare;
  };

  std::vector<Scenario> Scenarios() {
    return {
        {"library append",
         {kT},
         2,
         [this](World& w) {
           return [this, &w] {
             auto r = table::AppendFiles(*w.catalog, kT, {second_});
             return Outcome{r.ok(), !r.ok() && catalog::CommitCertainlyFailed(r.status()),
                            r.ok() ? "OK" : r.status().ToString()};
           };
         }},
        {"REST append rebased past a competing append",
         {kT},
         2,
         [this](World& w) {
           Json change = ClientAppend(w, kT, second_);
           auto competing = table::AppendFiles(*w.catalog, kT, {first_});
           EXPECT_TRUE(competing.ok()) << competing.status().ToString();
           change.erase("identifier");
           return [&w, change] { return Post(w, "/v1/namespaces/lab/tables/t", change, 200); };
         }},
        {"REST transaction over two tables",
         {kT, kU},
         2,
         [this](World& w) {
           const Json body{{"table-changes", Json::array({ClientAppend(w, kT, second_),
                                                          ClientAppend(w, kU, second_)})}};
           return [&w, body] { return Post(w, "/v1/transactions/commit", body, 204); };
         }},
    };
  }

  // Runs `scenario` once without faults to count its operations, then once
  // per operation and fault, and checks every outcome.
  void Prove(const Scenario& scenario) {
    std::array<int, FaultInjectingFileIO::kOps> counts{};
    {
      auto w = NewWorld();
      auto commit = scenario.prepare(*w);
      w->faults.Arm(Op::kOpenInput, 0, Fault::kError);  // counts, never fires
      const Outcome o = commit();
      ASSERT_TRUE(o.acknowledged) << scenario.name << ": " << o.detail;
      for (size_t k = 0; k < counts.size(); ++k) counts[k] = w->faults.Count(static_cast<Op>(k));
    }
    // Vacuous otherwise: the commit writes files and a metadata file.
    ASSERT_GT(counts[static_cast<size_t>(Op::kWriteAtomically)], 0) << scenario.name;
    int cases = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
      for (int nth = 1; nth <= counts[k]; ++nth) {
        for (Fault fault : {Fault::kError, Fault::kErrorAfter, Fault::kCrash}) {
          ProveCase(scenario, static_cast<Op>(k), nth, fault);
          ++cases;
          if (HasFatalFailure()) return;
        }
      }
    }
    std::printf("%s: %d operations, %d cases\n", scenario.name.c_str(),
                std::accumulate(counts.begin(), counts.end(), 0), cases);
  }

  void ProveCase(const Scenario& scenario, Op op, int nth, Fault fault) {
    const std::string label =
        fmt::format("{}, fault {} at {} #{}", scenario.name, FaultInjectingFileIO::FaultName(fault),
                    FaultInjectingFileIO::OpName(op), nth);
    auto w = NewWorld();
    auto commit = scenario.prepare(*w);
    std::vector<TableState> before;
    for (const TableIdentifier& id : scenario.tables) {
      auto state = Inspect(w->disk, *w->catalog, id);
      ASSERT_TRUE(state.ok()) << label << ": " << state.status().ToString();
      before.push_back(*state);
    }
    w->faults.Arm(op, nth, fault);
    const Outcome outcome = commit();
    if (w->faults.crashed()) w->disk.LosePowerNow();
    w->faults.Disarm();
    w->catalog.reset();
    // A new process on what survived.
    auto reopened = OpenCatalog(w->catalog_path, w->disk);
    ASSERT_NE(reopened, nullptr);
    std::optional<bool> changed;
    for (size_t i = 0; i < scenario.tables.size(); ++i) {
      const TableIdentifier& id = scenario.tables[i];
      auto after = Inspect(w->disk, *reopened, id);
      ASSERT_TRUE(after.ok()) << label << " (" << outcome.detail << "): " << id.ToString()
                              << " is broken: " << after.status().ToString();
      const bool is_new = after->snapshot_id != before[i].snapshot_id;
      if (is_new) {
        EXPECT_EQ(after->rows, before[i].rows + scenario.rows_added) << label;
        EXPECT_EQ(after->snapshots, before[i].snapshots + 1) << label;
      } else {
        EXPECT_EQ(after->rows, before[i].rows) << label;
      }
      if (changed) {
        EXPECT_EQ(*changed, is_new) << label << ": half a transaction";
      }
      changed = is_new;
      if (outcome.acknowledged) {
        EXPECT_TRUE(is_new) << label << ": acknowledged, not there";
      }
      if (outcome.certainly_failed) {
        EXPECT_FALSE(is_new) << label << ": refused (" << outcome.detail << ") yet applied";
      }
      // Not wedged: the next append lands.
      auto next = table::AppendFiles(*reopened, id, {first_});
      ASSERT_TRUE(next.ok()) << label << ": the next append fails: " << next.status().ToString();
      auto last = Inspect(w->disk, *reopened, id);
      ASSERT_TRUE(last.ok()) << label << ": " << last.status().ToString();
      EXPECT_EQ(last->rows, after->rows + 3) << label;
    }
  }

  void SetUp() override {
    TempDirTest::SetUp();
    first_ = Input("first.jsonl", 0, 3);
    second_ = Input("second.jsonl", 100, 2);
  }

  std::string first_, second_;
  int worlds_ = 0;
  std::mt19937_64 random_{std::random_device{}()};
};

TEST_F(CrashConsistencyTest, LibraryAppend) {
  Prove(Scenarios()[0]);
}
TEST_F(CrashConsistencyTest, RestAppendRebasedPastACompetingAppend) {
  Prove(Scenarios()[1]);
}
TEST_F(CrashConsistencyTest, RestTransactionOverTwoTables) {
  Prove(Scenarios()[2]);
}

TEST(FaultSpecTest, ParsesOpCountAndFault) {
  auto armed = FaultInjectingFileIO::Parse("close:3:kill-after");
  ASSERT_TRUE(armed.ok()) << armed.status().ToString();
  EXPECT_EQ(armed->op, Op::kClose);
  EXPECT_EQ(armed->nth, 3);
  EXPECT_EQ(armed->fault, Fault::kKillAfter);
  for (const char* bad : {"", "close", "close:3", "close:0:kill", "close:x:kill", "shut:1:error",
                          "close:1:explode", "close:1:kill:extra"}) {
    EXPECT_EQ(FaultInjectingFileIO::Parse(bad).status().code(), StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace floe
