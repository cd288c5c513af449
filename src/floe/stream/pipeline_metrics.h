// Pipelines' figures in the Prometheus text exposition format (version
// 0.0.4), for `GET /metrics` on floe server: counters since the start,
// gauges as of the last poll or commit, and a histogram of commit
// latencies per table.
#pragma once

#include <string>
#include <vector>

#include "floe/stream/pipeline.h"

namespace floe::stream {

struct PipelineFigures {
  std::string name;
  bool running = true;
  PipelineStats stats;
};

std::string PrometheusText(const std::vector<PipelineFigures>& pipelines);

}  // namespace floe::stream
