#include "floe/stream/replay.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/iceberg/table_scan.h"
#include "floe/source/record.h"
#include "floe/stream/pipeline_stages.h"
#include "floe/table/table_commit.h"

namespace floe::stream {
namespace {

// A dead letter read back: the bytes and metadata Kafka gave, as a record.
class DeadLetterRecord final : public source::Record {
 public:
  std::string topic_;
  int32_t partition_ = 0;
  int64_t offset_ = 0;
  std::optional<int64_t> timestamp_ms_;
  std::optional<std::string> key_, value_;
  std::vector<source::RecordHeader> headers_;

  std::string_view topic() const override { return topic_; }
  int32_t partition() const override { return partition_; }
  int64_t offset() const override { return offset_; }
  std::optional<int64_t> timestamp_ms() const override { return timestamp_ms_; }
  std::optional<std::string_view> key() const override { return key_; }
  std::optional<std::string_view> value() const override { return value_; }
  std::vector<source::RecordHeader> headers() const override { return headers_; }
  TopicPartition tp() const { return {topic_, partition_}; }
};

std::optional<std::string> BytesOrNull(const Column& c, int64_t r) {
  if (!c.IsValid(r)) return std::nullopt;
  return std::string(c.Bytes(r));
}

// The columns of DeadLetterSchema(), by name, in the scan's batch.
struct DeadLetterColumns {
  const Column *pipeline, *topic, *partition, *offset, *timestamp, *key, *value, *headers;

  static Result<DeadLetterColumns> Find(const RecordBatch& b) {
    auto find = [&](std::string_view name) -> const Column* {
      const auto& fields = b.schema.fields();
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) return &b.columns[i];
      }
      return nullptr;
    };
    DeadLetterColumns c{find("pipeline"),        find("topic"), find("partition"), find("offset"),
                        find("kafka_timestamp"), find("key"),   find("value"),     find("headers")};
    for (const Column* col :
         {c.pipeline, c.topic, c.partition, c.offset, c.timestamp, c.key, c.value, c.headers}) {
      if (col == nullptr)
        return Status::InvalidArgument("not a dead-letter table: a column is missing");
    }
    return c;
  }
};

// The dead letters of `pipeline` in `table` that match `where` (all when
// empty), and the offsets of all of them, matching or not, per partition.
Status ReadDeadLetters(catalog::Catalog& catalog, const catalog::TableIdentifier& table,
                       const std::string& pipeline, const std::string& where,
                       std::vector<DeadLetterRecord>* out,
                       std::map<TopicPartition, std::vector<int64_t>>* all_offsets) {
  Result<std::string> location = catalog.LoadTable(table);
  if (location.status().code() == StatusCode::kNotFound) return Status::OK();  // none yet
  FLOE_RETURN_IF_ERROR(location.status());
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                        iceberg::ReadTableMetadataFile(catalog.io(), *location));
  const iceberg::Snapshot* snapshot = metadata.CurrentSnapshot();
  if (snapshot == nullptr) return Status::OK();  // no dead letters yet
  iceberg::ScanOptions everything;
  everything.columns = {"pipeline", "topic", "partition", "offset"};
  FLOE_RETURN_IF_ERROR(iceberg::ScanTable(
      catalog.io(), metadata, *snapshot, everything, [&](const RecordBatch& b) -> Status {
        for (int64_t r = 0; r < b.num_rows; ++r) {
          if (b.columns[0].Bytes(r) != pipeline) continue;
          (*all_offsets)[{std::string(b.columns[1].Bytes(r)), b.columns[2].Value<int32_t>(r)}]
              .push_back(b.columns[3].Value<int64_t>(r));
        }
        return Status::OK();
      }));
  for (auto& [tp, offsets] : *all_offsets) std::sort(offsets.begin(), offsets.end());
  iceberg::ScanOptions matching;
  if (!where.empty()) {
    FLOE_ASSIGN_OR_RETURN(matching.filter, iceberg::ParseExpression(where));
  }
  return iceberg::ScanTable(
      catalog.io(), metadata, *snapshot, matching, [&](const RecordBatch& b) -> Status {
        FLOE_ASSIGN_OR_RETURN(DeadLetterColumns c, DeadLetterColumns::Find(b));
        for (int64_t r = 0; r < b.num_rows; ++r) {
          if (c.pipeline->Bytes(r) != pipeline) continue;
          DeadLetterRecord d;
          d.topic_ = c.topic->Bytes(r);
          d.partition_ = c.partition->Value<int32_t>(r);
          d.offset_ = c.offset->Value<int64_t>(r);
          if (c.timestamp->IsValid(r)) d.timestamp_ms_ = c.timestamp->Value<int64_t>(r) / 1000;
          d.key_ = BytesOrNull(*c.key, r);
          d.value_ = BytesOrNull(*c.value, r);
          const Column& entry = c.headers->child(0);
          if (c.headers->IsValid(r)) {
            for (int32_t e = c.headers->Offset(r); e < c.headers->Offset(r + 1); ++e) {
              d.headers_.push_back(
                  {std::string(entry.child(0).Bytes(e)), BytesOrNull(entry.child(1), e)});
            }
          }
          out->push_back(std::move(d));
        }
        return Status::OK();
      });
}

