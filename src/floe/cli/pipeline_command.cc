// `floe pipeline`: streaming ingest from Kafka into Iceberg tables, as the
// YAML configs of stream/pipeline_config.h declare it.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "floe/cli/catalog_options.h"
#include "floe/cli/command.h"
#include "floe/io/file.h"
#include "floe/stream/pipeline_group.h"

namespace floe::cli {
namespace {

struct PipelineOptions {
  CatalogOptions catalog;
  std::string config;
  std::vector<std::string> only;  // --pipeline NAME
  int progress_seconds = 5;
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

Status RunPipelines(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto configs, LoadPipelineConfig(o.config));
  if (!o.only.empty()) {
    std::erase_if(configs, [&](const stream::PipelineConfig& p) {
      return std::find(o.only.begin(), o.only.end(), p.name) == o.only.end();
    });
    if (configs.empty()) return Status::InvalidArgument("no pipeline of {} is named so", o.config);
  }
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

  CLI::App* validate = cmd->add_subcommand(
      "validate", "Check a pipeline config and print every error with its YAML path");
  validate->add_option("CONFIG", o->config, "Pipeline config (YAML)")->required();
  validate->callback([o] { ExitOnError(RunValidate(*o)); });
}

}  // namespace floe::cli
