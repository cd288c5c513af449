// `floe parquet schema|meta|cat|write`: look into Parquet files and make them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "floe/cli/command.h"
#include "floe/cli/row_writer.h"
#include "floe/columnar/text_reader.h"
#include "floe/columnar/text_rows.h"
#include "floe/format/parquet/compression.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/format/parquet/file_writer.h"
#include "floe/format/parquet/iceberg_metrics.h"
#include "floe/format/parquet/value_decoder.h"

namespace floe::cli {
namespace {

using parquet::FileReader;

Result<std::unique_ptr<FileReader>> OpenParquet(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenLocalInputFile(path));
  return FileReader::Open(std::move(file));
}

Status RunSchema(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(auto reader, OpenParquet(path));
  std::printf("%s\n", SchemaToJson(reader->file_schema().schema).c_str());
  return Status::OK();
}

// A statistics bound rendered as floe text, or "-" when absent or undecodable.
std::string RenderBound(const parquet::LeafColumn& leaf, const std::optional<std::string>& bound) {
  if (!bound) return "-";
  auto value = parquet::DecodeStatisticsValue(leaf, *bound);
  if (!value.ok()) return "?";
  std::string out;
  AppendJsonValue(*value, 0, &out);
  return out;
}

std::string_view EncodingName(parquet::Encoding e) {
  using parquet::Encoding;
  switch (e) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

Status RunMeta(const std::string& path, bool iceberg_metrics) {
  FLOE_ASSIGN_OR_RETURN(auto reader, OpenParquet(path));
  if (iceberg_metrics) {
    auto metrics =
        parquet::MetricsFromFooter(reader->metadata(), reader->file_schema(), reader->file_size());
    if (!metrics.ok()) return metrics.status().WithContext(path);
    std::printf("%s\n", parquet::DataFileMetricsToJson(*metrics).c_str());
    return Status::OK();
  }
  const parquet::FileMetaData& m = reader->metadata();
  std::printf(
      "file        %s\nsize        %lld bytes\ncreated_by  %s\nrows        %lld\nrow groups  %zu\n",
      path.c_str(), static_cast<long long>(reader->file_size()), m.created_by.value_or("-").c_str(),
      static_cast<long long>(m.num_rows), m.row_groups.size());
  for (const auto& kv : m.key_value_metadata) {
    std::string value = kv.value.value_or("");
    if (value.size() > 60) value = value.substr(0, 57) + "...";
    std::printf("metadata    %s = %s\n", kv.key.c_str(), value.c_str());
  }
  const auto& leaves = reader->file_schema().leaves;
  for (size_t g = 0; g < m.row_groups.size(); ++g) {
    const auto& group = m.row_groups[g];
    std::printf("\nrow group %zu: %lld rows, %lld bytes uncompressed\n", g,
                static_cast<long long>(group.num_rows),
                static_cast<long long>(group.total_byte_size));
    for (size_t c = 0; c < group.columns.size(); ++c) {
      const auto& meta = *group.columns[c].meta_data;
      std::vector<std::string_view> encodings;
      for (auto e : meta.encodings) encodings.push_back(EncodingName(e));
      const auto& stats = meta.statistics;
      std::printf("  %-24s %-8s %-12s %-10s values=%lld compressed=%lld uncompressed=%lld\n",
                  fmt::format("{}", fmt::join(meta.path_in_schema, ".")).c_str(),
                  leaves[c].type->ToString().c_str(),
                  std::string(parquet::CompressionCodecName(meta.codec)).c_str(),
                  fmt::format("{}", fmt::join(encodings, ",")).c_str(),
                  static_cast<long long>(meta.num_values),
                  static_cast<long long>(meta.total_compressed_size),
                  static_cast<long long>(meta.total_uncompressed_size));
      if (stats) {
        std::printf("  %-24s nulls=%s min=%s max=%s\n", "",
                    stats->null_count ? std::to_string(*stats->null_count).c_str() : "-",
                    RenderBound(leaves[c], stats->min_value).c_str(),
                    RenderBound(leaves[c], stats->max_value).c_str());
      }
    }
  }
  return Status::OK();
}

struct CatOptions {
  std::string path;
  std::vector<std::string> columns;
  int64_t limit = -1;
  std::string format = "jsonl";
  int64_t batch_rows = 64 * 1024;
  std::vector<std::string> where;
  std::vector<int32_t> field_ids;
};

Status RunCat(const CatOptions& o) {
  FLOE_ASSIGN_OR_RETURN(RowWriter out, RowWriter::Open(o.format));
  parquet::ReadOptions options;
  options.batch_rows = o.batch_rows;
  for (const std::string& text : o.where) {
    FLOE_ASSIGN_OR_RETURN(parquet::ColumnPredicate p, parquet::ParsePredicate(text));
    options.skip_unless.push_back(std::move(p));
  }
  FLOE_ASSIGN_OR_RETURN(auto reader, OpenParquet(o.path));
  // Columns to print; predicate columns are read too, but printed only if asked for.
  options.columns = o.columns;
  if (!o.field_ids.empty()) {
    if (!o.columns.empty())
      return Status::InvalidArgument("--columns and --field-ids exclude each other");
    // Field ids name the same top-level fields; resolve them to names here so
    // predicates can add their columns the same way.
    for (int32_t id : o.field_ids) {
      const auto& fields = reader->file_schema().schema.fields();
      auto it = std::find_if(fields.begin(), fields.end(),
                             [&](const NestedField& f) { return f.id == id; });
      if (it == fields.end())
        return Status::NotFound("{}: no top-level field with id {}", o.path, id);
      options.columns.push_back(it->name);
    }
  }
  const size_t requested = options.columns.size();
  if (!options.columns.empty()) {
    for (const auto& p : options.skip_unless) {
      if (std::find(options.columns.begin(), options.columns.end(), p.column) ==
          options.columns.end()) {
        options.columns.push_back(p.column);
      }
    }
  }
  FLOE_ASSIGN_OR_RETURN(Schema schema, reader->Select(options));
  const size_t printed_columns = requested == 0 ? schema.fields().size() : requested;
  std::vector<parquet::BoundPredicate> filters;
  for (const auto& p : options.skip_unless) {
    FLOE_ASSIGN_OR_RETURN(parquet::BoundPredicate bound,
                          parquet::BoundPredicate::Bind(p, parquet::FileSchema{schema, {}, true}));
    filters.push_back(std::move(bound));
  }
  const Schema printed_schema(std::vector<NestedField>(
      schema.fields().begin(), schema.fields().begin() + static_cast<long>(printed_columns)));
  int64_t printed = 0;
  while (o.limit < 0 || printed < o.limit) {
    FLOE_ASSIGN_OR_RETURN(RecordBatch batch, reader->Next());
    if (batch.num_rows == 0) break;
    std::vector<uint8_t> keep(static_cast<size_t>(batch.num_rows), 1);
    for (const auto& f : filters) {
      const Column& c = batch.columns[static_cast<size_t>(f.field_index())];
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        keep[static_cast<size_t>(r)] = keep[static_cast<size_t>(r)] && f.Matches(c, r);
      }
    }
    // Up to the limit; unprinted predicate columns sit after the printed ones.
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      if (keep[static_cast<size_t>(r)] && (o.limit >= 0 && printed >= o.limit)) {
        keep[static_cast<size_t>(r)] = 0;
      }
      printed += keep[static_cast<size_t>(r)];
    }
    batch = SelectRows(std::move(batch), keep);
    batch.columns.resize(printed_columns);
    batch.schema = printed_schema;
    FLOE_RETURN_IF_ERROR(out.Write(batch));
  }
  out.Finish(printed_schema);
  if (!filters.empty()) {
    std::fprintf(stderr, "skipped %lld of %zu row groups by statistics\n",
                 static_cast<long long>(reader->row_groups_skipped()),
                 reader->metadata().row_groups.size());
  }
  return Status::OK();
}

