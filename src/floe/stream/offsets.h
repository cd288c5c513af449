// The exactly-once state of a pipeline: for each Kafka topic-partition, the
// next offset a table still needs. Each table keeps its own, in the same
// metadata swap that adds the data (docs/design/streaming.md):
//   table property  floe.pipeline.<name>.offsets  every partition the pipeline
//                                                  ever wrote to the table
//   snapshot summary floe.pipeline, floe.commit-id, floe.offsets (the
//                                                  partitions of that commit)
// The text is JSON: {"<topic>/<partition>": next_offset, ...}.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/iceberg/table_metadata.h"
#include "floe/util/status.h"

namespace floe::stream {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  std::string ToString() const;  // "<topic>/<partition>"
  auto operator<=>(const TopicPartition&) const = default;
};

using OffsetMap = std::map<TopicPartition, int64_t>;

std::string OffsetsToJson(const OffsetMap& offsets);
// kCorruption for text that is not such a map (a topic name may hold '/',
// the partition is after the last one).
Result<OffsetMap> OffsetsFromJson(std::string_view text);

// Keys of the table property and the snapshot summary.
std::string OffsetsPropertyKey(std::string_view pipeline);
inline constexpr std::string_view kSummaryPipeline = "floe.pipeline";
inline constexpr std::string_view kSummaryCommitId = "floe.commit-id";
inline constexpr std::string_view kSummaryOffsets = "floe.offsets";

// The offsets `pipeline` recorded in the table (empty when none).
Result<OffsetMap> RecordedOffsets(const iceberg::TableMetadata& metadata,
                                  std::string_view pipeline);

// Whether a snapshot of the table carries commit id `commit_id`: a commit
// whose answer was lost took effect exactly when one does.
bool HasCommit(const iceberg::TableMetadata& metadata, std::string_view commit_id);

// Which dead letters of a pipeline a table took in a replay (`floe pipeline
// replay`, stream/replay.h): per topic-partition, sorted disjoint offset
// ranges [first, last], kept in the table property
// floe.pipeline.<name>.replayed and, for this commit's, the summary's
// floe.replayed. JSON: {"<topic>/<partition>": [[first, last], ...], ...}.
class ReplayedRanges {
 public:
  bool Contains(const TopicPartition& tp, int64_t offset) const;
  // Adds [first, last], merging with the ranges it touches.
  void Add(const TopicPartition& tp, int64_t first, int64_t last);
  void Add(const ReplayedRanges& other);
  bool Overlaps(const ReplayedRanges& other) const;
  bool empty() const { return ranges_.empty(); }
  std::string ToJson() const;
  static Result<ReplayedRanges> FromJson(std::string_view text);  // kCorruption when not such a map

 private:
  std::map<TopicPartition, std::vector<std::pair<int64_t, int64_t>>> ranges_;
};

std::string ReplayedPropertyKey(std::string_view pipeline);
inline constexpr std::string_view kSummaryReplayed = "floe.replayed";
// The ranges `pipeline`'s replays recorded in the table (empty when none).
Result<ReplayedRanges> RecordedReplays(const iceberg::TableMetadata& metadata,
                                       std::string_view pipeline);

}  // namespace floe::stream
