// A Kafka record as the pipeline's stages see it, wherever it comes from: a
// message just consumed (source/kafka_consumer.h) or a dead letter read back
// for a replay (stream/replay.h). The views stay valid while the record does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floe::source {

struct RecordHeader {
  std::string name;
  std::optional<std::string> value;  // nullopt: a header without a value
};

class Record {
 public:
  virtual ~Record() = default;

  virtual std::string_view topic() const = 0;
  virtual int32_t partition() const = 0;
  virtual int64_t offset() const = 0;
  // The record's timestamp (create or log-append time) in ms, if it has one.
  virtual std::optional<int64_t> timestamp_ms() const = 0;
  // nullopt for a null key / value (a value of zero bytes is "").
  virtual std::optional<std::string_view> key() const = 0;
  virtual std::optional<std::string_view> value() const = 0;
  virtual std::vector<RecordHeader> headers() const = 0;
};

}  // namespace floe::source
