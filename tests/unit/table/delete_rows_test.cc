// Row-level deletes (table/delete_rows.h, table/row_delta.h) on a real
// SQLite catalog with the table's files in memory: seeded rounds of appends
// and deletes by filter checked against a model of the rows after every
// commit (v1, v2 and v3, partitioned and not), the snapshot summary's
// totals, one deletion vector per data file, and the row delta's refusals
// of changes that concurrent commits invalidated.
#include "floe/table/delete_rows.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_scan.h"
#include "floe/iceberg/table_update.h"
#include "floe/io/file.h"
#include "floe/table/data_file_writer.h"
#include "floe/table/delete_writer.h"
#include "floe/table/table_append.h"
#include "temp_dir_test.h"

namespace floe::table {
using namespace floe::catalog;  // the store these operations commit to
namespace {

class DeleteRowsTest : public floe::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto c = OpenSqliteCatalog((dir_ / "catalog.db").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = *std::move(c);
    catalog_->UseFileIO(disk_);
    ASSERT_TRUE(catalog_->CreateNamespace({"lab"}, {}).ok());
  }

  void CreateTable(const std::string& partition, int format_version) {
    const Schema schema({{1, "id", true, Type::Long(), ""},
                         {2, "site", false, Type::String(), ""},
                         {3, "value", false, Type::Double(), ""}});
    auto spec = iceberg::ParsePartitionSpec(partition, schema);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    // A new location for each table a test creates: a dropped one's files stay.
    auto m =
        iceberg::NewTableMetadata(schema, *spec, iceberg::SortOrder{},
                                  fmt::format("/mem/lab.db/t{}", ++tables_), {}, format_version);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(catalog_->CreateTableFrom(id_, *m).ok());
  }

