#include "floe/iceberg/append_rebase.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_writer.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_update.h"
#include "temp_dir_test.h"

namespace floe::iceberg {
namespace {

// A v2 table on disk whose appends write real manifests and manifest lists,
// as a client would: one manifest of new files, then the parent's manifests.
class AppendRebaseTest : public floe::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    std::filesystem::create_directories(dir_ / "metadata");
    Schema schema({{1, "id", true, Type::Long(), ""}});
    auto m = NewTableMetadata(schema, PartitionSpec{}, SortOrder{}, dir_.string(), {});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    table_ = *std::move(m);
  }

  std::string MetadataPath(const std::string& name) const {
    return (dir_ / "metadata" / name).string();
  }

  // A client's append of `records` rows on the table's current main.
  Snapshot BuildAppend(int64_t id, int64_t records, const std::string& operation = "append") {
    Snapshot s;
    s.snapshot_id = id;
    s.parent_snapshot_id = table_.current_snapshot_id;
    s.sequence_number = table_.last_sequence_number + 1;
    s.timestamp_ms = 1'000'000 + id;
    s.schema_id = 0;
    s.manifest_list = MetadataPath("snap-" + std::to_string(id) + ".avro");
    DataFile file;
    file.file_path = (dir_ / ("data-" + std::to_string(id) + ".parquet")).string();
    file.file_format = "PARQUET";
    file.record_count = records;
    file.file_size_in_bytes = 100 * records;
    auto manifest = WriteManifest(LocalFileIO(), MetadataPath("m-" + std::to_string(id) + ".avro"),
                                  table_, *table_.DefaultSpec(), AddedEntries({file}));
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    AssignManifestToSnapshot(s, &*manifest);
    std::vector<ManifestFile> manifests = {*manifest};
    std::map<std::string, std::string> parent_summary;
    if (const Snapshot* parent = table_.CurrentSnapshot()) {
      auto carried = ReadManifestList(LocalFileIO(), parent->manifest_list);
      EXPECT_TRUE(carried.ok());
      manifests.insert(manifests.end(), carried->begin(), carried->end());
      parent_summary = parent->summary;
    }
    EXPECT_TRUE(WriteManifestList(LocalFileIO(), s.manifest_list, s, manifests).ok());
    auto total = [&](const char* key, int64_t added) {
      auto it = parent_summary.find(key);
      return std::to_string((it == parent_summary.end() ? 0 : std::stoll(it->second)) + added);
    };
    s.summary = {{"operation", operation},
                 {"added-data-files", "1"},
                 {"added-records", std::to_string(records)},
                 {"added-files-size", std::to_string(100 * records)},
                 {"total-records", total("total-records", records)},
                 {"total-data-files", total("total-data-files", 1)},
                 {"total-files-size", total("total-files-size", 100 * records)}};
    return s;
  }

  void Commit(const Snapshot& s) {
    table_.snapshots.push_back(s);
    table_.last_sequence_number = s.sequence_number;
    ASSERT_TRUE(SetCurrentSnapshot(s.snapshot_id, s.timestamp_ms, &table_).ok());
  }

  TableMetadata table_;
};

TEST_F(AppendRebaseTest, RacingAppendLandsOnTheNewMainWithItsOwnManifests) {
  Commit(BuildAppend(1, 10));
  const Snapshot late = BuildAppend(3, 5);  // built on snapshot 1 ...
  Commit(BuildAppend(2, 7));                // ... while 2 lands first
  auto rebased = RebaseFastAppend(LocalFileIO(), late, table_, MetadataPath("rebased.avro"));
  ASSERT_TRUE(rebased.ok()) << rebased.status().ToString();
  EXPECT_EQ(rebased->snapshot_id, 3);
  EXPECT_EQ(rebased->parent_snapshot_id, 2);
  EXPECT_EQ(rebased->sequence_number, 3);
  EXPECT_EQ(rebased->manifest_list, MetadataPath("rebased.avro"));
  EXPECT_GT(rebased->timestamp_ms, table_.CurrentSnapshot()->timestamp_ms);
  EXPECT_EQ(rebased->summary.at("added-records"), "5");
  EXPECT_EQ(rebased->summary.at("total-records"), "22");
  EXPECT_EQ(rebased->summary.at("total-data-files"), "3");
  EXPECT_EQ(rebased->summary.at("total-files-size"), "2200");

  auto list = ReadManifestList(LocalFileIO(), rebased->manifest_list);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);  // its own, then main's two
  EXPECT_EQ((*list)[0].manifest_path, MetadataPath("m-3.avro"));
  EXPECT_EQ((*list)[0].sequence_number, 3);
  EXPECT_EQ((*list)[0].min_sequence_number, 3);
  EXPECT_EQ((*list)[0].added_snapshot_id, 3);
  EXPECT_EQ((*list)[1].manifest_path, MetadataPath("m-2.avro"));
  EXPECT_EQ((*list)[1].sequence_number, 2);
  EXPECT_EQ((*list)[2].manifest_path, MetadataPath("m-1.avro"));
  auto entries = ReadManifest(LocalFileIO(), (*list)[0]);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].sequence_number, 3);  // inherited from the rebased list
  EXPECT_EQ((*entries)[0].snapshot_id, 3);
}

