#include "floe/stream/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "floe/stream/dead_letters.h"
#include "floe/stream/pipeline_stages.h"
#include "floe/table/table_commit.h"

namespace floe::stream {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kPollRecords = 10000;

int64_t NowMicros() {
  return table::NowMillis() * 1000;
}

std::string TableNames(const PipelineConfig& config) {
  std::string out;
  for (const TableConfig& t : config.tables) {
    if (!out.empty()) out += ", ";
    out += t.id.ToString();
    if (!t.when.empty()) out += fmt::format(" ({} = '{}')", config.route, t.when);
  }
  return out;
}

}  // namespace

Pipeline::Pipeline(PipelineConfig config, catalog::Catalog& catalog, std::string warehouse)
    : config_(std::move(config)), catalog_(catalog), warehouse_(std::move(warehouse)) {}

Pipeline::~Pipeline() = default;

PipelineStats Pipeline::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

Status Pipeline::Open() {
  FLOE_ASSIGN_OR_RETURN(PipelineStages stages, OpenStages(config_, catalog_, warehouse_));
  decoder_ = std::move(stages.decoder);
  tables_ = std::move(stages.tables);
  for (const auto& [when, i] : stages.routes) routes_[when] = tables_[i].get();
  transform_ = std::move(stages.transform);
  TargetSettings settings = stages.settings;
  TableConfig dlq;
  dlq.id = config_.dead_letters;
  dlq.schema = DeadLetterSchema();
  settings.max_buffered_bytes = config_.memory_budget_bytes / 8;
  FLOE_ASSIGN_OR_RETURN(dead_letters_, TableTarget::Open(catalog_, dlq, settings));
  last_commit_.assign(tables_.size() + 1, Clock::now());
  source::KafkaConsumer::Options kafka = config_.kafka;
  // librdkafka's queue: an eighth of the budget in record bytes, which its
  // per-record overhead makes about a quarter in memory.
  kafka.properties.emplace(
      "queued.max.messages.kbytes",
      std::to_string(std::max<int64_t>(config_.memory_budget_bytes / 8 / 1024, 1024)));
  // And at most a sixteenth in one fetch response (librdkafka's default is
  // 50 MB, held besides the queue while it is parsed).
  kafka.properties.emplace("fetch.max.bytes",
                           std::to_string(std::clamp<int64_t>(config_.memory_budget_bytes / 16,
                                                              int64_t{1} << 20, 50 << 20)));
  kafka.properties.emplace("client.id", "floe-" + config_.name);
  // librdkafka stops prefetching a partition at 100,000 queued records by
  // default and then backs off for up to a second: a consumer that drains
  // its queue in a fraction of that waits the rest. The byte bound above is
  // the one that should hold.
  kafka.properties.emplace("queued.min.messages", "10000000");
  // librdkafka 2.0 backs off a full queue by fetch.error.backoff.ms (500 ms
  // by default) before fetching again: a full queue drains in milliseconds.
  kafka.properties.emplace("fetch.error.backoff.ms", "20");
  FLOE_ASSIGN_OR_RETURN(consumer_, source::KafkaConsumer::Open(kafka, this));
  return Status::OK();
}

std::vector<TableTarget*> Pipeline::targets() const {
  std::vector<TableTarget*> out;
  for (const auto& t : tables_) out.push_back(t.get());
  out.push_back(dead_letters_.get());
  return out;
}

Result<std::map<TopicPartition, std::optional<int64_t>>> Pipeline::OnAssigned(
    const std::vector<TopicPartition>& partitions) {
  // From the smallest offset a table recorded: a table without a record
  // joins there. Only when none has one does the configured start apply.
  std::vector<std::optional<int64_t>> starts(partitions.size());
  for (TableTarget* target : targets()) {
    FLOE_ASSIGN_OR_RETURN(auto recorded, target->Assign(partitions));
    for (size_t i = 0; i < partitions.size(); ++i) {
      if (recorded[i] && (!starts[i] || *recorded[i] < *starts[i])) starts[i] = recorded[i];
    }
  }
  // Partitions no table recorded start at the configured end, as an offset:
  // every partition then has a numeric place to be read again from, so a
  // rewind can seek them all.
  std::map<TopicPartition, std::optional<int64_t>> out;
  for (size_t i = 0; i < partitions.size(); ++i) {
    const TopicPartition& tp = partitions[i];
    const bool recorded = starts[i].has_value();
    if (!recorded) {
      FLOE_ASSIGN_OR_RETURN(auto marks, consumer_->Watermarks(tp));
      starts[i] = config_.kafka.start_at_earliest ? marks.first : marks.second;
    }
    for (TableTarget* target : targets()) target->StartAt(tp, *starts[i]);
    out[tp] = starts[i];
    assigned_.insert(tp);
    spdlog::info("pipeline {}: assigned {} from {}{}", config_.name, tp.ToString(), *starts[i],
                 recorded ? "" : (config_.kafka.start_at_earliest ? " (its start)" : " (its end)"));
  }
  cached_partition_ = -1;  // the cache may name a partition this changed
  return out;
}

