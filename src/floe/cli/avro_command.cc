// `floe avro schema|meta|cat|write`: look into Avro object container files
// and make them.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "floe/cli/command.h"
#include "floe/format/avro/avro_value_json.h"
#include "floe/format/avro/container_reader.h"
#include "floe/format/avro/container_writer.h"

namespace floe::cli {
namespace {

using avro::ContainerReader;

Result<std::unique_ptr<ContainerReader>> OpenAvro(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenLocalInputFile(path));
  return ContainerReader::Open(std::move(file));
}

Status RunSchema(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(auto reader, OpenAvro(path));
  std::printf("%s\n", avro::AvroSchemaToJson(reader->schema()).c_str());
  return Status::OK();
}

// One JSON object of the header metadata; values are shown as strings
// (Avro metadata values are bytes, in practice UTF-8 text).
Status RunMeta(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(auto reader, OpenAvro(path));
  avro::AvroSchema text;
  text.nodes.push_back(avro::AvroNode{});
  text.nodes[0].type = avro::AvroType::kString;
  text.root = 0;
  std::string out = "{";
  for (size_t i = 0; i < reader->metadata().size(); ++i) {
    const auto& [key, value] = reader->metadata()[i];
    if (i > 0) out += ",";
    avro::AppendAvroJson(text, 0, avro::AvroValue::String(key), &out);
    out += ":";
    avro::AppendAvroJson(text, 0, avro::AvroValue::String(value), &out);
  }
  out += "}\n";
  std::fputs(out.c_str(), stdout);
  return Status::OK();
}

Status RunCat(const std::string& path, int64_t limit) {
  FLOE_ASSIGN_OR_RETURN(auto reader, OpenAvro(path));
  avro::AvroValue value;
  std::string line;
  for (int64_t n = 0; limit < 0 || n < limit; ++n) {
    FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&value));
    if (!more) break;
    line.clear();
    avro::AppendAvroJson(reader->schema(), reader->schema().root, value, &line);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return Status::OK();
}

struct WriteArgs {
  std::string input;
  std::string output;
  std::string schema_path;
  std::string codec = "null";
  int level = 0;
  size_t block_bytes = 64 * 1024;
  std::vector<std::string> meta;
};

// Writes to OUT.tmp and renames, so a failed write leaves nothing behind.
Status RunWrite(const WriteArgs& args) {
  FLOE_ASSIGN_OR_RETURN(std::string schema_json, ReadLocalFile(args.schema_path));
  auto schema = avro::ParseAvroSchema(schema_json);
  if (!schema.ok()) return schema.status().WithContext(args.schema_path);
  avro::ContainerWriterOptions options;
  FLOE_ASSIGN_OR_RETURN(options.codec, avro::ParseAvroCodec(args.codec));
  options.compression_level = args.level;
  options.block_bytes = args.block_bytes;
  for (const std::string& kv : args.meta) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("--meta \"{}\" is not key=value", kv);
    }
    options.metadata.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  std::ifstream file_in;
  if (args.input != "-") {
    file_in.open(args.input, std::ios::binary);
    if (!file_in) return Status::NotFound("{}: cannot open", args.input);
  }
  std::istream& in = args.input == "-" ? std::cin : file_in;
  const std::string tmp = args.output + ".tmp";
  FLOE_ASSIGN_OR_RETURN(auto out, CreateLocalOutputFile(tmp));
  auto writer = avro::ContainerWriter::Open(std::move(out), std::move(*schema), options);
  Status s = writer.status();
  std::string line;
  for (int64_t n = 1; s.ok() && std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto value = avro::AvroValueFromJson((*writer)->schema(), line);
    s = value.ok() ? (*writer)->Append(*value) : value.status();
    if (!s.ok()) s = s.WithContext(fmt::format("{}: line {}", args.input, n));
  }
  if (s.ok()) s = (*writer)->Close();
  if (s.ok() && std::rename(tmp.c_str(), args.output.c_str()) != 0) {
    s = Status::IOError("{}: cannot rename to {}", tmp, args.output);
  }
  if (!s.ok()) std::remove(tmp.c_str());
  return s;
}

}  // namespace

void AddAvroCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("avro", "Inspect, read and write Avro object container files");
  cmd->require_subcommand(1);

  auto schema_path = std::make_shared<std::string>();
  CLI::App* schema = cmd->add_subcommand("schema", "Print the file's Avro schema JSON");
  schema->add_option("FILE", *schema_path, "Avro file")->required();
  schema->callback([schema_path] { ExitOnError(RunSchema(*schema_path)); });

  auto meta_path = std::make_shared<std::string>();
  CLI::App* meta = cmd->add_subcommand("meta", "Print the header metadata as a JSON object");
  meta->add_option("FILE", *meta_path, "Avro file")->required();
  meta->callback([meta_path] { ExitOnError(RunMeta(*meta_path)); });

  auto cat_path = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(-1);
  CLI::App* cat = cmd->add_subcommand("cat", "Print records as JSON lines");
  cat->add_option("FILE", *cat_path, "Avro file")->required();
  cat->add_option("--limit", *limit, "Print at most N records");
  cat->callback([cat_path, limit] { ExitOnError(RunCat(*cat_path, *limit)); });

  auto write = std::make_shared<WriteArgs>();
  CLI::App* write_cmd = cmd->add_subcommand("write", "Write JSON lines to an Avro file");
  write_cmd->add_option("IN", write->input, "Input .jsonl file (- for stdin)")->required();
  write_cmd->add_option("OUT", write->output, "Avro file to write")->required();
  write_cmd->add_option("--schema", write->schema_path, "Avro schema JSON file")->required();
  write_cmd->add_option("--codec", write->codec, "null, deflate, snappy or zstandard")
      ->capture_default_str();
  write_cmd->add_option("--compression-level", write->level, "Codec level (0: default)");
  write_cmd->add_option("--block-bytes", write->block_bytes, "Target uncompressed block size")
      ->capture_default_str();
  write_cmd->add_option("--meta", write->meta, "Extra header metadata key=value (repeatable)");
  write_cmd->callback([write] { ExitOnError(RunWrite(*write)); });
}

}  // namespace floe::cli
