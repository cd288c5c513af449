// `floe transform TRANSFORM --type TYPE`: applies an Iceberg partition
// transform to values read from stdin, one per line in floe's text form
// (2026-11-25, 34, 'iceberg' unquoted, base64 for bytes), and prints one JSON
// object per value: {"value": <result as floe JSON>, "path": "<human string>"}.
// A tool for checking partition specs and for the interop tests.
#include <cstdio>
#include <iostream>
#include <string>

#include "floe/cli/command.h"
#include "floe/columnar/text_rows.h"
#include "floe/iceberg/transform.h"

namespace floe::cli {
namespace {

struct TransformOptions {
  std::string transform;
  std::string type;
};

Status RunTransform(const TransformOptions& o) {
  FLOE_ASSIGN_OR_RETURN(iceberg::Transform transform, iceberg::Transform::Parse(o.transform));
  auto source = ParsePrimitiveType(o.type);
  if (!source) return Status::InvalidArgument("unknown primitive type '{}'", o.type);
  FLOE_ASSIGN_OR_RETURN(TypePtr result_type, transform.ResultType(*source));
  Column in(*source);
  std::string line;
  for (int64_t n = 1; std::getline(std::cin, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Status s = AppendValueFromText(line, &in);
    if (!s.ok()) return s.WithContext(fmt::format("stdin:{}", n));
  }
  Column out(result_type);
  FLOE_RETURN_IF_ERROR(transform.Apply(in, &out));
  std::string text;
  for (int64_t i = 0; i < out.length(); ++i) {
    text += "{\"value\":";
    AppendJsonValue(out, i, &text);
    text += ",\"path\":";
    Column human(Type::String());
    human.AppendBytes(transform.HumanString(**source, out, i));
    AppendJsonValue(human, 0, &text);
    text += "}\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return Status::OK();
}

}  // namespace

void AddTransformCommand(CLI::App& app) {
  auto options = std::make_shared<TransformOptions>();
  CLI::App* cmd = app.add_subcommand(
      "transform", "Apply an Iceberg partition transform to values on stdin (one per line)");
  cmd->add_option("TRANSFORM", options->transform,
                  "identity, bucket[N], truncate[W], year, month, day, hour, void")
      ->required();
  cmd->add_option("--type", options->type,
                  "Source type (int, long, decimal(9,2), date, timestamptz, ...)")
      ->required();
  cmd->callback([options] { ExitOnError(RunTransform(*options)); });
}

}  // namespace floe::cli
