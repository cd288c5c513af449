#include "floe/iceberg/delete_index.h"

#include <gtest/gtest.h>

namespace floe::iceberg {
namespace {

// Spec 0 unpartitioned, spec 1 by identity of field 1.
TableMetadata Metadata() {
  TableMetadata m;
  m.specs.push_back(PartitionSpec{0, {}});
  m.specs.push_back(PartitionSpec{1, {PartitionField{1, 1000, "site", Transform::Identity()}}});
  return m;
}

ManifestEntry Entry(int32_t content, std::string path, int64_t sequence, int32_t spec = 1,
                    std::string partition = R"({"site":"A"})") {
  ManifestEntry e;
  e.status = 1;
  e.sequence_number = sequence;
  e.data_file.content = content;
  e.data_file.file_path = std::move(path);
  e.data_file.spec_id = spec;
  e.data_file.partition_json = std::move(partition);
  if (content == 2) e.data_file.equality_ids = {1};
  return e;
}

ManifestEntry Vector(std::string data_path, int64_t sequence) {
  ManifestEntry e = Entry(1, "dv.puffin", sequence);
  e.data_file.file_format = "PUFFIN";
  e.data_file.referenced_data_file = std::move(data_path);
  e.data_file.content_offset = 4;
  e.data_file.content_size_in_bytes = 40;
  return e;
}

std::vector<std::string> Paths(const std::vector<const ManifestEntry*>& entries) {
  std::vector<std::string> out;
  for (const ManifestEntry* e : entries) out.push_back(e->data_file.file_path);
  return out;
}

TEST(DeleteIndexTest, PositionDeletesApplyToSameOrOlderDataOfTheirPartition) {
  auto referenced = Entry(1, "pos-ref.parquet", 5);
  referenced.data_file.referenced_data_file = "other.parquet";
  auto bounded = Entry(1, "pos-bounds.parquet", 5);
  bounded.data_file.lower_bounds[kDeleteFilePathId] = "m";
  bounded.data_file.upper_bounds[kDeleteFilePathId] = "n";
  auto index = DeleteIndex::Make(
      Metadata(), {Entry(1, "pos-5.parquet", 5), Entry(1, "pos-3.parquet", 3),
                   Entry(1, "pos-other.parquet", 9, 1, R"({"site":"B"})"), referenced, bounded});
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  // Same sequence number: deletes of rows added in the same commit apply.
  EXPECT_EQ(Paths(index->For(Entry(0, "data.parquet", 5)).positions),
            (std::vector<std::string>{"pos-5.parquet"}));
  EXPECT_EQ(Paths(index->For(Entry(0, "data.parquet", 3)).positions),
            (std::vector<std::string>{"pos-5.parquet", "pos-3.parquet"}));
  EXPECT_TRUE(index->For(Entry(0, "data.parquet", 6)).empty());
  EXPECT_EQ(Paths(index->For(Entry(0, "other.parquet", 5)).positions),
            (std::vector<std::string>{"pos-5.parquet", "pos-ref.parquet"}));
  EXPECT_EQ(Paths(index->For(Entry(0, "mid.parquet", 5)).positions),
            (std::vector<std::string>{"pos-5.parquet", "pos-bounds.parquet"}));
  EXPECT_TRUE(index->For(Entry(0, "data.parquet", 1, 0, "{}")).empty());  // another spec
}

TEST(DeleteIndexTest, AVectorReplacesPositionFilesOfItsDataFile) {
  auto index =
      DeleteIndex::Make(Metadata(), {Entry(1, "pos.parquet", 4), Vector("data.parquet", 6)});
  ASSERT_TRUE(index.ok());
  const auto with_vector = index->For(Entry(0, "data.parquet", 2));
  ASSERT_NE(with_vector.vector, nullptr);
  EXPECT_TRUE(with_vector.positions.empty());
  EXPECT_EQ(index->For(Entry(0, "data.parquet", 7)).vector, nullptr);  // newer data
  EXPECT_EQ(Paths(index->For(Entry(0, "else.parquet", 2)).positions),
            (std::vector<std::string>{"pos.parquet"}));
  auto twice =
      DeleteIndex::Make(Metadata(), {Vector("data.parquet", 6), Vector("data.parquet", 7)});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().ToString().find("two deletion vectors"), std::string::npos);
}

TEST(DeleteIndexTest, EqualityDeletesApplyToStrictlyOlderDataAndGloballyWhenUnpartitioned) {
  auto index = DeleteIndex::Make(
      Metadata(), {Entry(2, "eq-a.parquet", 5), Entry(2, "eq-global.parquet", 8, 0, "{}")});
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(Paths(index->For(Entry(0, "data.parquet", 4)).equalities),
            (std::vector<std::string>{"eq-a.parquet", "eq-global.parquet"}));
  EXPECT_EQ(Paths(index->For(Entry(0, "data.parquet", 5)).equalities),
            (std::vector<std::string>{"eq-global.parquet"}));
  EXPECT_EQ(Paths(index->For(Entry(0, "b.parquet", 1, 1, R"({"site":"B"})")).equalities),
            (std::vector<std::string>{"eq-global.parquet"}));
  EXPECT_TRUE(index->For(Entry(0, "data.parquet", 8)).empty());
}

}  // namespace
}  // namespace floe::iceberg