  // Appends ids [first, first + rows) at sites S<id % 3>.
  void Append(int64_t first, int64_t rows) {
    std::string text;
    for (int64_t i = first; i < first + rows; ++i) {
      text += fmt::format("{{\"id\": {}, \"site\": \"S{}\", \"value\": {}.5}}\n", i, i % 3, i);
      model_.insert(i);
    }
    const std::string path = (dir_ / fmt::format("in-{}.jsonl", first)).string();
    ASSERT_TRUE(LocalFileIO().WriteAtomically(path, text, true).ok());
    auto r = AppendFiles(*catalog_, id_, {path});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  Result<DeleteResult> Delete(const std::string& where) {
    auto filter = iceberg::ParseExpression(where);
    if (!filter.ok()) return filter.status();
    return DeleteWhere(*catalog_, id_, *filter);
  }

  iceberg::TableMetadata Current() {
    auto location = catalog_->LoadTable(id_);
    EXPECT_TRUE(location.ok());
    auto m = iceberg::ReadTableMetadataFile(disk_, *location);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }

  std::set<int64_t> Ids(const iceberg::TableMetadata& m) {
    std::set<int64_t> ids;
    if (m.CurrentSnapshot() == nullptr) return ids;
    Status s = iceberg::ScanTable(disk_, m, *m.CurrentSnapshot(), {}, [&](const RecordBatch& b) {
      for (int64_t r = 0; r < b.num_rows; ++r) {
        EXPECT_TRUE(ids.insert(b.columns[0].Value<int64_t>(r)).second) << "a row twice";
      }
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ids;
  }

  // What every commit must leave: the model's rows, summary totals that add
  // up (records in data files minus deleted positions), and at most one
  // deletion vector per data file.
  void ExpectTableMatchesModel(const std::string& after) {
    const iceberg::TableMetadata m = Current();
    ASSERT_EQ(Ids(m), model_) << after;
    const iceberg::Snapshot* s = m.CurrentSnapshot();
    ASSERT_NE(s, nullptr);
    auto total = [&](const char* key) { return std::stoll(s->summary.at(key)); };
    EXPECT_EQ(total("total-records") - total("total-position-deletes"),
              static_cast<int64_t>(model_.size()))
        << after;
    auto entries = iceberg::PlanFiles(disk_, m, *s);
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    std::set<std::string> vectors_of;
    int64_t data_files = 0, delete_files = 0;
    for (const iceberg::ManifestEntry& e : *entries) {
      (e.data_file.content == 0 ? data_files : delete_files) += 1;
      if (e.data_file.content_offset) {
        ASSERT_TRUE(e.data_file.referenced_data_file) << after;
        EXPECT_TRUE(vectors_of.insert(*e.data_file.referenced_data_file).second)
            << "two deletion vectors for " << *e.data_file.referenced_data_file << " " << after;
      }
    }
    EXPECT_EQ(total("total-data-files"), data_files) << after;
    EXPECT_EQ(total("total-delete-files"), delete_files) << after;
  }

  // Seeded rounds of appends and deletes by filters of several shapes.
  void RunRounds(int format_version, const std::string& partition, uint32_t seed) {
    CreateTable(partition, format_version);
    std::mt19937 random(seed);
    int64_t next = 0;
    for (int round = 0; round < 24; ++round) {
      const std::string at = fmt::format("seed {} round {}", seed, round);
      if (round % 3 == 0) {
        const int64_t rows = 5 + static_cast<int64_t>(random() % 40);
        Append(next, rows);
        next += rows;
        ExpectTableMatchesModel(at + " (append)");
        continue;
      }
      std::string where;
      std::function<bool(int64_t)> matches;
      const int64_t a = static_cast<int64_t>(random() % (next + 1));
      const int64_t b = a + static_cast<int64_t>(random() % 12);
      switch (random() % 4) {
        case 0:
          where = fmt::format("id >= {} AND id <= {}", a, b);
          matches = [=](int64_t id) { return id >= a && id <= b; };
          break;
        case 1:
          where = fmt::format("site = 'S{}' AND id < {}", a % 3, b);
          matches = [=](int64_t id) { return id % 3 == a % 3 && id < b; };
          break;
        case 2:
          where = fmt::format("id = {} OR id = {}", a, b);
          matches = [=](int64_t id) { return id == a || id == b; };
          break;
        default:
          where = fmt::format("value > {}", b);  // whole files at the end, often
          matches = [=](int64_t id) {
            return static_cast<double>(id) + 0.5 > static_cast<double>(b);
          };
      }
      size_t expected = 0;
      for (auto it = model_.begin(); it != model_.end();) {
        if (matches(*it)) {
          it = model_.erase(it);
          ++expected;
        } else {
          ++it;
        }
      }
      auto r = Delete(where);
      if (format_version == 1 && !r.ok()) {
        // v1 holds no row-level deletes: a partial delete is refused whole.
        ASSERT_EQ(r.status().code(), StatusCode::kNotSupported)
            << at << ": " << r.status().ToString();
        return;
      }
      ASSERT_TRUE(r.ok()) << at << " " << where << ": " << r.status().ToString();
      EXPECT_EQ(r->rows_deleted, static_cast<int64_t>(expected)) << at << " " << where;
      EXPECT_EQ(r->delta.snapshot_id == 0, expected == 0) << at << " " << where;
      if (expected > 0) ExpectTableMatchesModel(at + " (delete " + where + ")");
    }
  }

  MemoryFileIO disk_;
  std::unique_ptr<Catalog> catalog_;
  const TableIdentifier id_{{"lab"}, "t"};
  std::set<int64_t> model_;
  int tables_ = 0;
};

TEST_F(DeleteRowsTest, V2PositionDeletesFollowTheModel) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    RunRounds(2, seed == 2 ? "site" : "", seed);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(catalog_->Drop(id_, Catalog::Kind::kTable).ok());
    model_.clear();
  }
}

TEST_F(DeleteRowsTest, V3DeletionVectorsFollowTheModel) {
  for (uint32_t seed : {4u, 5u, 6u}) {
    RunRounds(3, seed == 5 ? "bucket(4, id)" : "", seed);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(catalog_->Drop(id_, Catalog::Kind::kTable).ok());
    model_.clear();
  }
}

TEST_F(DeleteRowsTest, V1TablesTakeWholeFileDeletesOnly) {
  CreateTable("site", 1);
  Append(0, 30);
  auto whole = Delete("site = 'S1'");
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->files_removed, 1);
  for (int64_t i = 1; i < 30; i += 3) model_.erase(i);
  ExpectTableMatchesModel("whole-file delete");
  auto partial = Delete("id < 5");
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.status().code(), StatusCode::kNotSupported) << partial.status().ToString();
  EXPECT_EQ(Ids(Current()), model_);
}

TEST_F(DeleteRowsTest, AVectorReplacesTheOneBeforeIt) {
  CreateTable("", 3);
  Append(0, 100);
  ASSERT_TRUE(Delete("id < 10").ok());
  auto second = Delete("id >= 50 AND id < 55");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->delta.counts.removed_delete_files, 1);
  EXPECT_EQ(second->delta.counts.added_delete_files, 1);
  EXPECT_EQ(second->delta.counts.added_position_deletes, 15);  // the merged vector holds both
  for (int64_t i = 0; i < 100; ++i) {
    if (i < 10 || (i >= 50 && i < 55)) model_.erase(i);
  }
  ExpectTableMatchesModel("second delete");
}