void Pipeline::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  spdlog::info("pipeline {}: {} {} partition(s)", config_.name, lost ? "lost" : "revoked",
               partitions.size());
  // The last chance to commit their rows; after a loss the fence decides.
  // They are no longer this worker's to read again or to report lag for.
  for (const TopicPartition& tp : partitions) assigned_.erase(tp);
  AdvanceAll();  // the records of the poll so far were processed
  if (Status s = CommitAll(/*force=*/true); !s.ok() && error_.ok()) error_ = s;
  for (TableTarget* target : targets()) target->Drop(partitions);
  cached_partition_ = -1;
}

TableTarget* Pipeline::Route(std::string* error) {
  if (config_.route.empty()) return tables_[0].get();
  std::optional<std::string> value = decoder_->Scalar(config_.route);
  if (!value) {
    *error =
        fmt::format("no route: the record has no {} (a string, integer or boolean)", config_.route);
    return nullptr;
  }
  auto it = routes_.find(*value);
  if (it == routes_.end()) {
    *error = fmt::format("no route: no table takes {} = '{}'", config_.route, *value);
    return nullptr;
  }
  return it->second;
}

void Pipeline::Process(const source::Record& message) {
  // A record polled before its partition was revoked is not this worker's.
  if (cached_topic_ != message.topic() || cached_partition_ != message.partition()) {
    cached_tp_ = {std::string(message.topic()), message.partition()};
    cached_owned_ = assigned_.contains(cached_tp_);
    cached_topic_ = cached_tp_.topic;
    cached_partition_ = cached_tp_.partition;
    auto [it, added] = polled_.try_emplace(cached_tp_, message.offset(), message.offset());
    cached_range_ = &it->second;
  }
  if (!cached_owned_) return;
  if (const std::optional<int64_t> ts = message.timestamp_ms(); ts && *ts > newest_timestamp_ms_) {
    newest_timestamp_ms_ = *ts;
  }
  const TopicPartition& tp = cached_tp_;
  const int64_t offset = message.offset();
  cached_range_->second = offset;
  const std::optional<std::string_view> value = message.value();
  ++polled_records_;  // published once per poll (AdvanceAll), not locked per record
  polled_bytes_ += static_cast<int64_t>(value ? value->size() : 0);
  std::string_view stage = "decode";
  Status failed;
  TableTarget* table = nullptr;
  if (transform_) {
    // Decoded now, evaluated for the whole poll in EvaluatePoll; only a
    // record some table still needs.
    bool needed = false;
    for (TableTarget* target : targets()) needed = needed || target->Needs(tp, offset);
    if (!needed) return;
    if (!value) {
      failed = Status::InvalidArgument("the record has no value (a tombstone)");
    } else if (failed = decoder_->Append(*value, &transform_->input());
               failed.code() == StatusCode::kUnavailable) {
      unavailable_ = failed;
      EndPollBefore(offset, static_cast<int64_t>(value->size()));
      return;
    } else if (failed.ok()) {
      transform_->AddRecord(message);
      input_messages_.push_back(&message);
      input_partitions_.push_back(tp);
      return;
    }
  } else if (!value) {
    failed = Status::InvalidArgument("the record has no value (a tombstone)");
  } else if (failed = decoder_->Parse(*value); failed.code() == StatusCode::kUnavailable) {
    // Not the record's fault: it waits, and is read again (Run).
    unavailable_ = failed;
    EndPollBefore(offset, static_cast<int64_t>(value->size()));
    return;
  } else if (failed.ok()) {
    std::string why;
    table = Route(&why);
    if (table == nullptr) {
      stage = "route";
      failed = Status::InvalidArgument("{}", why);
    } else if (table->Needs(tp, offset)) {
      failed = decoder_->AppendParsed(&table->batch(), table->evolves());
      if (failed.ok()) table->NoteBatchBytes(static_cast<int64_t>(value->size()));
      if (!failed.ok() && table->evolves() &&
          (failed.code() == StatusCode::kNotFound || failed.code() == StatusCode::kOutOfRange)) {
        Result<std::optional<source::SchemaEvolution>> evolved = table->SchemaFor(*value);
        if (!evolved.ok()) {
          failed = evolved.status();
        } else if (*evolved) {
          // The record waits for its table's new schema: the poll ends
          // before it (Run), and it is read again after the change.
          evolve_ = Evolution{table, std::string(*value)};
          EndPollBefore(offset, static_cast<int64_t>(value->size()));
          return;
        } else {
          // Nothing to add after all (keys without values): stored as is.
          failed = decoder_->AppendParsed(&table->batch());
          if (failed.ok()) table->NoteBatchBytes(static_cast<int64_t>(value->size()));
        }
      }
    } else if (dead_letters_->Needs(tp, offset)) {
      // Only the dead letters still need it (read again after a rewind):
      // decode to learn whether it is one.
      if (!(scratch_.schema == table->schema())) scratch_ = RecordBatch::Empty(table->schema());
      failed = decoder_->AppendParsed(&scratch_);
      if (scratch_.num_rows >= kBatchRows) scratch_ = RecordBatch::Empty(table->schema());
    }
  }
  if (!failed.ok() && dead_letters_->Needs(tp, offset)) {
    AppendDeadLetter(message, config_.name, stage, failed.message(), NowMicros(),
                     &dead_letters_->batch());
  }
}

