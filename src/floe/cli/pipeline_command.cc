// `floe pipeline`: streaming ingest from Kafka into Iceberg tables, as the
// YAML configs of stream/pipeline_config.h declare it.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "floe/cli/catalog_options.h"
#include "floe/cli/command.h"
#include "floe/io/file.h"
#include "floe/source/kafka_producer.h"
#include "floe/stream/pipeline_group.h"
#include "floe/stream/record_format.h"
#include "floe/stream/replay.h"

namespace floe::cli {
namespace {

struct PipelineOptions {
  CatalogOptions catalog;
  std::string config;
  std::vector<std::string> only;  // --pipeline NAME
  int progress_seconds = 5;
  std::string where;  // replay --where
  bool dry_run = false;
};

}  // namespace

Result<std::vector<stream::PipelineConfig>> LoadPipelineConfig(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path));
  std::vector<stream::ConfigError> errors;
  auto pipelines = stream::ParsePipelines(text, &errors);
  if (!pipelines) {
    for (const stream::ConfigError& e : errors) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), e.ToString().c_str());
    }
    return Status::InvalidArgument("{}: {} error(s) in the pipeline config", path, errors.size());
  }
  return *std::move(pipelines);
}

namespace {

Status RunValidate(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto pipelines, LoadPipelineConfig(o.config));
  size_t failed = 0;
  for (const stream::PipelineConfig& p : pipelines) {
    // What the YAML names outside itself (an Avro schema file) is read too.
    if (Result<stream::RecordFormat> format = stream::OpenRecordFormat(p); !format.ok()) {
      std::fprintf(stderr, "%s: pipeline %s: %s\n", o.config.c_str(), p.name.c_str(),
                   std::string(format.status().message()).c_str());
      ++failed;
    }
  }
  if (failed > 0) {
    return Status::InvalidArgument("{}: {} error(s) in the pipeline config", o.config, failed);
  }
  for (const stream::PipelineConfig& p : pipelines) {
    std::string tables;
    for (const stream::TableConfig& t : p.tables) {
      tables += (tables.empty() ? "" : ", ") + t.id.ToString();
      if (!t.when.empty()) tables += " when " + p.route + " = '" + t.when + "'";
    }
    std::printf("%s: %s -> %s (dead letters %s), every %lld ms\n", p.name.c_str(),
                fmt::format("{}", fmt::join(p.kafka.topics, ",")).c_str(), tables.c_str(),
                p.dead_letters.ToString().c_str(),
                static_cast<long long>(p.commit_interval.count()));
  }
  std::printf("%s: %zu pipeline(s), no errors\n", o.config.c_str(), pipelines.size());
  return Status::OK();
}

// One table's figures for `floe pipeline status`: rows, lag behind the
// topics' ends, and this pipeline's commits over the last minute.
void PrintTableStatus(catalog::Catalog& cat, const stream::PipelineConfig& p,
                      const catalog::TableIdentifier& id, source::KafkaProducer* kafka) {
  auto location = cat.LoadTable(id);
  if (!location.ok()) {
    std::printf("  %-32s not created yet\n", id.ToString().c_str());
    return;
  }
  auto m = iceberg::ReadTableMetadataFile(cat.io(), *location);
  if (!m.ok()) {
    std::printf("  %-32s %s\n", id.ToString().c_str(), m.status().ToString().c_str());
    return;
  }
  auto offsets = stream::RecordedOffsets(*m, p.name);
  std::string lag = "lag unknown";
  if (offsets.ok() && kafka != nullptr) {
    int64_t behind = 0;
    bool known = true;
    for (const auto& [tp, next] : *offsets) {
      auto marks = kafka->Watermarks(tp);
      known = known && marks.ok();
      if (marks.ok()) behind += std::max<int64_t>(marks->second - next, 0);
    }
    if (known) lag = fmt::format("lag {}", behind);
  }
  const iceberg::Snapshot* current = m->CurrentSnapshot();
  const std::string rows = current ? current->summary.at("total-records") : "0";
  const int64_t now = table::NowMillis();
  int64_t last = -1, commits = 0, added = 0;
  for (const iceberg::Snapshot& s : m->snapshots) {
    auto it = s.summary.find(std::string(stream::kSummaryPipeline));
    if (it == s.summary.end() || it->second != p.name) continue;
    last = std::max(last, s.timestamp_ms);
    if (now - s.timestamp_ms <= 60000) {
      ++commits;
      if (auto a = s.summary.find("added-records"); a != s.summary.end())
        added += std::stoll(a->second);
    }
  }
  const std::string when =
      last < 0 ? "no commit yet"
               : fmt::format("last commit {:.1f} s ago", static_cast<double>(now - last) / 1000);
  std::printf("  %-32s rows %s, %s, %s, %lld commits and %.0f rows/s over the last minute\n",
              id.ToString().c_str(), rows.c_str(), lag.c_str(), when.c_str(),
              static_cast<long long>(commits), static_cast<double>(added) / 60);
}

Status RunStatus(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto pipelines, LoadPipelineConfig(o.config));
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  for (const stream::PipelineConfig& p : pipelines) {
    std::printf("pipeline %s (topics %s, group %s)\n", p.name.c_str(),
                fmt::format("{}", fmt::join(p.kafka.topics, ",")).c_str(),
                p.kafka.group_id.c_str());
    auto kafka = source::KafkaProducer::Open(p.kafka.bootstrap_servers, p.kafka.properties);
    if (!kafka.ok()) std::printf("  Kafka: %s\n", kafka.status().ToString().c_str());
    source::KafkaProducer* client = kafka.ok() ? kafka->get() : nullptr;
    for (const stream::TableConfig& t : p.tables) PrintTableStatus(*cat, p, t.id, client);
    PrintTableStatus(*cat, p, p.dead_letters, client);
  }
  return Status::OK();
}