// A row delta planned on one snapshot, committed after others landed.
class ConcurrentRowDeltaTest : public DeleteRowsTest {
 protected:
  // The delta deleting ids [lo, hi) by position, planned on the current snapshot.
  RowDelta PlanDelete(int64_t lo, int64_t hi) {
    const iceberg::TableMetadata m = Current();
    RowDelta delta;
    delta.base_snapshot_id = m.current_snapshot_id;
    auto filter = iceberg::ParseExpression(fmt::format("id >= {} AND id < {}", lo, hi));
    EXPECT_TRUE(filter.ok());
    delta.conflict_filter = *filter;
    DeleteFileWriter writer(disk_, m);
    Status s = iceberg::MatchRows(
        disk_, m, *m.CurrentSnapshot(), *filter, false, [&](iceberg::FileMatch match) {
          return writer.Add(match.entry.data_file, iceberg::DeletedRows(match.matched));
        });
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto files = writer.Finish();
    EXPECT_TRUE(files.ok());
    delta.added_deletes = *files;
    return delta;
  }
};

TEST_F(ConcurrentRowDeltaTest, ADeleteOfAFileRemovedMeanwhileIsRefused) {
  CreateTable("", 3);
  Append(0, 20);
  const RowDelta late = PlanDelete(0, 5);
  ASSERT_TRUE(Delete("id >= 0").ok());  // removes the data file whole
  auto r = CommitRowDelta(*catalog_, id_, late);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  EXPECT_NE(r.status().message().find("was removed by snapshot"), std::string::npos)
      << r.status().ToString();
  EXPECT_TRUE(Ids(Current()).empty());
}

TEST_F(ConcurrentRowDeltaTest, ASecondVectorForOneFileIsRefused) {
  CreateTable("", 3);
  Append(0, 20);
  const RowDelta late = PlanDelete(0, 5);
  ASSERT_TRUE(Delete("id = 10").ok());  // a vector for the same data file
  auto r = CommitRowDelta(*catalog_, id_, late);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  model_.erase(10);
  ExpectTableMatchesModel("after the refusal");
}

TEST_F(ConcurrentRowDeltaTest, AnAppendOfMatchingRowsRefusesButOthersDoNot) {
  CreateTable("", 2);
  Append(0, 20);
  const RowDelta late = PlanDelete(0, 50);
  Append(100, 10);  // ids 100..109: the filter cannot match them by their bounds
  auto r = CommitRowDelta(*catalog_, id_, late);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int64_t i = 0; i < 20; ++i) model_.erase(i);
  ExpectTableMatchesModel("delete after an unrelated append");

  const RowDelta refused = PlanDelete(100, 200);
  Append(150, 5);  // may hold rows the delete was meant for
  auto conflict = CommitRowDelta(*catalog_, id_, refused);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  ExpectTableMatchesModel("after the refusal");
  // DeleteWhere plans again and deletes the new rows too.
  auto again = Delete("id >= 100 AND id < 200");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows_deleted, 15);
  model_.clear();
  ExpectTableMatchesModel("the delete planned again");
}

}  // namespace
}  // namespace floe::table

namespace floe::table {
namespace {

TEST_F(DeleteRowsTest, AnUpdateDeletesTheOldRowsAndAddsTheNewOnesInOneSnapshot) {
  for (int version : {2, 3}) {
    CreateTable("site", version);
    Append(0, 30);
    const int64_t before = Current().snapshots.size();
    auto filter = iceberg::ParseExpression("site = 'S1' AND id < 20");
    ASSERT_TRUE(filter.ok());
    // value := -id, for the rows matched.
    RowUpdate negate = [](const Schema&, RecordBatch rows) -> Result<RecordBatch> {
      Column value(Type::Double());
      for (int64_t r = 0; r < rows.num_rows; ++r) {
        value.Append<double>(-static_cast<double>(rows.columns[0].Value<int64_t>(r)));
      }
      rows.columns[2] = std::move(value);
      return rows;
    };
    auto r = UpdateWhere(*catalog_, id_, *filter, negate);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->rows_deleted, 7);  // ids 1, 4, ..., 19
    EXPECT_EQ(r->delta.operation, "overwrite");
    EXPECT_EQ(r->delta.counts.added_records, 7);
    const iceberg::TableMetadata m = Current();
    EXPECT_EQ(static_cast<int64_t>(m.snapshots.size()), before + 1);
    std::map<int64_t, double> values;
    ASSERT_TRUE(
        iceberg::ScanTable(disk_, m, *m.CurrentSnapshot(), {}, [&](const RecordBatch& b) {
          for (int64_t i = 0; i < b.num_rows; ++i) {
            EXPECT_TRUE(
                values.emplace(b.columns[0].Value<int64_t>(i), b.columns[2].Value<double>(i))
                    .second);
          }
          return Status::OK();
        }).ok());
    ASSERT_EQ(values.size(), 30u) << "v" << version;
    for (const auto& [id, value] : values) {
      const bool updated = id % 3 == 1 && id < 20;
      EXPECT_EQ(value, updated ? -static_cast<double>(id) : static_cast<double>(id) + 0.5)
          << "v" << version << " id " << id;
    }
    ExpectTableMatchesModel(fmt::format("v{} update", version));
    // An update that fails leaves the table as it was.
    RowUpdate fails = [](const Schema&, RecordBatch) -> Result<RecordBatch> {
      return Status::InvalidArgument("no");
    };
    EXPECT_EQ(UpdateWhere(*catalog_, id_, *filter, fails).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(Current().snapshots.size(), m.snapshots.size());
    ASSERT_TRUE(catalog_->Drop(id_, Catalog::Kind::kTable).ok());
    model_.clear();
  }
}

}  // namespace
}  // namespace floe::table