TEST_F(AppendRebaseTest, FirstAppendRebasesOntoAppendsThatLandedFirst) {
  const Snapshot first = BuildAppend(5, 1);  // on the empty table
  Commit(BuildAppend(6, 2));
  auto rebased = RebaseFastAppend(LocalFileIO(), first, table_, MetadataPath("rebased.avro"));
  ASSERT_TRUE(rebased.ok()) << rebased.status().ToString();
  EXPECT_EQ(rebased->parent_snapshot_id, 6);
  EXPECT_EQ(ReadManifestList(LocalFileIO(), rebased->manifest_list)->size(), 2u);
  EXPECT_EQ(rebased->summary.at("total-records"), "3");
}

TEST_F(AppendRebaseTest, RefusesWhenMoreThanAppendsHappenedSinceItsParent) {
  Commit(BuildAppend(1, 10));
  const Snapshot late = BuildAppend(3, 5);
  Commit(BuildAppend(2, 7, "overwrite"));
  auto rebased = RebaseFastAppend(LocalFileIO(), late, table_, MetadataPath("rebased.avro"));
  EXPECT_EQ(rebased.status().code(), StatusCode::kConflict);
  EXPECT_NE(rebased.status().message().find("'overwrite'"), std::string::npos)
      << rebased.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(MetadataPath("rebased.avro")));
}

TEST_F(AppendRebaseTest, RefusesWhenItsParentIsNoLongerMainsAncestor) {
  Commit(BuildAppend(1, 10));
  const Snapshot late = BuildAppend(3, 5);
  // main is rolled back to a new root: snapshot 1 is off main's history.
  table_.current_snapshot_id.reset();
  table_.refs.erase("main");
  Commit(BuildAppend(2, 7));
  table_.snapshots.back().parent_snapshot_id.reset();
  auto rebased = RebaseFastAppend(LocalFileIO(), late, table_, MetadataPath("rebased.avro"));
  EXPECT_EQ(rebased.status().code(), StatusCode::kConflict) << rebased.status().ToString();
  // Expired history cannot be checked either.
  table_.snapshots.back().parent_snapshot_id = 99;
  EXPECT_EQ(
      RebaseFastAppend(LocalFileIO(), late, table_, MetadataPath("rebased.avro")).status().code(),
      StatusCode::kConflict);
}

TEST_F(AppendRebaseTest, RefusesWhatIsNotAFastAppend) {
  Commit(BuildAppend(1, 10));
  Snapshot merged = BuildAppend(3, 5);
  Commit(BuildAppend(2, 7));
  // A merging append listed a rewrite of the parent's manifest, not the manifest itself.
  auto list = ReadManifestList(LocalFileIO(), merged.manifest_list);
  ASSERT_TRUE(list.ok());
  list->pop_back();
  ASSERT_TRUE(WriteManifestList(LocalFileIO(), merged.manifest_list, merged, *list).ok());
  EXPECT_EQ(RebaseFastAppend(LocalFileIO(), merged, table_, MetadataPath("r.avro")).status().code(),
            StatusCode::kConflict);

  Snapshot overwrite = BuildAppend(4, 1, "overwrite");
  EXPECT_EQ(
      RebaseFastAppend(LocalFileIO(), overwrite, table_, MetadataPath("r.avro")).status().code(),
      StatusCode::kConflict);

  Snapshot late = BuildAppend(5, 1);
  Commit(BuildAppend(6, 1));
  table_.format_version = 3;  // row ids would need reassigning
  EXPECT_EQ(RebaseFastAppend(LocalFileIO(), late, table_, MetadataPath("r.avro")).status().code(),
            StatusCode::kConflict);
  table_.format_version = 2;
  EXPECT_TRUE(RebaseFastAppend(LocalFileIO(), late, table_, MetadataPath("r.avro")).ok());
}

}  // namespace
}  // namespace floe::iceberg