void Pipeline::EvaluatePoll() {
  if (!transform_ || transform_->rows() == 0) return;
  transform_->Evaluate(NowMicros());
  const int64_t n = transform_->rows();
  std::vector<std::vector<int64_t>> rows_of(tables_.size()), checks_of(tables_.size());
  auto dead_letter = [&](int64_t r, std::string_view stage, std::string_view why) {
    const source::Record& m = *input_messages_[static_cast<size_t>(r)];
    if (dead_letters_->Needs(input_partitions_[static_cast<size_t>(r)], m.offset())) {
      AppendDeadLetter(m, config_.name, stage, why, NowMicros(), &dead_letters_->batch());
    }
  };
  for (int64_t r = 0; r < n; ++r) {
    const int t = transform_->table(r);
    if (t == Transform::kFiltered) {
      ++polled_filtered_;
    } else if (t == Transform::kFailed) {
      dead_letter(r, transform_->failed_in_step(r) ? "evaluate" : "route", transform_->error(r));
    } else {
      // A row its table holds already (read again after a rewind, for the
      // dead letters) is only checked: is it one?
      const bool needed =
          tables_[static_cast<size_t>(t)]->Needs(input_partitions_[static_cast<size_t>(r)],
                                                 input_messages_[static_cast<size_t>(r)]->offset());
      (needed ? rows_of : checks_of)[static_cast<size_t>(t)].push_back(r);
    }
  }
  std::vector<std::pair<int64_t, std::string>> rejected;
  for (size_t t = 0; t < tables_.size(); ++t) {
    transform_->Emit(rows_of[t], checks_of[t], &tables_[t]->batch(), &rejected);
    int64_t bytes = 0;
    for (const int64_t r : rows_of[t]) {
      bytes += static_cast<int64_t>(input_messages_[static_cast<size_t>(r)]->value()->size());
    }
    tables_[t]->NoteBatchBytes(bytes);
  }
  for (const auto& [r, why] : rejected) dead_letter(r, "evaluate", why);
  transform_->Clear();
  input_messages_.clear();
  input_partitions_.clear();
}

void Pipeline::AdvanceAll() {
  EvaluatePoll();
  {
    std::lock_guard lock(stats_mutex_);
    stats_.records += polled_records_;
    stats_.bytes += polled_bytes_;
    stats_.filtered += polled_filtered_;
  }
  polled_records_ = polled_bytes_ = polled_filtered_ = 0;
  for (const auto& [tp, range] : polled_) {
    if (!assigned_.contains(tp)) continue;
    for (TableTarget* target : targets()) target->Advance(tp, range.first, range.second);
  }
  polled_.clear();
  cached_partition_ = -1;
}