struct WriteOptions {
  std::string input, output, schema_path, codec = "zstd";
  int level = 0;
  int64_t row_group_bytes = 128ll << 20;
  int64_t page_bytes = 1 << 20;
  int page_version = 1;
  bool no_dictionary = false;
};

Status RunWrite(const WriteOptions& o) {
  FLOE_ASSIGN_OR_RETURN(std::string schema_text, ReadLocalFile(o.schema_path));
  auto schema = SchemaFromJson(schema_text);
  if (!schema.ok()) return schema.status().WithContext(o.schema_path);
  parquet::WriterOptions options;
  FLOE_ASSIGN_OR_RETURN(options.codec, parquet::ParseCompressionCodec(o.codec));
  options.compression_level = o.level;
  options.row_group_bytes = o.row_group_bytes;
  options.page_bytes = o.page_bytes;
  options.data_page_version = o.page_version;
  options.dictionary = !o.no_dictionary;
  FLOE_ASSIGN_OR_RETURN(TextFormat format, TextFormatOf(o.input));
  std::ifstream file;
  if (o.input != "-") {
    file.open(o.input, std::ios::binary);
    if (!file) return Status::NotFound("{}: cannot open", o.input);
  }
  std::istream& in = o.input == "-" ? std::cin : file;
  // Write to a temporary name and rename at the end, so a failed write never
  // leaves a partial file under the requested name.
  const std::string temp = o.output + ".floe-tmp";
  FLOE_ASSIGN_OR_RETURN(auto out, CreateLocalOutputFile(temp));
  FLOE_ASSIGN_OR_RETURN(auto writer, parquet::FileWriter::Open(std::move(out), *schema, options));
  Status status = ReadTextRows(in, o.input, format, *schema,
                               [&](const RecordBatch& batch) { return writer->Write(batch); });
  if (status.ok()) status = writer->Close();
  if (status.ok() && std::rename(temp.c_str(), o.output.c_str()) != 0) {
    status = Status::IOError("{}: cannot rename {} into place", o.output, temp);
  }
  if (!status.ok()) {
    std::remove(temp.c_str());
    return status;
  }
  std::fprintf(stderr, "wrote %s: %lld rows, %zu row groups, %lld bytes\n", o.output.c_str(),
               static_cast<long long>(writer->metadata().num_rows),
               writer->metadata().row_groups.size(), static_cast<long long>(writer->file_size()));
  return Status::OK();
}

}  // namespace

void AddParquetCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("parquet", "Inspect, read and write Parquet files");
  cmd->require_subcommand(1);

  auto schema_path = std::make_shared<std::string>();
  CLI::App* schema =
      cmd->add_subcommand("schema", "Print the file's schema as Iceberg schema JSON");
  schema->add_option("FILE", *schema_path, "Parquet file")->required();
  schema->callback([schema_path] { ExitOnError(RunSchema(*schema_path)); });

  auto meta_path = std::make_shared<std::string>();
  auto iceberg_metrics = std::make_shared<bool>(false);
  CLI::App* meta = cmd->add_subcommand(
      "meta", "Print row groups, column chunks, encodings, codecs and statistics");
  meta->add_option("FILE", *meta_path, "Parquet file")->required();
  meta->add_flag("--iceberg-metrics", *iceberg_metrics,
                 "Print the Iceberg data-file metrics from the footer as JSON (bounds in hex)");
  meta->callback(
      [meta_path, iceberg_metrics] { ExitOnError(RunMeta(*meta_path, *iceberg_metrics)); });

  auto cat = std::make_shared<CatOptions>();
  CLI::App* cat_cmd = cmd->add_subcommand("cat", "Print rows as JSON lines or CSV");
  cat_cmd->add_option("FILE", cat->path, "Parquet file")->required();
  cat_cmd->add_option("--columns", cat->columns, "Top-level columns to print (comma-separated)")
      ->delimiter(',');
  cat_cmd
      ->add_option("--field-ids", cat->field_ids,
                   "Top-level columns to print, by field id (comma-separated)")
      ->delimiter(',');
  cat_cmd->add_option("--limit", cat->limit, "Print at most N rows");
  cat_cmd->add_option("--format", cat->format, "jsonl or csv")->capture_default_str();
  cat_cmd->add_option("--batch-rows", cat->batch_rows, "Rows decoded per batch")
      ->capture_default_str();
  cat_cmd
      ->add_option("--where", cat->where,
                   "Only rows where COLUMN OP VALUE holds (= != < <= > >=, IS [NOT] NULL; 'quoted' "
                   "text); repeat for AND. Row groups are skipped by statistics.")
      ->allow_extra_args(false);
  cat_cmd->callback([cat] { ExitOnError(RunCat(*cat)); });

  auto write = std::make_shared<WriteOptions>();
  CLI::App* write_cmd = cmd->add_subcommand("write", "Write JSON lines or CSV to a Parquet file");
  write_cmd->add_option("IN", write->input, "Input .jsonl or .csv file (- for JSON lines on stdin)")
      ->required();
  write_cmd->add_option("OUT", write->output, "Parquet file to write")->required();
  write_cmd->add_option("--schema", write->schema_path, "Iceberg schema JSON file")->required();
  write_cmd->add_option("--codec", write->codec, "zstd, snappy, gzip, brotli, lz4_raw or none")
      ->capture_default_str();
  write_cmd->add_option("--compression-level", write->level,
                        "Codec level (0: the codec's default)");
  write_cmd->add_option("--row-group-bytes", write->row_group_bytes, "Target row group size")
      ->capture_default_str();
  write_cmd->add_option("--page-bytes", write->page_bytes, "Target data page size")
      ->capture_default_str();
  write_cmd->add_option("--page-version", write->page_version, "Data page version, 1 or 2")
      ->capture_default_str();
  write_cmd->add_flag("--no-dictionary", write->no_dictionary, "Write PLAIN values only");
  write_cmd->callback([write] { ExitOnError(RunWrite(*write)); });
}

}  // namespace floe::cli
