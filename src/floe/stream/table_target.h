// One table a pipeline writes, with its share of the exactly-once state
// (docs/design/streaming.md): for each Kafka partition, the offset the
// table recorded (what the fence asserts), the next offset it needs
// (recorded + rows buffered since), and where to read again from if its
// buffered rows are lost. Rows arrive through batch(); Commit() writes them
// as one snapshot that also records the offsets, in one metadata swap.
// Not thread-safe: the pipeline's thread owns it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/source/json_schema_evolution.h"
#include "floe/stream/offsets.h"
#include "floe/stream/pipeline_config.h"
#include "floe/table/data_file_writer.h"

namespace floe::stream {

struct TargetSettings {
  std::string pipeline;
  std::string warehouse;  // where a pointer catalog puts a table floe creates
  std::optional<int64_t> target_file_bytes;
  int64_t max_buffered_bytes = int64_t{128} << 20;
};

class TableTarget {
 public:
  // Loads the table; when it does not exist and `create` has a schema,
  // creates it (namespace included). REQUIRES: catalog outlives the target.
  static Result<std::unique_ptr<TableTarget>> Open(catalog::Catalog& catalog,
                                                   const TableConfig& create,
                                                   TargetSettings settings);
  struct Private {};
  TableTarget(Private, catalog::Catalog& catalog, catalog::TableIdentifier id,
              TargetSettings settings)  // for Open only
      : catalog_(catalog), id_(std::move(id)), settings_(std::move(settings)) {}

  const catalog::TableIdentifier& id() const { return id_; }
  const Schema& schema() const { return batch_.schema; }
  // Whether records may evolve the table's schema (TableConfig::evolve_schema).
  bool evolves() const { return evolves_; }
  // Rows decoded for the table, not yet handed to its files.
  RecordBatch& batch() { return batch_; }

  // Reloads the table and takes its recorded offsets for `partitions` as
  // the state to go on from. Returns where the table needs each one read
  // from (nullopt: it recorded none).
  Result<std::vector<std::optional<int64_t>>> Assign(const std::vector<TopicPartition>& partitions);
  // Where the pipeline starts reading `tp`: a table that recorded nothing
  // of it reads again from there after a failed commit.
  void StartAt(const TopicPartition& tp, int64_t offset) {
    PartitionState& s = state_[tp];
    if (!s.resume) s.resume = offset;
  }
  // Forgets partitions the pipeline no longer owns (their buffered rows, if
  // any, are never committed by a later Commit: only Commit's own
  // partitions are, and their fence fails after a loss).
  void Drop(const std::vector<TopicPartition>& partitions);

  // Whether the record at `offset` of `tp` is one the table does not hold yet.
  bool Needs(const TopicPartition& tp, int64_t offset) const {
    auto it = state_.find(tp);
    return it == state_.end() || !it->second.next || offset >= *it->second.next;
  }
  // The record at `offset` has been given to the table (or was not for it).

  // The records from `first` to `last` of `tp` have been given to the
  // table (or were not for it).
  void Advance(const TopicPartition& tp, int64_t first, int64_t last);
  // Where the table needs `tp` read from: its next offset, or nullopt when
  // it has seen nothing of it and recorded nothing.
  std::optional<int64_t> NeedsFrom(const TopicPartition& tp) const;
  std::optional<int64_t> Recorded(const TopicPartition& tp) const;

  // Hands batch() rows to the open files once there are `min_rows` (0: any)
  // or the records they came from add up to a quarter of the buffer budget
  // (NoteBatchBytes), so that wide records do not hold a batch's worth of
  // rows in memory besides what the files buffer.
  Status Flush(int64_t min_rows = 0);
  // The records just decoded into batch() were `bytes` long.
  void NoteBatchBytes(int64_t bytes) { batch_bytes_ += bytes; }
  int64_t pending_rows() const { return pending_rows_ + batch_.num_rows; }
  // Whether a commit would record anything: rows, or offsets moved on.
  bool HasChanges() const;

  enum class Outcome {
    kNothing,    // nothing to commit
    kCommitted,  // one snapshot with the rows and offsets (or found committed after a lost answer)
    kRewound,    // not committed: the table's state was reloaded; read again from NeedsFrom
  };
  struct CommitReport {
    Outcome outcome = Outcome::kNothing;
    int64_t rows = 0, files = 0, bytes = 0, snapshot_id = 0, attempts = 0;
    std::string reason;  // for kRewound
  };
  // Commits the rows held and the offsets of every partition that moved
  // on, asserting in the same compare-and-swap that the table still records
  // the offsets this target started from (the fence). Errors are the
  // catalog's when even reloading the table failed; the pipeline retries.
  Result<CommitReport> Commit();

  // Replays (stream/replay.h): the dead letters the pipeline's replays gave
  // the table so far, as of its last load or commit.
  Result<ReplayedRanges> Replayed() const;
  // Commits the rows held as replayed dead letters `taken`: one snapshot
  // that adds `taken` to the table's replay marks (the offsets stay as they
  // are), refused when another replay took some of them meanwhile. An error
  // leaves the table without them (or, after an unknown outcome, is one that
  // proved not applied); the rows held are dropped either way.
  Result<CommitReport> CommitReplayed(const ReplayedRanges& taken);

  // Commits the schema `record` needs (source/json_schema_evolution.h) as
  // a schema change of its own, worked out again on the table as it is at
  // each attempt (another worker may have made it already), and takes the
  // new schema for the rows that follow. Returns the changes made (none
  // when the table had them). REQUIRES: pending_rows() == 0, since rows
  // held were decoded for the old schema.
  Result<std::vector<std::string>> EvolveSchema(std::string_view record);
  // What `record` would add to the schema (nullopt: nothing), without committing.
  Result<std::optional<source::SchemaEvolution>> SchemaFor(std::string_view record) const;

 private:
  struct PartitionState {
    std::optional<int64_t> recorded;  // in the table, as of the last load or commit
    std::optional<int64_t> next;      // recorded + buffered; nullopt: take anything
    std::optional<int64_t> resume;    // where the buffered rows started
  };

  Status Reload();
  Status ResetToTable();  // after a failed commit: state from the table, rows dropped
  Status OpenWriter();
  // The rows held, in closed files; after an error none are left (rows or files).
  Result<std::vector<iceberg::DataFile>> CloseFiles();
  // After a commit that failed with `failed`: whether it took effect all the
  // same (found in the check, or an unknown outcome the reloaded table's
  // history shows `commit_id` in).
  Result<bool> TookEffect(const Status& failed, bool found_committed, const std::string& commit_id);

  catalog::Catalog& catalog_;
  catalog::TableIdentifier id_;
  TargetSettings settings_;
  bool evolves_ = false;
  iceberg::TableMetadata metadata_;  // as last loaded or committed
  iceberg::PartitionSpec spec_;      // the writer's
  std::unique_ptr<table::DataFileWriter> writer_;
  RecordBatch batch_;
  int64_t batch_bytes_ = 0;   // of the records in batch_ (NoteBatchBytes)
  int64_t pending_rows_ = 0;  // rows in the writer
  std::map<TopicPartition, PartitionState> state_;
};

}  // namespace floe::stream