Status Pipeline::SeekToNeeds() {
  for (const TopicPartition& tp : assigned_) {
    std::optional<int64_t> from;
    for (TableTarget* target : targets()) {
      const std::optional<int64_t> needs = target->NeedsFrom(tp);
      if (needs && (!from || *needs < *from)) from = needs;
    }
    if (from) FLOE_RETURN_IF_ERROR(consumer_->Seek(tp, *from));
  }
  // Records polled but not processed yet come again from the new positions.
  ++rewind_epoch_;
  return Status::OK();
}

void Pipeline::EndPollBefore(int64_t offset, int64_t bytes) {
  if (cached_range_->first == offset) {
    polled_.erase(cached_tp_);
    cached_partition_ = -1;
  } else {
    cached_range_->second = offset - 1;
  }
  --polled_records_;
  polled_bytes_ -= bytes;
}

Status Pipeline::PauseAndReadAgain(const std::atomic<bool>& stop) {
  const Status why = *std::exchange(unavailable_, std::nullopt);
  spdlog::warn("pipeline {}: pausing: {}", config_.name, why.ToString());
  FLOE_RETURN_IF_ERROR(CommitAll(/*force=*/true));
  // librdkafka's own thread keeps the group membership alive meanwhile
  // (5 s is far inside max.poll.interval.ms); paused in steps, so a stop
  // request is not kept waiting.
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < until && !stop.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return SeekToNeeds();
}

Status Pipeline::EvolveAndReadAgain() {
  const Evolution evolution = *std::exchange(evolve_, std::nullopt);
  // Rows held were decoded for the old schema: they are committed first.
  FLOE_RETURN_IF_ERROR(CommitAll(/*force=*/true));
  if (evolution.table->pending_rows() == 0) {
    Result<std::vector<std::string>> changes = evolution.table->EvolveSchema(evolution.record);
    if (!changes.ok()) {
      spdlog::warn("pipeline {}: schema of {} not changed: {}", config_.name,
                   evolution.table->id().ToString(), changes.status().ToString());
    } else if (!changes->empty()) {
      std::lock_guard lock(stats_mutex_);
      ++stats_.schema_changes;
      spdlog::info("pipeline {}: schema of {} evolved (schema {}): {}", config_.name,
                   evolution.table->id().ToString(), evolution.table->schema().schema_id(),
                   fmt::join(*changes, ", "));
    }
  }
  // The record comes again, and after it the rest of the poll.
  return SeekToNeeds();
}

Status Pipeline::CommitAll(bool force) {
  const auto now = Clock::now();
  // A table that got no rows records its offsets now and then, so that a
  // restart need not read far back for it; at the end, always.
  const auto idle =
      std::max<Clock::duration>(config_.commit_interval * 30, std::chrono::seconds(10));
  bool rewound = false, committed = false;
  const int64_t newest_ms = newest_timestamp_ms_;  // every record up to it is in these commits
  const std::vector<TableTarget*> all = targets();
  for (size_t i = 0; i < all.size(); ++i) {
    TableTarget* target = all[i];
    if (!target->HasChanges()) continue;
    auto& last = last_commit_[i];
    if (target->pending_rows() == 0 && !force && now - last < idle) continue;
    const auto started = Clock::now();
    FLOE_ASSIGN_OR_RETURN(TableTarget::CommitReport report, target->Commit());
    last = Clock::now();
    const double seconds = std::chrono::duration<double>(last - started).count();
    const std::string table = target->id().ToString();
    if (report.outcome == TableTarget::Outcome::kRewound) {
      rewound = true;
      {
        std::lock_guard lock(stats_mutex_);
        ++stats_.rewinds;
        ++stats_.tables[table].rewinds;
      }
      spdlog::warn("pipeline {}: commit to {} did not take effect, reading again: {}", config_.name,
                   table, report.reason);
      continue;
    }
    if (report.outcome != TableTarget::Outcome::kCommitted) continue;
    committed = true;
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.commits;
      (target == dead_letters_.get() ? stats_.dead_letters : stats_.rows) += report.rows;
      stats_.last_commit_ms = table::NowMillis();
      TableStats& t = stats_.tables[table];
      t.rows += report.rows;
      t.files += report.files;
      t.bytes += report.bytes;
      ++t.commits;
      t.retries += std::max<int64_t>(report.attempts - 1, 0);
      t.commit_seconds += seconds;
      const auto bucket = std::lower_bound(kCommitBuckets.begin(), kCommitBuckets.end(), seconds);
      if (bucket != kCommitBuckets.end()) ++t.latency_counts[bucket - kCommitBuckets.begin()];
    }
    // One line per commit, its figures as JSON after "committed ".
    spdlog::info(
        "pipeline {}: committed {{\"table\": \"{}\", \"snapshot\": {}, \"rows\": {}, \"files\": "
        "{}, "
        "\"bytes\": {}, \"attempts\": {}, \"ms\": {:.1f}}}",
        config_.name, table, report.snapshot_id, report.rows, report.files, report.bytes,
        report.attempts, seconds * 1000);
  }
  if (rewound) FLOE_RETURN_IF_ERROR(SeekToNeeds());
  // Kafka's committed offsets: for lag monitors only, never read back.
  OffsetMap monitoring;
  for (const TopicPartition& tp : assigned_) {
    std::optional<int64_t> lowest;
    bool all_recorded = true;
    for (TableTarget* target : all) {
      const std::optional<int64_t> r = target->Recorded(tp);
      all_recorded = all_recorded && r.has_value();
      if (r && (!lowest || *r < *lowest)) lowest = r;
    }
    if (all_recorded && lowest) monitoring[tp] = *lowest;
  }
  consumer_->CommitForMonitoring(monitoring);
  std::map<TopicPartition, int64_t> lag;
  for (const TopicPartition& tp : assigned_) {
    const std::optional<int64_t> high = consumer_->CachedHighWatermark(tp);
    if (!high) continue;
    // From what every table recorded, else from where reading goes on.
    int64_t from = -1;
    if (auto it = monitoring.find(tp); it != monitoring.end()) from = it->second;
    for (TableTarget* target : all) {
      const std::optional<int64_t> needs = target->NeedsFrom(tp);
      if (from < 0 && needs) from = *needs;
    }
    if (from >= 0) lag[tp] = std::max<int64_t>(*high - from, 0);
  }
  std::lock_guard lock(stats_mutex_);
  stats_.lag = std::move(lag);
  if (committed && newest_ms >= 0) {
    stats_.freshness_seconds = static_cast<double>(table::NowMillis() - newest_ms) / 1000.0;
  }
  return Status::OK();
}

