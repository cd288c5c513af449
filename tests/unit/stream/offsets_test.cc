#include "floe/stream/offsets.h"

#include <gtest/gtest.h>

namespace floe::stream {
namespace {

TEST(OffsetsTest, RoundTripsThroughJsonWithSlashesInTopicNames) {
  OffsetMap offsets = {{{"edc.audit", 0}, 12}, {{"a/b", 3}, 0}, {{"x", 11}, 9000000000}};
  const std::string json = OffsetsToJson(offsets);
  EXPECT_EQ(json, R"({"a/b/3":0,"edc.audit/0":12,"x/11":9000000000})");
  auto back = OffsetsFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, offsets);
}

TEST(OffsetsTest, RefusesWhatIsNotAnOffsetMap) {
  for (const char* text : {"[]", "{\"t\":1}", "{\"t/x\":1}", "{\"t/1\":-1}", "{\"t/1\":\"3\"}",
                           "{\"/1\":3}", "{\"t/-1\":3}", "not json"}) {
    auto r = OffsetsFromJson(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
  }
}

TEST(OffsetsTest, ReadsATablesRecordAndItsCommits) {
  iceberg::TableMetadata m;
  auto none = RecordedOffsets(m, "p");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  m.properties[OffsetsPropertyKey("p")] = R"({"t/0":5})";
  EXPECT_EQ(OffsetsPropertyKey("p"), "floe.pipeline.p.offsets");
  auto some = RecordedOffsets(m, "p");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->at({"t", 0}), 5);
  EXPECT_TRUE(RecordedOffsets(m, "q")->empty());
  iceberg::Snapshot s;
  s.summary = {{"floe.commit-id", "abc"}};
  m.snapshots.push_back(s);
  EXPECT_TRUE(HasCommit(m, "abc"));
  EXPECT_FALSE(HasCommit(m, "abd"));
}

}  // namespace
}  // namespace floe::stream
