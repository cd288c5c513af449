// Several pipelines running at once, each on its own thread with its own
// catalog connection: what `floe pipeline run` and `floe server --config`
// run. One pipeline failing stops the others (the process then exits
// non-zero; restarting it is always safe, the positions are in the tables).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "floe/stream/pipeline.h"

namespace floe::stream {

class PipelineGroup {
 public:
  using CatalogFactory = std::function<Result<std::unique_ptr<catalog::Catalog>>()>;
  // REQUIRES: Stop and Wait before destruction (the destructor does both).
  PipelineGroup() = default;
  ~PipelineGroup();

  // Opens a catalog per pipeline and starts them all.
  Status Start(std::vector<PipelineConfig> configs, const CatalogFactory& open_catalog,
               const std::string& warehouse);
  // Asks every pipeline to commit what it holds and stop. Thread-safe.
  void Stop() { stop_ = true; }
  // Whether every pipeline has ended; one that failed asks the others to stop.
  bool Finished();
  // Waits for every thread; the first error any pipeline ended with.
  Status Wait();
  // One progress line per pipeline since the last call.
  void LogProgress(double seconds_since_last);
  // Every pipeline's figures for GET /metrics (stream/pipeline_metrics.h).
  // Thread-safe once Start returned.
  std::string MetricsText() const;

 private:
  struct Running {
    std::unique_ptr<catalog::Catalog> catalog;
    std::unique_ptr<Pipeline> pipeline;
    std::thread thread;
    Status result;
    std::atomic<bool> finished = false;
    PipelineStats last;
  };
  std::atomic<bool> stop_ = false;
  std::vector<std::unique_ptr<Running>> running_;
};

}  // namespace floe::stream
