#include "floe/stream/offsets.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "floe/util/json_parse.h"

namespace floe::stream {

std::string TopicPartition::ToString() const {
  return fmt::format("{}/{}", topic, partition);
}

std::string OffsetsToJson(const OffsetMap& offsets) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [tp, offset] : offsets) json[tp.ToString()] = offset;
  return json.dump();
}

namespace {

// "<topic>/<partition>": a topic name may hold '/', the partition is after the last one.
std::optional<TopicPartition> ParseTopicPartition(const std::string& key) {
  const size_t slash = key.rfind('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  TopicPartition tp;
  tp.topic = key.substr(0, slash);
  const char* begin = key.data() + slash + 1;
  const char* end = key.data() + key.size();
  auto [ptr, ec] = std::from_chars(begin, end, tp.partition);
  if (ec != std::errc() || ptr != end || tp.partition < 0) return std::nullopt;
  return tp;
}

bool IsOffset(const nlohmann::json& value) {
  return value.is_number_integer() && value.get<int64_t>() >= 0;
}

}  // namespace

Result<OffsetMap> OffsetsFromJson(std::string_view text) {
  nlohmann::json json = ParseJsonOrDiscarded(text);
  if (!json.is_object()) return Status::Corruption("offsets are not a JSON object: {}", text);
  OffsetMap out;
  for (const auto& [key, value] : json.items()) {
    std::optional<TopicPartition> tp = ParseTopicPartition(key);
    if (!tp || !IsOffset(value)) {
      return Status::Corruption("offsets entry '{}': {} is not a partition and an offset", key,
                                value.dump());
    }
    out[*std::move(tp)] = value.get<int64_t>();
  }
  return out;
}

bool ReplayedRanges::Contains(const TopicPartition& tp, int64_t offset) const {
  auto it = ranges_.find(tp);
  if (it == ranges_.end()) return false;
  const auto& r = it->second;
  // The first range that ends at or after `offset`.
  auto at = std::lower_bound(r.begin(), r.end(), offset,
                             [](const auto& range, int64_t o) { return range.second < o; });
  return at != r.end() && at->first <= offset;
}

void ReplayedRanges::Add(const TopicPartition& tp, int64_t first, int64_t last) {
  auto& r = ranges_[tp];
  // Ranges that overlap or touch [first, last] become one.
  auto begin = std::lower_bound(r.begin(), r.end(), first,
                                [](const auto& range, int64_t o) { return range.second + 1 < o; });
  auto end = begin;
  while (end != r.end() && end->first <= last + 1) {
    first = std::min(first, end->first);
    last = std::max(last, end->second);
    ++end;
  }
  begin = r.erase(begin, end);
  r.insert(begin, {first, last});
}

void ReplayedRanges::Add(const ReplayedRanges& other) {
  for (const auto& [tp, ranges] : other.ranges_) {
    for (const auto& [first, last] : ranges) Add(tp, first, last);
  }
}

bool ReplayedRanges::Overlaps(const ReplayedRanges& other) const {
  for (const auto& [tp, ranges] : other.ranges_) {
    auto it = ranges_.find(tp);
    if (it == ranges_.end()) continue;
    for (const auto& [first, last] : ranges) {
      for (const auto& [a, b] : it->second) {
        if (a <= last && first <= b) return true;
      }
    }
  }
  return false;
}

std::string ReplayedRanges::ToJson() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [tp, ranges] : ranges_) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [first, last] : ranges) list.push_back({first, last});
    json[tp.ToString()] = std::move(list);
  }
  return json.dump();
}

Result<ReplayedRanges> ReplayedRanges::FromJson(std::string_view text) {
  nlohmann::json json = ParseJsonOrDiscarded(text);
  if (!json.is_object()) return Status::Corruption("replayed ranges are not a JSON object");
  ReplayedRanges out;
  for (const auto& [key, value] : json.items()) {
    std::optional<TopicPartition> tp = ParseTopicPartition(key);
    bool valid = tp.has_value() && value.is_array();
    for (size_t i = 0; valid && i < value.size(); ++i) {
      const nlohmann::json& range = value[i];
      valid = range.is_array() && range.size() == 2 && IsOffset(range[0]) && IsOffset(range[1]) &&
              range[0].get<int64_t>() <= range[1].get<int64_t>();
      if (valid) out.Add(*tp, range[0].get<int64_t>(), range[1].get<int64_t>());
    }
    if (!valid) {
      return Status::Corruption("replayed entry '{}': {} is not a partition and offset ranges", key,
                                value.dump());
    }
  }
  return out;
}

std::string ReplayedPropertyKey(std::string_view pipeline) {
  return fmt::format("floe.pipeline.{}.replayed", pipeline);
}

Result<ReplayedRanges> RecordedReplays(const iceberg::TableMetadata& metadata,
                                       std::string_view pipeline) {
  auto it = metadata.properties.find(ReplayedPropertyKey(pipeline));
  if (it == metadata.properties.end()) return ReplayedRanges{};
  auto ranges = ReplayedRanges::FromJson(it->second);
  if (!ranges.ok()) return ranges.status().WithContext(fmt::format("table {}", metadata.location));
  return ranges;
}

std::string OffsetsPropertyKey(std::string_view pipeline) {
  return fmt::format("floe.pipeline.{}.offsets", pipeline);
}

Result<OffsetMap> RecordedOffsets(const iceberg::TableMetadata& metadata,
                                  std::string_view pipeline) {
  auto it = metadata.properties.find(OffsetsPropertyKey(pipeline));
  if (it == metadata.properties.end()) return OffsetMap{};
  auto offsets = OffsetsFromJson(it->second);
  if (!offsets.ok())
    return offsets.status().WithContext(fmt::format("table {}", metadata.location));
  return offsets;
}

bool HasCommit(const iceberg::TableMetadata& metadata, std::string_view commit_id) {
  for (const iceberg::Snapshot& s : metadata.snapshots) {
    auto it = s.summary.find(std::string(kSummaryCommitId));
    if (it != s.summary.end() && it->second == commit_id) return true;
  }
  return false;
}

}  // namespace floe::stream
