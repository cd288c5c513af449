#include "floe/stream/pipeline_metrics.h"

#include <fmt/format.h>

namespace floe::stream {
namespace {

// A label value: backslash, double quote and newline escaped.
std::string Label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// One metric family: its HELP and TYPE lines once, then every sample.
class Family {
 public:
  Family(std::string* out, std::string_view name, std::string_view type, std::string_view help)
      : out_(out), name_(name) {
    fmt::format_to(std::back_inserter(*out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
  }
  template <typename T>
  void Sample(std::string_view labels, T value, std::string_view suffix = "") {
    fmt::format_to(std::back_inserter(*out_), "{}{}{{{}}} {}\n", name_, suffix, labels, value);
  }

 private:
  std::string* out_;
  std::string_view name_;
};

std::string PipelineLabel(const PipelineFigures& p) {
  return fmt::format("pipeline=\"{}\"", Label(p.name));
}

std::string TableLabels(const PipelineFigures& p, const std::string& table) {
  return fmt::format("pipeline=\"{}\",table=\"{}\"", Label(p.name), Label(table));
}

}  // namespace

std::string PrometheusText(const std::vector<PipelineFigures>& pipelines) {
  std::string out;
  auto per_pipeline = [&](std::string_view name, std::string_view type, std::string_view help,
                          auto value) {
    Family f(&out, name, type, help);
    for (const PipelineFigures& p : pipelines) f.Sample(PipelineLabel(p), value(p));
  };
  per_pipeline("floe_pipeline_up", "gauge", "1 while the pipeline runs, 0 once it stopped.",
               [](const PipelineFigures& p) { return p.running ? 1 : 0; });
  per_pipeline("floe_pipeline_records_total", "counter", "Kafka records consumed.",
               [](const PipelineFigures& p) { return p.stats.records; });
  per_pipeline("floe_pipeline_bytes_total", "counter", "Bytes of the records' values consumed.",
               [](const PipelineFigures& p) { return p.stats.bytes; });
  per_pipeline("floe_pipeline_dead_letters_total", "counter",
               "Records committed to the dead-letter table.",
               [](const PipelineFigures& p) { return p.stats.dead_letters; });
  per_pipeline("floe_pipeline_filtered_total", "counter", "Records dropped by a transform filter.",
               [](const PipelineFigures& p) { return p.stats.filtered; });
  per_pipeline("floe_pipeline_schema_changes_total", "counter",
               "Table schemas evolved from the records.",
               [](const PipelineFigures& p) { return p.stats.schema_changes; });
  per_pipeline("floe_pipeline_freshness_seconds", "gauge",
               "At the last commit: its end minus the Kafka timestamp of the newest record it "
               "carried (-1 before the first).",
               [](const PipelineFigures& p) { return p.stats.freshness_seconds; });
  per_pipeline("floe_pipeline_last_commit_timestamp_seconds", "gauge",
               "When the last commit of any table took effect (Unix time; 0 before the first).",
               [](const PipelineFigures& p) {
                 return static_cast<double>(p.stats.last_commit_ms) / 1000.0;
               });

  auto per_table = [&](std::string_view name, std::string_view type, std::string_view help,
                       auto value) {
    Family f(&out, name, type, help);
    for (const PipelineFigures& p : pipelines) {
      for (const auto& [table, t] : p.stats.tables) f.Sample(TableLabels(p, table), value(t));
    }
  };
  per_table("floe_pipeline_table_rows_total", "counter", "Rows committed to the table.",
            [](const TableStats& t) { return t.rows; });
  per_table("floe_pipeline_table_files_total", "counter", "Data files committed to the table.",
            [](const TableStats& t) { return t.files; });
  per_table("floe_pipeline_table_bytes_total", "counter", "Bytes of data files committed.",
            [](const TableStats& t) { return t.bytes; });
  per_table("floe_pipeline_table_commits_total", "counter", "Snapshots committed.",
            [](const TableStats& t) { return t.commits; });
  per_table("floe_pipeline_table_commit_retries_total", "counter",
            "Commit attempts that lost a race to another writer and were applied again.",
            [](const TableStats& t) { return t.retries; });
  per_table("floe_pipeline_table_rewinds_total", "counter",
            "Commits that did not take effect (fenced, or failed): their records were read "
            "again.",
            [](const TableStats& t) { return t.rewinds; });
  {
    Family f(&out, "floe_pipeline_table_commit_seconds", "histogram",
             "Time from a commit's start to its effect (files closed, snapshot swapped).");
    for (const PipelineFigures& p : pipelines) {
      for (const auto& [table, t] : p.stats.tables) {
        const std::string labels = TableLabels(p, table);
        int64_t cumulative = 0;
        for (size_t i = 0; i < kCommitBuckets.size(); ++i) {
          cumulative += t.latency_counts[i];
          f.Sample(fmt::format("{},le=\"{}\"", labels, kCommitBuckets[i]), cumulative, "_bucket");
        }
        f.Sample(labels + ",le=\"+Inf\"", t.commits, "_bucket");
        f.Sample(labels, t.commit_seconds, "_sum");
        f.Sample(labels, t.commits, "_count");
      }
    }
  }
  {
    Family f(&out, "floe_pipeline_partition_lag", "gauge",
             "Records of the partition not yet committed to every table: its end as of the last "
             "fetch minus the lowest offset a table recorded.");
    for (const PipelineFigures& p : pipelines) {
      for (const auto& [tp, lag] : p.stats.lag) {
        f.Sample(fmt::format("pipeline=\"{}\",topic=\"{}\",partition=\"{}\"", Label(p.name),
                             Label(tp.topic), tp.partition),
                 lag);
      }
    }
  }
  return out;
}

}  // namespace floe::stream
