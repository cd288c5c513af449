// A Kafka consumer group member (librdkafka), as the pipelines use it: the
// positions it reads from are never Kafka's committed offsets but the ones
// the listener answers at each assignment (the offsets recorded in the
// tables); Kafka's offsets are committed for monitoring only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/source/record.h"
#include "floe/stream/offsets.h"
#include "floe/util/status.h"

struct rd_kafka_s;
struct rd_kafka_message_s;
struct rd_kafka_topic_partition_list_s;

namespace floe::source {

using stream::TopicPartition;

// One consumed record; owns librdkafka's message until destroyed.
class KafkaMessage final : public Record {
 public:
  using Header = RecordHeader;
  explicit KafkaMessage(rd_kafka_message_s* message) : message_(message) {}
  KafkaMessage(KafkaMessage&&) noexcept = default;
  KafkaMessage& operator=(KafkaMessage&&) noexcept = default;

  std::string_view topic() const override;
  int32_t partition() const override;
  int64_t offset() const override;
  std::optional<int64_t> timestamp_ms() const override;
  std::optional<std::string_view> key() const override;
  std::optional<std::string_view> value() const override;
  std::vector<Header> headers() const override;

 private:
  struct Destroy {
    void operator()(rd_kafka_message_s* m) const;
  };
  std::unique_ptr<rd_kafka_message_s, Destroy> message_;
};

// The first offset of `tp` and the one after its last, asked of the
// partition's leader through any client handle (consumer or producer).
Result<std::pair<int64_t, int64_t>> QueryWatermarks(rd_kafka_s* client, const TopicPartition& tp);

class KafkaConsumer {
 public:
  // What the group's rebalances ask of the owner. Both run inside Poll, on
  // the polling thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    // Where to start reading each newly assigned partition: an offset, or
    // nullopt for the configured start (earliest or latest; Watermarks
    // gives those as offsets). An error stops the consumer (Poll returns it).
    virtual Result<std::map<TopicPartition, std::optional<int64_t>>> OnAssigned(
        const std::vector<TopicPartition>& partitions) = 0;
    // The partitions are being taken away: the last chance to commit their
    // data. `lost` says they may already be another member's (a session
    // that timed out): a commit must then be fenced, and may fail.
    virtual void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) = 0;
  };

  struct Options {
    std::string bootstrap_servers;
    std::string group_id;
    std::vector<std::string> topics;  // names, or regular expressions starting with '^'
    bool start_at_earliest = true;    // where partitions no table recorded start
    std::map<std::string, std::string> properties;  // any librdkafka property, passed through
  };

  // kInvalidArgument for a property librdkafka refuses, naming it.
  static Result<std::unique_ptr<KafkaConsumer>> Open(const Options& options, Listener* listener);
  struct Private {};
  explicit KafkaConsumer(Private) {}  // for Open only
  ~KafkaConsumer();                   // leaves the group (revoking every partition first)

  // Appends up to `max_messages` records to `out`, waiting at most `timeout`
  // for the first one; rebalances are handled inside. Returns the first
  // error the consumer or a listener reported (a fatal one stops it).
  Status Poll(std::chrono::milliseconds timeout, size_t max_messages,
              std::vector<KafkaMessage>* out);

  // Reads partition `tp` from `offset` on (it must be assigned).
  Status Seek(const TopicPartition& tp, int64_t offset);
  // The first offset `tp` holds and the one after its last (a query to the
  // partition's leader). Safe to call from the listener.
  Result<std::pair<int64_t, int64_t>> Watermarks(const TopicPartition& tp);

  // The offset after the last record of `tp` as of the last fetch (no
  // request: librdkafka keeps it from each fetch response); nullopt before
  // the first fetch. For lag figures.
  std::optional<int64_t> CachedHighWatermark(const TopicPartition& tp);

  // Kafka's committed offsets, for monitoring (consumer-group lag): async,
  // errors only logged.
  void CommitForMonitoring(const stream::OffsetMap& next_offsets);

  // Closes: revokes every partition through the listener and leaves.
  Status Close();

 private:
  void Rebalance(int err, rd_kafka_topic_partition_list_s* partitions);

  rd_kafka_s* rk_ = nullptr;
  Listener* listener_ = nullptr;
  bool start_at_earliest_ = true;
  bool closed_ = false;
  Status error_;  // the first error a rebalance hit
};

}  // namespace floe::source