// The config's pipelines, only those --pipeline names when given.
Result<std::vector<stream::PipelineConfig>> SelectedPipelines(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto configs, LoadPipelineConfig(o.config));
  if (!o.only.empty()) {
    std::erase_if(configs, [&](const stream::PipelineConfig& p) {
      return std::find(o.only.begin(), o.only.end(), p.name) == o.only.end();
    });
    if (configs.empty()) return Status::InvalidArgument("no pipeline of {} is named so", o.config);
  }
  return configs;
}

Status RunReplay(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto configs, SelectedPipelines(o));
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  stream::ReplayOptions options;
  options.where = o.where;
  options.dry_run = o.dry_run;
  for (const stream::PipelineConfig& p : configs) {
    std::printf("replaying the dead letters of pipeline %s (%s)%s\n", p.name.c_str(),
                p.dead_letters.ToString().c_str(),
                o.dry_run ? ", dry run: nothing is committed" : "");
    std::fflush(stdout);
    FLOE_ASSIGN_OR_RETURN(
        stream::ReplayReport r,
        stream::ReplayDeadLetters(p, *cat, LocalUri(o.catalog.warehouse), options));
    std::printf(
        "  %lld dead letters%s: %lld %s rows, %lld taken by an earlier replay, %lld "
        "filtered out, %lld fail again (they stay dead letters)\n",
        static_cast<long long>(r.dead_letters), o.where.empty() ? "" : " matching --where",
        static_cast<long long>(r.taken), o.dry_run ? "would become" : "became",
        static_cast<long long>(r.already), static_cast<long long>(r.filtered),
        static_cast<long long>(r.failing));
    for (const auto& [table, rows] : r.rows) {
      std::printf("  %-32s +%lld rows\n", table.c_str(), static_cast<long long>(rows));
    }
    std::vector<std::pair<int64_t, std::string>> reasons;
    for (const auto& [why, n] : r.reasons) reasons.emplace_back(n, why);
    std::sort(reasons.rbegin(), reasons.rend());
    for (size_t i = 0; i < reasons.size() && i < 10; ++i) {
      std::printf("  still failing, %lld x %s\n", static_cast<long long>(reasons[i].first),
                  reasons[i].second.c_str());
    }
    if (reasons.size() > 10) std::printf("  ... and %zu other reasons\n", reasons.size() - 10);
  }
  return Status::OK();
}

Status RunPipelines(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto configs, SelectedPipelines(o));
  // SIGINT / SIGTERM: every pipeline commits what it holds and leaves its
  // consumer group. Blocked before any thread starts, taken by the loop below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  stream::PipelineGroup group;
  FLOE_RETURN_IF_ERROR(group.Start(
      std::move(configs), [&] { return OpenCatalog(o.catalog); }, LocalUri(o.catalog.warehouse)));
  using Clock = std::chrono::steady_clock;
  auto last_progress = Clock::now();
  bool stopping = false;
  while (!group.Finished()) {
    const timespec tick{0, 200'000'000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if ((sig == SIGINT || sig == SIGTERM) && !stopping) {
      spdlog::info("signal {}: committing and stopping", sig);
      group.Stop();
      stopping = true;
    }
    const double since = std::chrono::duration<double>(Clock::now() - last_progress).count();
    if (o.progress_seconds > 0 && since >= o.progress_seconds) {
      group.LogProgress(since);
      last_progress = Clock::now();
    }
  }
  return group.Wait();
}

}  // namespace

void AddPipelineCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("pipeline", "Streaming ingest: Kafka topics into Iceberg tables");
  cmd->require_subcommand(1);
  auto o = std::make_shared<PipelineOptions>();

  CLI::App* run = cmd->add_subcommand(
      "run", "Run the pipelines of a YAML config until SIGINT / SIGTERM (then commit and stop)");
  run->add_option("CONFIG", o->config, "Pipeline config (YAML)")->required();
  AddCatalogOptions(run, o->catalog);
  run->add_option("--pipeline", o->only, "Run only the pipeline of this name; repeat for more");
  run->add_option("--progress", o->progress_seconds, "Seconds between progress lines (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  run->callback([o] { ExitOnError(RunPipelines(*o)); });

  CLI::App* status = cmd->add_subcommand(
      "status", "Each pipeline's tables: rows, lag behind the topics, last commit, recent rates");
  status->add_option("CONFIG", o->config, "Pipeline config (YAML)")->required();
  AddCatalogOptions(status, o->catalog);
  status->callback([o] { ExitOnError(RunStatus(*o)); });

  CLI::App* replay = cmd->add_subcommand(
      "replay",
      "Run the dead letters of each pipeline through it as configured now: those that now make "
      "rows go to their tables (once: the tables record which they took), the others stay");
  replay->add_option("CONFIG", o->config, "Pipeline config (YAML)")->required();
  AddCatalogOptions(replay, o->catalog);
  replay->add_option("--pipeline", o->only, "Only the pipeline of this name; repeat for more");
  replay->add_option("--where", o->where,
                     "Only dead letters matching a filter on the dead-letter table's columns, "
                     "e.g. \"stage = 'route'\" (see docs/filters.md)");
  replay->add_flag("--dry-run", o->dry_run,
                   "Report what would happen and commit no rows (tables the config adds are "
                   "created all the same)");
  replay->callback([o] { ExitOnError(RunReplay(*o)); });

  CLI::App* validate = cmd->add_subcommand(
      "validate", "Check a pipeline config and print every error with its YAML path");
  validate->add_option("CONFIG", o->config, "Pipeline config (YAML)")->required();
  validate->callback([o] { ExitOnError(RunValidate(*o)); });
}

}  // namespace floe::cli
