#include "floe/stream/offsets.h"

#include <fmt/format.h>

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

Result<OffsetMap> OffsetsFromJson(std::string_view text) {
  nlohmann::json json = ParseJsonOrDiscarded(text);
  if (!json.is_object()) return Status::Corruption("offsets are not a JSON object: {}", text);
  OffsetMap out;
  for (const auto& [key, value] : json.items()) {
    const size_t slash = key.rfind('/');
    TopicPartition tp;
    if (slash == std::string::npos || slash == 0) {
      return Status::Corruption("offsets key '{}' is not <topic>/<partition>", key);
    }
    tp.topic = key.substr(0, slash);
    const char* begin = key.data() + slash + 1;
    const char* end = key.data() + key.size();
    auto [ptr, ec] = std::from_chars(begin, end, tp.partition);
    if (ec != std::errc() || ptr != end || tp.partition < 0 || !value.is_number_integer() ||
        value.get<int64_t>() < 0) {
      return Status::Corruption("offsets entry '{}': {} is not a partition and an offset", key,
                                value.dump());
    }
    out[std::move(tp)] = value.get<int64_t>();
  }
  return out;
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