// What a table takes: its new rows' dead letters, as ranges that also cover
// the offsets between them that are no dead letter of the pipeline (those
// can never become one: the dead-letter table has passed them), so that a
// replay that takes every dead letter of a partition records one range.
ReplayedRanges Coalesce(const std::map<TopicPartition, std::vector<int64_t>>& taken,
                        const std::map<TopicPartition, std::vector<int64_t>>& all_offsets) {
  ReplayedRanges out;
  for (const auto& [tp, offsets] : taken) {
    const std::set<int64_t> mine(offsets.begin(), offsets.end());
    const std::vector<int64_t>& all = all_offsets.at(tp);
    std::optional<std::pair<int64_t, int64_t>> run;
    for (const int64_t o : all) {
      if (mine.contains(o)) {
        run = run ? std::pair(run->first, o) : std::pair(o, o);
      } else if (run) {
        out.Add(tp, run->first, run->second);
        run.reset();
      }
    }
    if (run) out.Add(tp, run->first, run->second);
  }
  return out;
}

class Replayer {
 public:
  Replayer(const PipelineConfig& config, catalog::Catalog& catalog, const std::string& warehouse,
           const ReplayOptions& options)
      : config_(config), catalog_(catalog), warehouse_(warehouse), options_(options) {}

  Result<ReplayReport> Run() {
    FLOE_RETURN_IF_ERROR(Open());
    std::vector<DeadLetterRecord> letters;
    std::map<TopicPartition, std::vector<int64_t>> all_offsets;
    FLOE_RETURN_IF_ERROR(ReadDeadLetters(catalog_, config_.dead_letters, config_.name,
                                         options_.where, &letters, &all_offsets));
    report_.dead_letters = static_cast<int64_t>(letters.size());
    std::sort(letters.begin(), letters.end(), [](const auto& a, const auto& b) {
      return std::tie(a.topic_, a.partition_, a.offset_) <
             std::tie(b.topic_, b.partition_, b.offset_);
    });
    for (const DeadLetterRecord& d : letters) {
      FLOE_RETURN_IF_ERROR(transform_ ? AddToTransform(d) : Decode(d));
      if (transform_ && transform_->rows() >= kBatchRows) EvaluateTransform();
      for (auto& t : tables_) FLOE_RETURN_IF_ERROR(t->Flush(kBatchRows));
    }
    EvaluateTransform();
    for (size_t t = 0; t < tables_.size(); ++t) {
      TableTarget& table = *tables_[t];
      if (taken_[t].empty()) continue;
      const ReplayedRanges ranges = Coalesce(taken_[t], all_offsets);
      if (options_.dry_run) continue;
      FLOE_ASSIGN_OR_RETURN(TableTarget::CommitReport r, table.CommitReplayed(ranges));
      spdlog::info("replay of {}: {} rows into {} (snapshot {}, {} files)", config_.name, r.rows,
                   table.id().ToString(), r.snapshot_id, r.files);
    }
    return report_;
  }

 private:
  Status Open() {
    FLOE_ASSIGN_OR_RETURN(PipelineStages stages, OpenStages(config_, catalog_, warehouse_));
    decoder_ = std::move(stages.decoder);
    tables_ = std::move(stages.tables);
    routes_ = std::move(stages.routes);
    transform_ = std::move(stages.transform);
    for (const auto& t : tables_) {
      FLOE_ASSIGN_OR_RETURN(ReplayedRanges replayed, t->Replayed());
      replayed_.push_back(std::move(replayed));
    }
    taken_.resize(tables_.size());
    return Status::OK();
  }

  void Fail(std::string_view stage, std::string_view why) {
    ++report_.failing;
    ++report_.reasons[fmt::format("{}: {}", stage, why)];
  }

  // Table t takes dead letter d (unless an earlier replay gave it to t).
  bool AlreadyTaken(size_t t, const DeadLetterRecord& d) {
    if (!replayed_[t].Contains(d.tp(), d.offset_)) return false;
    ++report_.already;
    return true;
  }
  void Took(size_t t, const DeadLetterRecord& d) {
    taken_[t][d.tp()].push_back(d.offset_);
    ++report_.taken;
    ++report_.rows[tables_[t]->id().ToString()];
    tables_[t]->NoteBatchBytes(static_cast<int64_t>(d.value_ ? d.value_->size() : 0));
  }