namespace floe::table {
namespace {

TEST_F(DeleteRowsTest, EqualityDeletesGoByKeyAndSpareNewerRows) {
  CreateTable("", 2);
  Append(0, 30);
  Append(30, 30);
  DeleteOptions by_id;
  by_id.equality_columns = {"id"};  // one integer column: the typed key set
  auto filter = iceberg::ParseExpression("id >= 10 AND id < 20");
  ASSERT_TRUE(filter.ok());
  auto r = DeleteWhere(*catalog_, id_, *filter, by_id);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->delta.counts.added_equality_deletes, 10);
  for (int64_t i = 10; i < 20; ++i) model_.erase(i);
  EXPECT_EQ(Ids(Current()), model_);

  // By site, a string key: the key of id 31 (S1) deletes every older S1 row.
  DeleteOptions by_site;
  by_site.equality_columns = {"site"};
  filter = iceberg::ParseExpression("id = 31");
  ASSERT_TRUE(filter.ok());
  r = DeleteWhere(*catalog_, id_, *filter, by_site);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::erase_if(model_, [](int64_t i) { return i % 3 == 1; });
  EXPECT_EQ(Ids(Current()), model_);
  Append(60, 6);  // newer than both deletes: its S1 rows and ids stay
  EXPECT_EQ(Ids(Current()), model_);
  EXPECT_TRUE(model_.count(61) && model_.count(64));

  DeleteOptions by_value;
  by_value.equality_columns = {"value"};
  EXPECT_EQ(DeleteWhere(*catalog_, id_, *filter, by_value).status().code(),
            StatusCode::kInvalidArgument);  // doubles are not keys
}

}  // namespace
}  // namespace floe::table

namespace floe::table {
namespace {

TEST_F(DeleteRowsTest, AddedDataKeepsTheSpecItWasWrittenFor) {
  CreateTable("site", 2);
  Append(0, 9);
  const iceberg::TableMetadata before = Current();
  auto writer = DataFileWriter::Open(disk_, before, *before.DefaultSpec());
  ASSERT_TRUE(writer.ok());
  RecordBatch rows = RecordBatch::Empty(*before.CurrentSchema());
  for (int64_t i = 100; i < 103; ++i) {
    rows.columns[0].Append<int64_t>(i);
    rows.columns[1].AppendBytes("S9");
    rows.columns[2].Append<double>(1.0);
  }
  rows.num_rows = 3;
  ASSERT_TRUE((*writer)->Add(rows).ok());
  auto files = (*writer)->Finish();
  ASSERT_TRUE(files.ok());
  // Meanwhile the table moves to an unpartitioned default spec.
  auto evolved = CommitTableChange(*catalog_, id_, [](iceberg::TableMetadata& m) -> Status {
    FLOE_ASSIGN_OR_RETURN(m.default_spec_id, iceberg::AddPartitionSpec({}, &m));
    return Status::OK();
  });
  ASSERT_TRUE(evolved.ok()) << evolved.status().ToString();
  ASSERT_NE(evolved->metadata.default_spec_id, before.default_spec_id);
  RowDelta delta;
  delta.base_snapshot_id = before.current_snapshot_id;
  delta.added_data = *files;
  auto r = CommitRowDelta(*catalog_, id_, delta);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int64_t i = 100; i < 103; ++i) model_.insert(i);
  EXPECT_EQ(Ids(Current()), model_);
  const iceberg::TableMetadata m = Current();
  auto entries = iceberg::PlanFiles(disk_, m, *m.CurrentSnapshot());
  ASSERT_TRUE(entries.ok());
  for (const iceberg::ManifestEntry& e : *entries) {
    EXPECT_EQ(e.data_file.spec_id, before.default_spec_id) << e.data_file.file_path;
  }
}

}  // namespace
}  // namespace floe::table
