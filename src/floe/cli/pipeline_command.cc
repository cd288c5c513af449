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
#include "floe/stream/pipeline.h"

namespace floe::cli {
namespace {

struct PipelineOptions {
  CatalogOptions catalog;
  std::string config;
  std::vector<std::string> only;  // --pipeline NAME
  int progress_seconds = 5;
};

Result<std::vector<stream::PipelineConfig>> LoadConfig(const std::string& path) {
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

Status RunValidate(const PipelineOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto pipelines, LoadConfig(o.config));
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
  FLOE_ASSIGN_OR_RETURN(auto configs, LoadConfig(o.config));
  if (!o.only.empty()) {
    std::erase_if(configs, [&](const stream::PipelineConfig& p) {
      return std::find(o.only.begin(), o.only.end(), p.name) == o.only.end();
    });
    if (configs.empty()) return Status::InvalidArgument("no pipeline of {} is named so", o.config);
  }
  // SIGINT / SIGTERM: every pipeline commits what it holds and leaves its
  // group. Blocked before any thread starts, taken by the loop below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string warehouse = LocalUri(o.catalog.warehouse);
  struct Running {
    std::unique_ptr<catalog::Catalog> catalog;
    std::unique_ptr<stream::Pipeline> pipeline;
    std::thread thread;
    Status result;
    std::atomic<bool> finished = false;
  };
  std::atomic<bool> stop = false;
  std::vector<std::unique_ptr<Running>> running;
  for (stream::PipelineConfig& config : configs) {
    auto r = std::make_unique<Running>();
    FLOE_ASSIGN_OR_RETURN(r->catalog, OpenCatalog(o.catalog));
    r->pipeline = std::make_unique<stream::Pipeline>(std::move(config), *r->catalog, warehouse);
    running.push_back(std::move(r));
  }
  for (auto& r : running) {
    Running* self = r.get();
    self->thread = std::thread([self, &stop] {
      self->result = self->pipeline->Run(stop);
      self->finished = true;
    });
  }
  using Clock = std::chrono::steady_clock;
  auto next_progress = Clock::now() + std::chrono::seconds(o.progress_seconds);
  std::vector<stream::PipelineStats> before(running.size());
  auto all_finished = [&] {
    return std::all_of(running.begin(), running.end(),
                       [](const auto& r) { return r->finished.load(); });
  };
  while (!all_finished()) {
    const timespec tick{0, 200'000'000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if ((sig == SIGINT || sig == SIGTERM) && !stop) {
      spdlog::info("signal {}: committing and stopping", sig);
      stop = true;
    }
    // One pipeline failing stops the others: the process exits non-zero and
    // a supervisor restarts it (always safe: positions are in the tables).
    for (const auto& r : running) {
      if (r->finished && !r->result.ok()) stop = true;
    }
    if (o.progress_seconds > 0 && Clock::now() >= next_progress) {
      for (size_t i = 0; i < running.size(); ++i) {
        const stream::PipelineStats s = running[i]->pipeline->stats();
        spdlog::info(
            "pipeline {}: {} records ({}/s), {} rows, {} dead letters, {} commits, {} rewinds",
            running[i]->pipeline->config().name, s.records,
            (s.records - before[i].records) / o.progress_seconds, s.rows, s.dead_letters, s.commits,
            s.rewinds);
        before[i] = s;
      }
      next_progress = Clock::now() + std::chrono::seconds(o.progress_seconds);
    }
  }
  Status result;
  for (auto& r : running) {
    r->thread.join();
    if (!r->result.ok()) {
      spdlog::error("pipeline {}: {}", r->pipeline->config().name, r->result.ToString());
      if (result.ok()) result = r->result;
    }
  }
  return result;
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