  // Without a transform stage: decode, route, append (Pipeline::Process).
  Status Decode(const DeadLetterRecord& d) {
    if (!d.value_) {
      Fail("decode", "the record has no value (a tombstone)");
      return Status::OK();
    }
    Status parsed = decoder_->Parse(*d.value_);
    if (parsed.code() == StatusCode::kUnavailable) return parsed;  // a registry: try again later
    if (!parsed.ok()) {
      Fail("decode", parsed.message());
      return Status::OK();
    }
    size_t t = 0;
    if (!config_.route.empty()) {
      std::optional<std::string> value = decoder_->Scalar(config_.route);
      auto it = value ? routes_.find(*value) : routes_.end();
      if (it == routes_.end()) {
        Fail("route", value ? fmt::format("no table takes {} = '{}'", config_.route, *value)
                            : fmt::format("the record has no {}", config_.route));
        return Status::OK();
      }
      t = it->second;
    }
    if (AlreadyTaken(t, d)) return Status::OK();
    TableTarget& table = *tables_[t];
    Status appended = decoder_->AppendParsed(&table.batch(), table.evolves());
    if (!appended.ok()) {
      Fail("decode", table.evolves() && (appended.code() == StatusCode::kNotFound ||
                                         appended.code() == StatusCode::kOutOfRange)
                         ? "needs a schema change: replay once the running pipeline made it"
                         : appended.message());
      return Status::OK();
    }
    Took(t, d);
    return Status::OK();
  }

  // With a transform stage: decoded now, evaluated in batches.
  Status AddToTransform(const DeadLetterRecord& d) {
    if (!d.value_) {
      Fail("decode", "the record has no value (a tombstone)");
      return Status::OK();
    }
    Status decoded = decoder_->Append(*d.value_, &transform_->input());
    if (decoded.code() == StatusCode::kUnavailable) return decoded;
    if (!decoded.ok()) {
      Fail("decode", decoded.message());
      return Status::OK();
    }
    transform_->AddRecord(d);
    inputs_.push_back(&d);
    return Status::OK();
  }

  void EvaluateTransform() {
    if (!transform_ || transform_->rows() == 0) return;
    transform_->Evaluate(table::NowMillis() * 1000);
    std::vector<std::vector<int64_t>> rows_of(tables_.size());
    for (int64_t r = 0; r < transform_->rows(); ++r) {
      const int t = transform_->table(r);
      if (t == Transform::kFiltered) {
        ++report_.filtered;
      } else if (t == Transform::kFailed) {
        Fail(transform_->failed_in_step(r) ? "evaluate" : "route", transform_->error(r));
      } else if (!AlreadyTaken(static_cast<size_t>(t), *inputs_[static_cast<size_t>(r)])) {
        rows_of[static_cast<size_t>(t)].push_back(r);
      }
    }
    for (size_t t = 0; t < tables_.size(); ++t) {
      std::vector<std::pair<int64_t, std::string>> rejected;
      transform_->Emit(rows_of[t], {}, &tables_[t]->batch(), &rejected);
      std::set<int64_t> refused;
      for (const auto& [r, why] : rejected) {
        refused.insert(r);
        Fail("evaluate", why);
      }
      for (const int64_t r : rows_of[t]) {
        if (!refused.contains(r)) Took(t, *inputs_[static_cast<size_t>(r)]);
      }
    }
    transform_->Clear();
    inputs_.clear();
  }

  const PipelineConfig& config_;
  catalog::Catalog& catalog_;
  const std::string& warehouse_;
  const ReplayOptions& options_;
  std::unique_ptr<source::RecordDecoder> decoder_;
  std::vector<std::unique_ptr<TableTarget>> tables_;
  std::map<std::string, size_t> routes_;                               // `when` -> table
  std::vector<ReplayedRanges> replayed_;                               // per table, as loaded
  std::vector<std::map<TopicPartition, std::vector<int64_t>>> taken_;  // per table, this run
  std::optional<Transform> transform_;
  std::vector<const DeadLetterRecord*> inputs_;  // per row of transform_->input()
  ReplayReport report_;
};

}  // namespace

Result<ReplayReport> ReplayDeadLetters(const PipelineConfig& config, catalog::Catalog& catalog,
                                       const std::string& warehouse, const ReplayOptions& options) {
  Replayer replayer(config, catalog, warehouse, options);
  return replayer.Run();
}

}  // namespace floe::stream
