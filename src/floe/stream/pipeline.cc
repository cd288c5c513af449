#include "floe/stream/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "floe/catalog/table_commit.h"
#include "floe/stream/dead_letters.h"

namespace floe::stream {
namespace {

using Clock = std::chrono::steady_clock;

// Rows a table's batch collects before they go to its files' encoders.
constexpr int64_t kBatchRows = 64 * 1024;
constexpr size_t kPollRecords = 10000;

int64_t NowMicros() {
  return catalog::NowMillis() * 1000;
}

}  // namespace

Pipeline::Pipeline(PipelineConfig config, catalog::Catalog& catalog, std::string warehouse)
    : config_(std::move(config)),
      catalog_(catalog),
      warehouse_(std::move(warehouse)),
      decoder_(static_cast<size_t>(config_.max_record_bytes)) {}

Pipeline::~Pipeline() = default;

PipelineStats Pipeline::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

Status Pipeline::Open() {
  TargetSettings settings;
  settings.pipeline = config_.name;
  settings.warehouse = warehouse_;
  settings.target_file_bytes = config_.target_file_bytes;
  // The budget: half for rows on their way into files, a quarter for
  // Kafka's fetch queue, the rest for decoding and the catalog.
  settings.max_buffered_bytes = config_.memory_budget_bytes / 2;
  FLOE_ASSIGN_OR_RETURN(table_, TableTarget::Open(catalog_, config_.table, settings));
  TableConfig dlq;
  dlq.id = config_.dead_letters;
  dlq.schema = DeadLetterSchema();
  settings.max_buffered_bytes = config_.memory_budget_bytes / 8;
  FLOE_ASSIGN_OR_RETURN(dead_letters_, TableTarget::Open(catalog_, dlq, settings));
  source::KafkaConsumer::Options kafka = config_.kafka;
  kafka.properties.emplace(
      "queued.max.messages.kbytes",
      std::to_string(std::max<int64_t>(config_.memory_budget_bytes / 4 / 1024, 1024)));
  kafka.properties.emplace("client.id", "floe-" + config_.name);
  FLOE_ASSIGN_OR_RETURN(consumer_, source::KafkaConsumer::Open(kafka, this));
  return Status::OK();
}

Result<std::map<TopicPartition, std::optional<int64_t>>> Pipeline::OnAssigned(
    const std::vector<TopicPartition>& partitions) {
  FLOE_ASSIGN_OR_RETURN(auto table, table_->Assign(partitions));
  FLOE_ASSIGN_OR_RETURN(auto dlq, dead_letters_->Assign(partitions));
  std::map<TopicPartition, std::optional<int64_t>> starts;
  for (size_t i = 0; i < partitions.size(); ++i) {
    // From the smallest offset a table recorded: a table without a record
    // joins there. Only when none has one does the configured start apply.
    std::optional<int64_t> start = table[i];
    if (dlq[i] && (!start || *dlq[i] < *start)) start = dlq[i];
    starts[partitions[i]] = start;
    assigned_.insert(partitions[i]);
    spdlog::info("pipeline {}: assigned {} from {}", config_.name, partitions[i].ToString(),
                 start ? std::to_string(*start)
                       : (config_.kafka.start_at_earliest ? "the earliest offset" : "the end"));
  }
  return starts;
}

void Pipeline::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  spdlog::info("pipeline {}: {} {} partition(s)", config_.name, lost ? "lost" : "revoked",
               partitions.size());
  // The last chance to commit their rows; after a loss the fence decides.
  // They are no longer this worker's to read again or to report lag for.
  for (const TopicPartition& tp : partitions) assigned_.erase(tp);
  if (Status s = CommitAll(/*force=*/true); !s.ok() && error_.ok()) error_ = s;
  table_->Drop(partitions);
  dead_letters_->Drop(partitions);
}

void Pipeline::Process(const source::KafkaMessage& message) {
  // A record polled before its partition was revoked is not this worker's.
  if (cached_topic_ != message.topic() || cached_partition_ != message.partition()) {
    cached_tp_ = {std::string(message.topic()), message.partition()};
    cached_owned_ = assigned_.contains(cached_tp_);
    cached_topic_ = cached_tp_.topic;
    cached_partition_ = cached_tp_.partition;
  }
  if (!cached_owned_) return;
  const TopicPartition& tp = cached_tp_;
  const int64_t offset = message.offset();
  const bool for_table = table_->Needs(tp, offset);
  const bool for_dlq = dead_letters_->Needs(tp, offset);
  if (!for_table && !for_dlq) return;  // both hold it already (read again after a rewind)
  const std::optional<std::string_view> value = message.value();
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.records;
    stats_.bytes += static_cast<int64_t>(value ? value->size() : 0);
  }
  Status decoded;
  if (!value) {
    decoded = Status::InvalidArgument("the record has no value (a tombstone)");
  } else if (for_table) {
    decoded = decoder_.Append(*value, &table_->batch());
  } else {
    // Only the dead letters still need it: decode to learn which it is.
    if (scratch_.schema.fields().empty() || !(scratch_.schema == table_->schema())) {
      scratch_ = RecordBatch::Empty(table_->schema());
    }
    decoded = decoder_.Append(*value, &scratch_);
    if (scratch_.num_rows >= kBatchRows) scratch_ = RecordBatch::Empty(table_->schema());
  }
  if (!decoded.ok() && for_dlq) {
    AppendDeadLetter(message, config_.name, "decode", decoded.message(), NowMicros(),
                     &dead_letters_->batch());
  }
  table_->Advance(tp, offset);
  dead_letters_->Advance(tp, offset);
}

