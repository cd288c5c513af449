// The append path (table/table_append.h) on a real SQLite catalog, with the
// table's files in memory (MemoryFileIO): what a snapshot records, where
// partitioned rows land, manifest merging, and refusals that leave the table
// as it was.
#include "floe/table/table_append.h"

#include <gtest/gtest.h>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_scan.h"
#include "temp_dir_test.h"

namespace floe::table {
using namespace floe::catalog;  // the store these operations commit to
namespace {

class TableAppendTest : public floe::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto c = OpenSqliteCatalog((dir_ / "catalog.db").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = *std::move(c);
    catalog_->UseFileIO(disk_);
    ASSERT_TRUE(catalog_->CreateNamespace({"lab"}, {}).ok());
  }

  void CreateTable(const std::string& partition,
                   std::map<std::string, std::string> properties = {}) {
    const Schema schema({{1, "id", true, Type::Long(), ""},
                         {2, "site", false, Type::String(), ""},
                         {3, "value", false, Type::Double(), ""}});
    auto spec = iceberg::ParsePartitionSpec(partition, schema);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    auto m = iceberg::NewTableMetadata(schema, *spec, iceberg::SortOrder{}, "/mem/lab.db/t",
                                       std::move(properties));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(catalog_->CreateTableFrom(id_, *m).ok());
  }

  // A JSON-lines input of `rows` records at sites S1, S2, S1, S2, ...
  std::string Input(const std::string& name, int rows, int first = 0) {
    std::string text;
    for (int i = first; i < first + rows; ++i) {
      text += fmt::format("{{\"id\": {}, \"site\": \"S{}\", \"value\": {}.5}}\n", i, 1 + i % 2, i);
    }
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(LocalFileIO().WriteAtomically(path, text, true).ok());
    return path;
  }

  iceberg::TableMetadata Current() {
    auto location = catalog_->LoadTable(id_);
    EXPECT_TRUE(location.ok());
    auto m = iceberg::ReadTableMetadataFile(disk_, *location);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }

  std::vector<int64_t> Ids(const iceberg::TableMetadata& m) {
    std::vector<int64_t> ids;
    EXPECT_TRUE(iceberg::ScanTable(disk_, m, *m.CurrentSnapshot(), {}, [&](const RecordBatch& b) {
                  for (int64_t r = 0; r < b.num_rows; ++r)
                    ids.push_back(b.columns[0].Value<int64_t>(r));
                  return Status::OK();
                }).ok());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  MemoryFileIO disk_;
  std::unique_ptr<Catalog> catalog_;
  const TableIdentifier id_{{"lab"}, "t"};
};

TEST_F(TableAppendTest, ASnapshotRecordsWhatItAdded) {
  CreateTable("");
  auto first = AppendFiles(*catalog_, id_, {Input("a.jsonl", 5)});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->records, 5);
  EXPECT_EQ(first->data_files, 1);
  auto second = AppendFiles(*catalog_, id_, {Input("b.jsonl", 3, 5)});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  const iceberg::TableMetadata m = Current();
  ASSERT_EQ(m.snapshots.size(), 2u);
  const iceberg::Snapshot& s = *m.CurrentSnapshot();
  EXPECT_EQ(s.snapshot_id, second->snapshot_id);
  EXPECT_EQ(s.parent_snapshot_id, first->snapshot_id);
  EXPECT_EQ(s.sequence_number, 2);
  EXPECT_EQ(s.summary.at("operation"), "append");
  EXPECT_EQ(s.summary.at("added-records"), "3");
  EXPECT_EQ(s.summary.at("total-records"), "8");
  EXPECT_EQ(s.summary.at("total-data-files"), "2");
  EXPECT_EQ(Ids(m), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(TableAppendTest, PartitionedRowsLandInTheirPartitionsFiles) {
  CreateTable("site");
  auto r = AppendFiles(*catalog_, id_, {Input("a.jsonl", 6)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data_files, 2);
  const iceberg::TableMetadata m = Current();
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("changed-partition-count"), "2");
  auto files = iceberg::PlanFiles(disk_, m, *m.CurrentSnapshot());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  for (const iceberg::ManifestEntry& e : *files) {
    const std::string site =
        e.data_file.file_path.find("/data/site=S1/") != std::string::npos ? "S1" : "S2";
    EXPECT_NE(e.data_file.file_path.find("/mem/lab.db/t/data/site=" + site + "/"),
              std::string::npos)
        << e.data_file.file_path;
    EXPECT_EQ(e.data_file.record_count, 3);
    ASSERT_EQ(e.data_file.partition.size(), 1u);
    EXPECT_EQ(e.data_file.partition[0].Bytes(0), site);
  }
  EXPECT_EQ(Ids(m), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST_F(TableAppendTest, ManifestsMergeAsTheTablesPropertiesSay) {
  CreateTable("", {{"commit.manifest.min-count-to-merge", "3"}});
  for (int i = 0; i < 4; ++i) {
    auto r = AppendFiles(*catalog_, id_, {Input("a.jsonl", 1, i)});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  iceberg::TableMetadata m = Current();
  auto merged = iceberg::ReadManifestList(disk_, m.CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(merged.ok());
  EXPECT_LT(merged->size(), 4u);  // merged once three had gathered
  EXPECT_EQ(Ids(m), (std::vector<int64_t>{0, 1, 2, 3}));

  // Merging turned off for one append: one more manifest, nothing rewritten.
  AppendOptions options;
  options.merge_manifests = false;
  auto r = AppendFiles(*catalog_, id_, {Input("b.jsonl", 1, 4)}, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->manifests_merged, 0);
  m = Current();
  auto after = iceberg::ReadManifestList(disk_, m.CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), merged->size() + 1);
}

TEST_F(TableAppendTest, RefusedInputsLeaveTheTableAsItWas) {
  CreateTable("");
  ASSERT_TRUE(AppendFiles(*catalog_, id_, {Input("a.jsonl", 2)}).ok());
  const iceberg::TableMetadata before = Current();
  auto missing = AppendFiles(*catalog_, id_, {(dir_ / "missing.jsonl").string()});
  EXPECT_FALSE(missing.ok());
  const std::string bad = (dir_ / "bad.jsonl").string();
  ASSERT_TRUE(LocalFileIO().WriteAtomically(bad, "{\"id\": \"not a number\"}\n", true).ok());
  auto wrong = AppendFiles(*catalog_, id_, {bad});
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument) << wrong.status().ToString();
  EXPECT_EQ(Current(), before);
  EXPECT_EQ(AppendFiles(*catalog_, TableIdentifier{{"lab"}, "nope"}, {Input("c.jsonl", 1)})
                .status()
                .code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace floe::table
