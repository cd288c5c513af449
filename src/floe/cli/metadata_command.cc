// `floe metadata FILE`: reads an Iceberg table metadata file (metadata.json)
// and prints it as floe understands it: normalized v1-v3 JSON, the way floe
// would write it back. Useful for inspecting tables other engines wrote.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "floe/cli/command.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::cli {
namespace {

Status RunMetadata(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                        iceberg::ReadTableMetadataFile(LocalFileIO(), path));
  // Indented for people; files and the REST catalog use the compact form.
  std::printf("%s\n",
              nlohmann::json::parse(iceberg::TableMetadataToJson(metadata)).dump(2).c_str());
  return Status::OK();
}

}  // namespace

void AddMetadataCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("metadata", "Read an Iceberg metadata.json and print it normalized");
  cmd->add_option("FILE", *path, "Table metadata file")->required();
  cmd->callback([path] { ExitOnError(RunMetadata(*path)); });
}

}  // namespace floe::cli