Status Pipeline::SeekToNeeds() {
  for (const TopicPartition& tp : assigned_) {
    std::optional<int64_t> from = table_->NeedsFrom(tp);
    const std::optional<int64_t> dlq = dead_letters_->NeedsFrom(tp);
    if (dlq && (!from || *dlq < *from)) from = dlq;
    if (from) FLOE_RETURN_IF_ERROR(consumer_->Seek(tp, *from));
  }
  return Status::OK();
}

Status Pipeline::CommitAll(bool force) {
  const auto now = Clock::now();
  // A table that got no rows records its offsets now and then, so that a
  // restart need not read far back for it; at the end, always.
  const auto idle =
      std::max<Clock::duration>(config_.commit_interval * 30, std::chrono::seconds(10));
  bool rewound = false;
  for (TableTarget* target : {table_.get(), dead_letters_.get()}) {
    if (!target->HasChanges()) continue;
    auto& last = target == table_.get() ? table_last_commit_ : dlq_last_commit_;
    if (target->pending_rows() == 0 && !force && now - last < idle) continue;
    const auto started = Clock::now();
    FLOE_ASSIGN_OR_RETURN(TableTarget::CommitReport report, target->Commit());
    last = Clock::now();
    const double ms = std::chrono::duration<double, std::milli>(last - started).count();
    if (report.outcome == TableTarget::Outcome::kRewound) {
      rewound = true;
      std::lock_guard lock(stats_mutex_);
      ++stats_.rewinds;
      spdlog::warn("pipeline {}: commit to {} did not take effect, reading again: {}", config_.name,
                   target->id().ToString(), report.reason);
      continue;
    }
    if (report.outcome != TableTarget::Outcome::kCommitted) continue;
    {
      std::lock_guard lock(stats_mutex_);
      ++stats_.commits;
      (target == table_.get() ? stats_.rows : stats_.dead_letters) += report.rows;
      stats_.last_commit_ms = catalog::NowMillis();
    }
    spdlog::info(
        "pipeline {}: committed {} rows in {} files to {} (snapshot {}, {} attempt(s), {:.1f} ms)",
        config_.name, report.rows, report.files, target->id().ToString(), report.snapshot_id,
        report.attempts, ms);
  }
  if (rewound) FLOE_RETURN_IF_ERROR(SeekToNeeds());
  // Kafka's committed offsets: for lag monitors only, never read back.
  OffsetMap monitoring;
  for (const TopicPartition& tp : assigned_) {
    std::optional<int64_t> a = table_->Recorded(tp), b = dead_letters_->Recorded(tp);
    if (a && b) monitoring[tp] = std::min(*a, *b);
  }
  consumer_->CommitForMonitoring(monitoring);
  return Status::OK();
}

Status Pipeline::Run(const std::atomic<bool>& stop) {
  FLOE_RETURN_IF_ERROR(Open());
  spdlog::info("pipeline {}: {} -> {} (dead letters {}), committing every {} ms", config_.name,
               fmt::join(config_.kafka.topics, ","), config_.table.id.ToString(),
               config_.dead_letters.ToString(), config_.commit_interval.count());
  std::vector<source::KafkaMessage> messages;
  messages.reserve(kPollRecords);
  auto next_commit = Clock::now() + config_.commit_interval;
  while (!stop.load(std::memory_order_relaxed)) {
    const auto wait = std::clamp<Clock::duration>(
        next_commit - Clock::now(), Clock::duration::zero(), std::chrono::milliseconds(100));
    messages.clear();
    FLOE_RETURN_IF_ERROR(consumer_->Poll(
        std::chrono::duration_cast<std::chrono::milliseconds>(wait), kPollRecords, &messages));
    FLOE_RETURN_IF_ERROR(error_);
    for (const source::KafkaMessage& m : messages) Process(m);
    FLOE_RETURN_IF_ERROR(table_->Flush(kBatchRows));
    FLOE_RETURN_IF_ERROR(dead_letters_->Flush(kBatchRows));
    if (Clock::now() >= next_commit) {
      FLOE_RETURN_IF_ERROR(CommitAll(/*force=*/false));
      next_commit = Clock::now() + config_.commit_interval;
    }
  }
  spdlog::info("pipeline {}: stopping", config_.name);
  FLOE_RETURN_IF_ERROR(CommitAll(/*force=*/true));
  return consumer_->Close();
}

}  // namespace floe::stream
