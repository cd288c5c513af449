// A Kafka producer (librdkafka) for floe's generators and replays:
// idempotent, acks=all, deliveries counted and the first failure kept.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "floe/stream/offsets.h"
#include "floe/util/status.h"

struct rd_kafka_s;

namespace floe::source {

class KafkaProducer {
 public:
  // `properties`: any librdkafka producer property, over floe's defaults.
  static Result<std::unique_ptr<KafkaProducer>> Open(
      const std::string& bootstrap_servers,
      const std::map<std::string, std::string>& properties = {});
  struct Private {};
  explicit KafkaProducer(Private) {}  // for Open only
  ~KafkaProducer();

  // Queues one record (waiting while librdkafka's queue is full); the
  // outcome arrives later, in delivered() / failed().
  Status Produce(std::string_view topic, std::string_view key, std::string_view value);
  // Serves delivery reports without blocking.
  void Poll();
  // Waits until every queued record is delivered or failed (at most `timeout_ms`).
  Status Flush(int timeout_ms);

  // The first offset of `tp` and the one after its last (for lag figures).
  Result<std::pair<int64_t, int64_t>> Watermarks(const stream::TopicPartition& tp);

  int64_t delivered() const { return delivered_; }
  int64_t failed() const { return failed_; }
  const std::string& first_error() const { return first_error_; }

 private:
  rd_kafka_s* rk_ = nullptr;
  int64_t delivered_ = 0, failed_ = 0;
  std::string first_error_;
  friend struct ProducerCallbacks;
};

}  // namespace floe::source
