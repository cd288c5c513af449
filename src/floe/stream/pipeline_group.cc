#include "floe/stream/pipeline_group.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "floe/stream/pipeline_metrics.h"

namespace floe::stream {

PipelineGroup::~PipelineGroup() {
  Stop();
  (void)Wait();
}

Status PipelineGroup::Start(std::vector<PipelineConfig> configs, const CatalogFactory& open_catalog,
                            const std::string& warehouse) {
  for (PipelineConfig& config : configs) {
    auto r = std::make_unique<Running>();
    FLOE_ASSIGN_OR_RETURN(r->catalog, open_catalog());
    r->pipeline = std::make_unique<Pipeline>(std::move(config), *r->catalog, warehouse);
    running_.push_back(std::move(r));
  }
  for (auto& r : running_) {
    Running* self = r.get();
    self->thread = std::thread([self, this] {
      self->result = self->pipeline->Run(stop_);
      if (!self->result.ok()) {
        spdlog::error("pipeline {}: {}", self->pipeline->config().name, self->result.ToString());
      }
      self->finished = true;
    });
  }
  return Status::OK();
}

bool PipelineGroup::Finished() {
  bool all = true;
  for (const auto& r : running_) {
    if (!r->finished) {
      all = false;
    } else if (!r->result.ok()) {
      stop_ = true;
    }
  }
  return all;
}

Status PipelineGroup::Wait() {
  Status first;
  for (auto& r : running_) {
    if (r->thread.joinable()) r->thread.join();
    if (!r->result.ok() && first.ok()) first = r->result;
  }
  return first;
}

void PipelineGroup::LogProgress(double seconds) {
  for (auto& r : running_) {
    const PipelineStats s = r->pipeline->stats();
    const double rate =
        seconds > 0 ? static_cast<double>(s.records - r->last.records) / seconds : 0;
    spdlog::info(
        "pipeline {}: {} records ({:.0f}/s), {} rows, {} dead letters, {} commits, {} rewinds",
        r->pipeline->config().name, s.records, rate, s.rows, s.dead_letters, s.commits, s.rewinds);
    r->last = s;
  }
}

std::string PipelineGroup::MetricsText() const {
  std::vector<PipelineFigures> figures;
  for (const auto& r : running_) {
    figures.push_back({r->pipeline->config().name, !r->finished, r->pipeline->stats()});
  }
  return PrometheusText(figures);
}

}  // namespace floe::stream
