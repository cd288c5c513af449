// `floe bench ...`: timed kernels for bench/ (hidden from --help). Each prints
// one JSON object so the bench runner can compare floe with its peer on the
// same data in the same run. Input loading is never part of the timing.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "floe/cli/command.h"
#include "floe/format/parquet/compression.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/format/parquet/file_writer.h"

namespace floe::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Resident set size and its peak, from /proc/self/status, in bytes.
struct Memory {
  int64_t rss = 0;
  int64_t peak = 0;
};

Memory ReadMemory() {
  std::ifstream status("/proc/self/status");
  std::string key;
  Memory m;
  while (status >> key) {
    int64_t kb = 0;
    if (key == "VmRSS:" && status >> kb) m.rss = kb * 1024;
    if (key == "VmHWM:" && status >> kb) m.peak = kb * 1024;
  }
  return m;
}

// Makes VmHWM restart from the current RSS, so a later peak measures one phase.
void ResetPeakMemory() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

Result<std::vector<RecordBatch>> LoadAll(const std::string& path, int64_t* rows, int threads = -1) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenLocalInputFile(path));
  FLOE_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(file)));
  parquet::ReadOptions options;
  options.batch_rows = 1 << 20;  // whole row groups, as pyarrow's read_table
  options.threads = threads;
  FLOE_RETURN_IF_ERROR(reader->Select(options).status());
  std::vector<RecordBatch> batches;
  *rows = 0;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(RecordBatch batch, reader->Next());
    if (batch.num_rows == 0) break;
    *rows += batch.num_rows;
    batches.push_back(std::move(batch));
  }
  return batches;
}

struct WriteBench {
  std::string input, output, codec = "zstd";
  int level = 0;
  int64_t row_group_rows = 1 << 20;
  bool dictionary = true;
  int threads = -1;
};

Status RunWriteBench(const WriteBench& o) {
  int64_t rows = 0;
  FLOE_ASSIGN_OR_RETURN(std::vector<RecordBatch> batches, LoadAll(o.input, &rows));
  if (batches.empty()) return Status::InvalidArgument("{}: no rows", o.input);
  parquet::WriterOptions options;
  FLOE_ASSIGN_OR_RETURN(options.codec, parquet::ParseCompressionCodec(o.codec));
  options.compression_level = o.level;
  options.row_group_rows = o.row_group_rows;
  options.row_group_bytes = int64_t{1} << 40;  // cut by rows only, like the peer
  options.dictionary = o.dictionary;
  options.threads = o.threads;

  const Memory before = ReadMemory();
  ResetPeakMemory();
  const auto start = Clock::now();
  FLOE_ASSIGN_OR_RETURN(auto out, CreateLocalOutputFile(o.output));
  FLOE_ASSIGN_OR_RETURN(auto writer,
                        parquet::FileWriter::Open(std::move(out), batches[0].schema, options));
  for (const RecordBatch& batch : batches) FLOE_RETURN_IF_ERROR(writer->Write(batch));
  FLOE_RETURN_IF_ERROR(writer->Close());
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const Memory after = ReadMemory();
  std::printf(
      "{\"seconds\": %.6f, \"rows\": %lld, \"file_bytes\": %lld, \"row_groups\": %zu, "
      "\"peak_rss_growth\": %lld}\n",
      seconds, static_cast<long long>(rows), static_cast<long long>(writer->file_size()),
      writer->metadata().row_groups.size(), static_cast<long long>(after.peak - before.rss));
  return Status::OK();
}

Status RunReadBench(const std::string& path, int threads) {
  const auto start = Clock::now();
  int64_t rows = 0;
  FLOE_ASSIGN_OR_RETURN(std::vector<RecordBatch> batches, LoadAll(path, &rows, threads));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("{\"seconds\": %.6f, \"rows\": %lld, \"batches\": %zu}\n", seconds,
              static_cast<long long>(rows), batches.size());
  return Status::OK();
}

}  // namespace

void AddBenchCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("bench", "");  // empty description: hidden from --help
  cmd->require_subcommand(1);

  auto write = std::make_shared<WriteBench>();
  CLI::App* w =
      cmd->add_subcommand("parquet-write", "Time writing a Parquet file's rows (loaded first)");
  w->add_option("INPUT", write->input)->required();
  w->add_option("OUTPUT", write->output)->required();
  w->add_option("--codec", write->codec);
  w->add_option("--compression-level", write->level);
  w->add_option("--row-group-rows", write->row_group_rows);
  w->add_flag("!--no-dictionary", write->dictionary);
  w->add_option("--threads", write->threads, "Worker threads (-1: cores - 1)");
  w->callback([write] { ExitOnError(RunWriteBench(*write)); });

  auto read_path = std::make_shared<std::string>();
  auto read_threads = std::make_shared<int>(-1);
  CLI::App* r = cmd->add_subcommand("parquet-read", "Time reading a Parquet file into memory");
  r->add_option("FILE", *read_path)->required();
  r->add_option("--threads", *read_threads, "Worker threads (-1: cores - 1)");
  r->callback([read_path, read_threads] { ExitOnError(RunReadBench(*read_path, *read_threads)); });

  AddCatalogBenchCommands(cmd);
}

}  // namespace floe::cli
