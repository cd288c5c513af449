#include "floe/iceberg/table_update.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "floe/iceberg/table_builder.h"

namespace floe::iceberg {
namespace {

TableMetadata NewTable() {
  Schema schema({{1, "id", true, Type::Long(), ""}, {2, "site", false, Type::String(), ""}});
  PartitionSpec spec{0, {PartitionField{2, 1000, "site", Transform::Identity()}}};
  auto m = NewTableMetadata(schema, spec, SortOrder{}, "/tmp/t", {});
  EXPECT_TRUE(m.ok());
  return *m;
}

Snapshot MakeSnapshot(int64_t id, int64_t sequence_number) {
  Snapshot s;
  s.snapshot_id = id;
  s.sequence_number = sequence_number;
  s.timestamp_ms = 1000 * id;
  s.manifest_list = "/tmp/t/metadata/snap.avro";
  return s;
}

TEST(TableUpdateTest, AddSchemaReusesEqualSchemasAndGrowsTheLastColumnId) {
  TableMetadata m = NewTable();
  Schema same({{1, "id", true, Type::Long(), ""}, {2, "site", false, Type::String(), ""}}, 7);
  EXPECT_EQ(*AddSchema(same, &m), 0);  // equal fields: the existing schema, whatever id it says
  EXPECT_EQ(m.schemas.size(), 1u);
  Schema wider({{1, "id", true, Type::Long(), ""},
                {2, "site", false, Type::String(), ""},
                {3, "note", false, Type::String(), ""}});
  EXPECT_EQ(*AddSchema(wider, &m), 1);
  EXPECT_EQ(m.last_column_id, 3);
  EXPECT_EQ(m.current_schema_id, 0);  // adding does not make it current
  EXPECT_FALSE(
      AddSchema(Schema({{1, "a", false, Type::Long(), ""}, {1, "b", false, Type::Long(), ""}}),
                &m)
          .ok());  // duplicate ids
}

TEST(TableUpdateTest, AddSpecAndSortOrderReuseCompatibleOnes) {
  TableMetadata m = NewTable();
  PartitionSpec same{5, {PartitionField{2, 1005, "site", Transform::Identity()}}};
  EXPECT_EQ(*AddPartitionSpec(same, &m), 0);  // same source, transform and name
  PartitionSpec bucket{0, {PartitionField{1, 1001, "id_bucket", Transform::Bucket(8)}}};
  EXPECT_EQ(*AddPartitionSpec(bucket, &m), 1);
  EXPECT_EQ(m.last_partition_id, 1001);
  PartitionSpec unknown{0, {PartitionField{9, 1002, "x", Transform::Identity()}}};
  EXPECT_FALSE(AddPartitionSpec(unknown, &m).ok());  // no source column 9
  EXPECT_EQ(*AddSortOrder(SortOrder{}, &m), 0);      // unsorted
  SortOrder by_id{9, {SortField{Transform::Identity(), 1, true, true}}};
  EXPECT_EQ(*AddSortOrder(by_id, &m), 1);
  EXPECT_EQ(*AddSortOrder(by_id, &m), 1);
}

TEST(TableUpdateTest, RemoveSnapshotsDropsDanglingRefsAndOlderLogEntries) {
  TableMetadata m = NewTable();
  for (int64_t id : {1, 2, 3}) {
    m.snapshots.push_back(MakeSnapshot(id, id));
    m.last_sequence_number = id;
    ASSERT_TRUE(SetCurrentSnapshot(id, 1000 * id, &m).ok());
  }
  SnapshotRef tag;
  tag.snapshot_id = 1;
  tag.type = SnapshotRef::Type::kTag;
  ASSERT_TRUE(SetRef("old", tag, 0, &m).ok());
  ASSERT_TRUE(RemoveSnapshots({2}, &m).ok());
  EXPECT_EQ(m.snapshots.size(), 2u);
  EXPECT_TRUE(m.refs.contains("old"));
  ASSERT_EQ(m.snapshot_log.size(), 1u);  // entries up to the removed one go
  EXPECT_EQ(m.snapshot_log[0].snapshot_id, 3);
  ASSERT_TRUE(RemoveSnapshots({1}, &m).ok());
  EXPECT_FALSE(m.refs.contains("old"));
  EXPECT_EQ(*m.current_snapshot_id, 3);
  EXPECT_TRUE(m.Validate().ok());
}

TEST(TableUpdateTest, StatisticsFilesArePerSnapshotAndGoWithTheirSnapshots) {
  TableMetadata m = NewTable();
  m.snapshots = {MakeSnapshot(1, 1), MakeSnapshot(2, 2)};
  m.last_sequence_number = 2;
  ASSERT_TRUE(SetCurrentSnapshot(2, 2000, &m).ok());
  auto file = [](int id, const char* path) {
    return fmt::format(R"({{"snapshot-id":{},"statistics-path":"{}","file-size-in-bytes":10,)"
                       R"("file-footer-size-in-bytes":4,"blob-metadata":[]}})",
                       id, path);
  };
  ASSERT_TRUE(SetStatisticsFile("statistics", file(1, "/s/a.puffin"), &m).ok());
  ASSERT_TRUE(SetStatisticsFile("statistics", file(2, "/s/b.puffin"), &m).ok());
  ASSERT_TRUE(SetStatisticsFile("statistics", file(1, "/s/c.puffin"), &m).ok());  // replaces a
  const std::string& list = m.unmodeled.at("statistics");
  EXPECT_EQ(list.find("a.puffin"), std::string::npos) << list;
  EXPECT_NE(list.find("b.puffin"), std::string::npos) << list;
  EXPECT_NE(list.find("c.puffin"), std::string::npos) << list;
  EXPECT_EQ(SetStatisticsFile("statistics", R"({"statistics-path":"/x"})", &m).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SetStatisticsFile("statistics", "[]", &m).code(), StatusCode::kInvalidArgument);

  RemoveStatisticsFile("statistics", 2, &m);
  EXPECT_EQ(m.unmodeled.at("statistics").find("b.puffin"), std::string::npos);
  RemoveStatisticsFile("statistics", 7, &m);  // none: nothing happens
  ASSERT_TRUE(SetStatisticsFile("partition-statistics",
                                R"({"snapshot-id":1,"statistics-path":"/p.parquet"})", &m)
                  .ok());
  // Expiring snapshot 1 takes its files along; an empty list goes away.
  ASSERT_TRUE(RemoveSnapshots({1}, &m).ok());
  EXPECT_FALSE(m.unmodeled.contains("statistics"));
  EXPECT_FALSE(m.unmodeled.contains("partition-statistics"));
}

}  // namespace
}  // namespace floe::iceberg
