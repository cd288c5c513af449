#include "floe/iceberg/table_metadata.h"

#include <gtest/gtest.h>

namespace floe::iceberg {
namespace {

constexpr const char* kV1 = R"({
  "format-version": 1,
  "location": "/wh/t",
  "last-updated-ms": 1000,
  "last-column-id": 2,
  "schema": {"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": true, "type": "long"},
    {"id": 2, "name": "ts", "required": false, "type": "timestamptz"}]},
  "partition-spec": [{"name": "ts_day", "transform": "day", "source-id": 2}],
  "current-snapshot-id": 11,
  "snapshots": [
    {"snapshot-id": 10, "timestamp-ms": 100, "manifest-list": "/wh/t/metadata/snap-10.avro",
     "summary": {"operation": "append"}},
    {"snapshot-id": 11, "parent-snapshot-id": 10, "timestamp-ms": 200,
     "manifest-list": "/wh/t/metadata/snap-11.avro", "summary": {"operation": "overwrite"}}],
  "snapshot-log": [{"timestamp-ms": 100, "snapshot-id": 10}, {"timestamp-ms": 200, "snapshot-id": 11}]
})";

TEST(TableMetadataTest, ReadsV1AndUpgradesItsSingleMembers) {
  auto m = TableMetadataFromJson(kV1);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format_version, 1);
  ASSERT_EQ(m->schemas.size(), 1u);
  ASSERT_NE(m->CurrentSchema(), nullptr);
  ASSERT_EQ(m->specs.size(), 1u);
  EXPECT_EQ(m->specs[0].fields[0].field_id, 1000);  // assigned as the reference did
  EXPECT_EQ(m->specs[0].fields[0].transform, Transform::Day());
  EXPECT_EQ(m->refs.at("main").snapshot_id, 11);  // main is implied by current-snapshot-id
  EXPECT_EQ(m->CurrentSnapshot()->operation(), "overwrite");
  auto type = m->specs[0].PartitionType(*m->CurrentSchema());
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*type)->ToString(), "struct<1000: ts_day: optional date>");
}

TEST(TableMetadataTest, TimeTravelFollowsTheSnapshotLog) {
  auto m = TableMetadataFromJson(kV1);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->SnapshotAsOf(99), nullptr);
  EXPECT_EQ(m->SnapshotAsOf(100)->snapshot_id, 10);
  EXPECT_EQ(m->SnapshotAsOf(199)->snapshot_id, 10);
  EXPECT_EQ(m->SnapshotAsOf(5000)->snapshot_id, 11);
}

TEST(TableMetadataTest, WritesAndReadsBackTheSameModel) {
  auto m = TableMetadataFromJson(kV1);
  ASSERT_TRUE(m.ok());
  m->format_version = 2;
  m->table_uuid = "9c12d441-03fe-4693-9a96-a0705ddf69c1";
  m->last_sequence_number = 2;
  m->snapshots[0].sequence_number = 1;
  m->snapshots[1].sequence_number = 2;
  m->sort_orders.push_back(SortOrder{});
  m->refs["lock"] = SnapshotRef{10, SnapshotRef::Type::kTag, std::nullopt, std::nullopt, 86400000};
  m->properties["owner"] = "floe";
  const std::string json = TableMetadataToJson(*m);
  auto back = TableMetadataFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << json;
  EXPECT_EQ(*back, *m);
}

TEST(TableMetadataTest, RejectsInconsistentMetadata) {
  std::string text = kV1;
  text.replace(text.find("\"current-snapshot-id\": 11"), 25, "\"current-snapshot-id\": 12");
  auto m = TableMetadataFromJson(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
  EXPECT_NE(m.status().message().find("current snapshot 12"), std::string_view::npos);
  EXPECT_EQ(TableMetadataFromJson("{").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(TableMetadataFromJson(R"({"format-version": 4})").status().code(),
            StatusCode::kNotSupported);
}

}  // namespace
}  // namespace floe::iceberg
