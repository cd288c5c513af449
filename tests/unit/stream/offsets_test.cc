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

TEST(ReplayedRangesTest, MergesTouchingRangesAndAnswersMembership) {
  ReplayedRanges r;
  const TopicPartition a{"a/b", 0}, b{"b", 3};
  r.Add(a, 10, 12);
  r.Add(a, 20, 20);
  r.Add(a, 14, 15);
  EXPECT_EQ(r.ToJson(), R"({"a/b/0":[[10,12],[14,15],[20,20]]})");
  r.Add(a, 13, 13);  // touches both neighbours: one range
  r.Add(b, 0, 0);
  EXPECT_EQ(r.ToJson(), R"({"a/b/0":[[10,15],[20,20]],"b/3":[[0,0]]})");
  for (int64_t o : {10, 13, 15, 20}) EXPECT_TRUE(r.Contains(a, o)) << o;
  for (int64_t o : {9, 16, 19, 21}) EXPECT_FALSE(r.Contains(a, o)) << o;
  EXPECT_FALSE(r.Contains({"a/b", 1}, 10));
  r.Add(a, 0, 100);  // swallows everything
  EXPECT_EQ(r.ToJson(), R"({"a/b/0":[[0,100]],"b/3":[[0,0]]})");

  ReplayedRanges other;
  other.Add(b, 1, 5);
  EXPECT_FALSE(r.Overlaps(other));
  other.Add(a, 100, 200);
  EXPECT_TRUE(r.Overlaps(other));
  r.Add(other);
  EXPECT_EQ(r.ToJson(), R"({"a/b/0":[[0,200]],"b/3":[[0,5]]})");

  auto back = ReplayedRanges::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), r.ToJson());
}

TEST(ReplayedRangesTest, RefusesWhatIsNotRanges) {
  for (const char* text :
       {"[]", R"({"t/1":[[3,2]]})", R"({"t/1":[[1]]})", R"({"t/1":[1,2]})", R"({"t/1":[[-1,2]]})",
        R"({"t":[[1,2]]})", R"({"t/1":{"a":1}})", "not json"}) {
    auto r = ReplayedRanges::FromJson(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
  }
  iceberg::TableMetadata m;
  auto none = RecordedReplays(m, "p");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  m.properties[ReplayedPropertyKey("p")] = R"({"t/0":[[4,9]]})";
  auto some = RecordedReplays(m, "p");
  ASSERT_TRUE(some.ok());
  EXPECT_TRUE(some->Contains({"t", 0}, 7));
}

}  // namespace
}  // namespace floe::stream
