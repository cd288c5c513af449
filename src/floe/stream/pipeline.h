// A running pipeline: one Kafka consumer group member that decodes each
// record into a row of the table its route picks, or into a dead letter
// when it cannot, and commits every table each commit interval with the
// offsets it holds (stream/table_target.h). One thread does it all; the data files' encoders
// run on the writer's own pool. docs/design/streaming.md has the protocol.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/source/kafka_consumer.h"
#include "floe/source/record_decoder.h"
#include "floe/stream/pipeline_config.h"
#include "floe/stream/table_target.h"
#include "floe/stream/transform.h"

namespace floe::stream {

// Upper bounds (seconds) of the commit latency histogram's buckets.
inline constexpr std::array<double, 10> kCommitBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                          0.25,  0.5,  1,     2.5,  10};

// One table's share, since the start.
struct TableStats {
  int64_t rows = 0, files = 0, bytes = 0, commits = 0;
  int64_t retries = 0;  // attempts past the first, of commits that took effect
  int64_t rewinds = 0;
  double commit_seconds = 0;                                    // summed over commits
  std::array<int64_t, kCommitBuckets.size()> latency_counts{};  // per bucket, not cumulative
  // Commits slower than the last bucket are counted in `commits` only.
};

// Counters since the start, for progress lines and metrics.
struct PipelineStats {
  int64_t records = 0;         // consumed (each once, re-reads after a rewind not counted)
  int64_t bytes = 0;           // of their values
  int64_t rows = 0;            // committed to the tables
  int64_t dead_letters = 0;    // committed to the dead-letter table
  int64_t filtered = 0;        // dropped by a transform's filter
  int64_t commits = 0;         // snapshots
  int64_t rewinds = 0;         // commits that did not take effect and were read again
  int64_t schema_changes = 0;  // schemas evolved from the records
  int64_t last_commit_ms = 0;
  // At the last commit: its end minus the newest committed record's Kafka
  // timestamp; -1 before any.
  double freshness_seconds = -1;
  std::map<std::string, TableStats> tables;  // by name, dead letters included
  std::map<TopicPartition, int64_t> lag;     // assigned partitions, as of the last commit
};

class Pipeline : public source::KafkaConsumer::Listener {
 public:
  // REQUIRES: catalog outlives the pipeline. `warehouse`: where tables the
  // pipeline creates go in a pointer catalog.
  Pipeline(PipelineConfig config, catalog::Catalog& catalog, std::string warehouse);
  ~Pipeline() override;

  // Consumes and commits until `stop` is set (then commits what it holds
  // and leaves the group) or a fatal error.
  Status Run(const std::atomic<bool>& stop);

  const PipelineConfig& config() const { return config_; }
  PipelineStats stats() const;

  // KafkaConsumer::Listener
  Result<std::map<TopicPartition, std::optional<int64_t>>> OnAssigned(
      const std::vector<TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override;

 private:
  Status Open();
  void Process(const source::Record& message);
  // With a transform stage: runs it over the records Process decoded and
  // hands each row to its table or to the dead letters.
  void EvaluatePoll();
  // Gives the partitions' records of the last poll to every table.
  void AdvanceAll();
  // The table the record Parse just read goes to (nullptr: none, a dead letter).
  TableTarget* Route(std::string* error);
  std::vector<TableTarget*> targets() const;  // the tables, then the dead letters
  // Commits every table that has changes; rewinds the consumer for any
  // that did not take effect.
  Status CommitAll(bool force);
  Status SeekToNeeds();
  // A record needs a schema its table lacks (evolve_): commits every table,
  // commits the table's new schema, and reads on from that record.
  Status EvolveAndReadAgain();
  // Ends the poll being processed before the record at `offset` of the
  // current partition (of `bytes`): it is read again after a seek.
  void EndPollBefore(int64_t offset, int64_t bytes);
  // unavailable_: commits what was read, waits (up to 5 s, less when
  // stopping), and reads on from the record that could not be decoded.
  Status PauseAndReadAgain(const std::atomic<bool>& stop);

  PipelineConfig config_;
  catalog::Catalog& catalog_;
  std::string warehouse_;
  std::vector<std::unique_ptr<TableTarget>> tables_;
  std::map<std::string, TableTarget*> routes_;  // `when` -> table
  std::unique_ptr<TableTarget> dead_letters_;
  std::vector<std::chrono::steady_clock::time_point> last_commit_;  // per target
  // The first and last offset of each partition in the poll being processed.
  std::map<TopicPartition, std::pair<int64_t, int64_t>> polled_;
  std::pair<int64_t, int64_t>* cached_range_ = nullptr;
  std::unique_ptr<source::KafkaConsumer> consumer_;
  std::unique_ptr<source::RecordDecoder> decoder_;  // the config's format
  std::set<TopicPartition> assigned_;
  // The partition of the last record seen and whether it is assigned.
  std::string_view cached_topic_;
  int32_t cached_partition_ = -1;
  TopicPartition cached_tp_;
  bool cached_owned_ = false;
  RecordBatch scratch_;                 // rows decoded only to learn a record is good
  std::optional<Transform> transform_;  // when the config has steps or a route expression
  std::vector<const source::Record*> input_messages_;  // per row of transform_->input()
  std::vector<TopicPartition> input_partitions_;       // the same rows' partitions
  int64_t polled_filtered_ = 0;
  struct Evolution {
    TableTarget* table;
    std::string record;
  };
  std::optional<Evolution> evolve_;  // set by Process: the poll ends there
  // Set by Process when a record could not be looked at yet (a schema
  // registry that cannot be reached): the poll ends before it, and it is
  // read again after a pause.
  std::optional<Status> unavailable_;
  Status error_;                                   // the first fatal error a rebalance callback hit
  uint64_t rewind_epoch_ = 0;                      // counts SeekToNeeds
  int64_t polled_records_ = 0, polled_bytes_ = 0;  // of the poll being processed
  int64_t newest_timestamp_ms_ = -1;               // of the records processed so far
  mutable std::mutex stats_mutex_;
  PipelineStats stats_;
};

}  // namespace floe::stream