Status Pipeline::Run(const std::atomic<bool>& stop) {
  FLOE_RETURN_IF_ERROR(Open());
  spdlog::info("pipeline {}: {} -> {} (dead letters {}), committing every {} ms", config_.name,
               fmt::join(config_.kafka.topics, ","), TableNames(config_),
               config_.dead_letters.ToString(), config_.commit_interval.count());
  std::vector<source::KafkaMessage> messages;
  messages.reserve(kPollRecords);
  auto next_commit = Clock::now() + config_.commit_interval;
  while (!stop.load(std::memory_order_relaxed)) {
    const auto wait = std::clamp<Clock::duration>(
        next_commit - Clock::now(), Clock::duration::zero(), std::chrono::milliseconds(100));
    messages.clear();
    const uint64_t epoch = rewind_epoch_;
    FLOE_RETURN_IF_ERROR(consumer_->Poll(
        std::chrono::duration_cast<std::chrono::milliseconds>(wait), kPollRecords, &messages));
    FLOE_RETURN_IF_ERROR(error_);
    // A rewind inside the poll (a failed commit as partitions were revoked)
    // sought every partition back: what the poll returned before it would
    // otherwise be taken ahead of the records it goes back for.
    if (rewind_epoch_ != epoch) messages.clear();
    for (const source::KafkaMessage& m : messages) {
      Process(m);
      if (evolve_ || unavailable_) break;
    }
    AdvanceAll();
    if (evolve_) FLOE_RETURN_IF_ERROR(EvolveAndReadAgain());
    if (unavailable_) FLOE_RETURN_IF_ERROR(PauseAndReadAgain(stop));
    for (TableTarget* target : targets()) FLOE_RETURN_IF_ERROR(target->Flush(kBatchRows));
    if (Clock::now() >= next_commit) {
      FLOE_RETURN_IF_ERROR(CommitAll(/*force=*/false));
      // A fixed cadence: the interval runs from one commit's start to the
      // next one's, so a record waits at most one interval plus one commit.
      next_commit += config_.commit_interval;
      if (next_commit <= Clock::now()) next_commit = Clock::now() + config_.commit_interval;
    }
  }
  spdlog::info("pipeline {}: stopping", config_.name);
  FLOE_RETURN_IF_ERROR(CommitAll(/*force=*/true));
  return consumer_->Close();
}

}  // namespace floe::stream
