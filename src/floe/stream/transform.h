// A pipeline's transform stage: the records of one poll, decoded into rows
// of the input schema, become rows of the tables their route picks, after
// the `transform:` steps (computed columns and filters, stream/expr) ran
// over the whole batch. Used when a pipeline has steps, `input:` fields or
// a route expression; without them records decode straight into the tables.
//
// What a row can read: the input schema (the union of the tables' columns,
// by name, plus the pipeline's `input:` fields), the Kafka metadata
// (_kafka.topic, .partition, .offset, .timestamp, .key, .headers['name']),
// and the columns earlier `set` steps made. A table takes, for each of its
// columns, the value last bound to that name, converted as SQL assigns.
//
// Not thread-safe: one per pipeline thread.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "floe/source/record.h"
#include "floe/stream/expr/expression.h"
#include "floe/stream/pipeline_config.h"

namespace floe::stream {

class Transform {
 public:
  // Whether `config` needs this stage.
  static bool Needed(const PipelineConfig& config);

  // Compiles the steps and the route against `tables` (the schemas of
  // config.tables, in order). Every problem goes to `errors`, with the YAML
  // path of the step ("pipelines[0].transform[1].set.subject").
  static std::optional<Transform> Compile(const PipelineConfig& config,
                                          const std::vector<Schema>& tables,
                                          const std::string& path,
                                          std::vector<ConfigError>* errors);

  // Records decode into input(); after each, AddRecord with its record.
  const Schema& input_schema() const { return input_.schema; }
  RecordBatch& input() { return input_; }
  void AddRecord(const source::Record& record);
  int64_t rows() const { return input_.num_rows; }

  // Runs the steps and the route over the rows added since Clear.
  static constexpr int kFiltered = -1, kFailed = -2;
  void Evaluate(int64_t now_micros);
  // Row r's table (an index into config.tables), kFiltered, or kFailed
  // with error(r) (a step failed, or no table takes its route value).
  int table(int64_t r) const { return tables_of_rows_[static_cast<size_t>(r)]; }
  const std::string& error(int64_t r) const { return row_errors_[static_cast<size_t>(r)]; }
  // Whether row r failed in a step (stage "evaluate") rather than the route.
  bool failed_in_step(int64_t r) const { return step_failed_[static_cast<size_t>(r)] != 0; }

  // Appends rows `rows` (all routed to one table) to `out`, a batch of the table's
  // current schema. A row that cannot be written (null in a required
  // column, a column whose type no longer takes the value) is left out and
  // listed in `rejected` with the reason. Rows `check_only` are only
  // checked (listed in `rejected` or not), never appended.
  void Emit(std::span<const int64_t> rows, std::span<const int64_t> check_only, RecordBatch* out,
            std::vector<std::pair<int64_t, std::string>>* rejected);

  // Forgets the rows, for the next poll.
  void Clear();

 private:
  struct Step {
    bool filter = false;
    std::string column;  // set: the name it binds
    expr::Expression expression;
    std::string path;  // YAML path, for errors
  };
  // How one table schema takes its columns from the scope.
  struct Output {
    Schema schema;
    std::vector<std::optional<expr::Expression>> columns;  // nullopt: always null
    std::vector<std::string> problems;                     // per column, when it cannot bind
  };
  const Output& OutputFor(const Schema& schema);

  expr::Scope scope_;
  std::vector<Step> steps_;
  std::optional<expr::Expression> route_;
  std::map<std::string, int> routes_;  // `when` -> table
  std::string route_text_;
  RecordBatch input_;
  // The Kafka metadata slots, filled only when an expression reads them.
  int meta_slot_ = 0;  // scope slot of _kafka.topic; the others follow
  bool wants_meta_[6] = {};
  std::vector<Column> meta_;
  std::vector<expr::Vec> computed_;        // values of the set steps, by step
  std::vector<const Column*> eval_slots_;  // the slots of the last Evaluate
  int64_t eval_now_ = 0;
  std::vector<int> tables_of_rows_;
  std::vector<std::string> row_errors_;
  std::vector<uint8_t> step_failed_;
  std::vector<Output> outputs_;
};

}  // namespace floe::stream
