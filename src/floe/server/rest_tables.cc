// The REST catalog's table endpoints but commits (rest_commit.cc): list,
// create (and stage-create), register, load, HEAD, drop and rename.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "floe/iceberg/murmur3.h"
#include "floe/iceberg/reachable_files.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_metadata_json_internal.h"
#include "floe/io/file.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/server/rest_catalog.h"
#include "floe/server/rest_responses.h"
#include "floe/util/json_writer.h"
#include "floe/util/strings.h"

namespace floe::server {
namespace {

using Json = nlohmann::json;
using catalog::TableIdentifier;
using Kind = catalog::Catalog::Kind;

// Properties that describe the metadata rather than configure the table:
// Java keeps them out of the stored properties.
constexpr const char* kReservedProperties[] = {
    "format-version",           "uuid",
    "snapshot-count",           "current-snapshot-id",
    "current-snapshot-summary", "current-snapshot-timestamp-ms",
    "current-schema",           "default-partition-spec",
    "default-sort-order"};

HttpResponse NoSuchTable(const TableIdentifier& id) {
  return Error(404, "NoSuchTableException", "Table does not exist: " + Dotted(id));
}

}  // namespace

std::string LoadResult(const std::string& location, const iceberg::TableMetadata& m) {
  JsonWriter w;
  w.BeginObject().Key("metadata-location");
  location.empty() ? w.Null() : w.String(location);
  w.Key("metadata").Raw(iceberg::TableMetadataToJson(m));
  w.Key("config").BeginObject().EndObject().EndObject();
  return w.Take();
}

std::string TableETag(const std::string& location, std::string_view snapshots) {
  const std::string key = fmt::format("{},snapshots={}", location, snapshots);
  return fmt::format("{:08x}", iceberg::Murmur3X86_32(std::span(
                                   reinterpret_cast<const uint8_t*>(key.data()), key.size())));
}

HttpResponse TableResponse(const std::string& location, const iceberg::TableMetadata& m,
                           std::string_view snapshots) {
  HttpResponse response;
  response.body = LoadResult(location, m);
  response.headers.emplace_back("ETag", TableETag(location, snapshots));
  return response;
}

HttpResponse RestCatalog::ListTables(const catalog::Namespace& ns, const HttpRequest& request) {
  return IdentifierPage(request, ns, catalog_->ListTables(ns));
}

HttpResponse RestCatalog::CreateTable(const catalog::Namespace& ns, const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseCreateRequest(request.body, &error);
  if (!body) return error;
  const TableIdentifier id{ns, (*body)["name"].get<std::string>()};
  if (auto invalid = InvalidName(id)) return *invalid;
  // Validated by NewTableMetadata once the ids are renumbered.
  auto schema = floe::internal::SchemaFromJsonValue((*body)["schema"], /*validate=*/false);
  if (!schema.ok()) return BadRequest(schema.status().message());
  iceberg::PartitionSpec spec;
  if (auto it = body->find("partition-spec"); it != body->end() && !it->is_null()) {
    auto parsed = iceberg::internal::PartitionSpecFromJsonValue(*it, 0);
    if (!parsed.ok()) return BadRequest(parsed.status().message());
    spec = *std::move(parsed);
    spec.spec_id = 0;
  }
  std::optional<iceberg::SortOrder> order;
  if (auto it = body->find("write-order"); it != body->end() && !it->is_null()) {
    auto parsed = iceberg::internal::SortOrderFromJsonValue(*it);
    if (!parsed.ok()) return BadRequest(parsed.status().message());
    order = *std::move(parsed);
  }
  std::optional<catalog::Properties> properties = StringMap(*body, "properties", &error);
  if (!properties) return error;
  auto format_version = iceberg::TakeFormatVersion(&*properties);
  if (!format_version.ok()) return BadRequest(format_version.status().message());
  for (const char* key : kReservedProperties) properties->erase(key);
  std::string location;
  if (auto it = body->find("location"); it != body->end() && !it->is_null()) {
    if (!it->is_string()) return BadRequest("Malformed request: 'location' must be a string");
    location = it->get<std::string>();
    if (std::string problem = locations_.TableLocationProblem(location); !problem.empty()) {
      return BadRequest("Malformed request: " + problem);
    }
  } else {
    location = catalog::DefaultTableLocation(warehouse_, id);
    if (std::string problem = locations_.TableLocationProblem(location); !problem.empty()) {
      return BadRequest("Malformed request: the default location: " + problem);
    }
  }
  if (std::string problem = locations_.PropertiesProblem(*properties); !problem.empty()) {
    return BadRequest("Malformed request: " + problem);
  }
  const bool stage = body->value("stage-create", false);

  if (!catalog_->LoadNamespaceProperties(ns).ok()) return NoSuchNamespace(ns);
  if (auto taken = NameTaken(id, Kind::kTable)) return *taken;
  auto metadata = iceberg::NewTableMetadata(*schema, spec, order.value_or(iceberg::SortOrder{}),
                                            location, *std::move(properties), *format_version);
  if (!metadata.ok()) return BadRequest(metadata.status().message());
  if (stage) {  // nothing persisted
    HttpResponse response;
    response.body = LoadResult("", *metadata);
    return response;
  }
  auto path = catalog_->CreateTableFrom(id, *metadata);
  if (!path.ok()) return FromStatus(path.status());
  return TableResponse(*path, *metadata);
}

HttpResponse RestCatalog::RegisterTable(const catalog::Namespace& ns, const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseRegisterRequest(request.body, &error);
  if (!body) return error;
  const TableIdentifier id{ns, (*body)["name"].get<std::string>()};
  if (auto invalid = InvalidName(id)) return *invalid;
  const std::string path = (*body)["metadata-location"].get<std::string>();
  // Refused before the file is opened: no answer may tell whether a file
  // outside exists, nor show what it holds.
  if (!locations_.Contains(path)) {
    return BadRequest("Malformed request: " + locations_.Outside("'metadata-location'", path));
  }
  if (!catalog_->LoadNamespaceProperties(ns).ok()) return NoSuchNamespace(ns);
  auto metadata = iceberg::ReadTableMetadataFile(catalog_->io(), path);
  if (!metadata.ok()) {
    if (metadata.status().code() == StatusCode::kNotFound) {
      return Error(404, "NotFoundException", "Failed to open input stream for file: " + path);
    }
    return BadRequest(metadata.status().message());
  }
  // The table it describes must live where a created one may.
  if (std::string problem = locations_.RegisteredProblem("the table's location", metadata->location,
                                                         metadata->properties);
      !problem.empty()) {
    return BadRequest("Malformed request: " + problem);
  }
  if (catalog_->Load(id, Kind::kView).ok()) return *NameTaken(id, Kind::kTable);
  auto current = catalog_->LoadTable(id);
  if (current.ok()) {
    if (!body->value("overwrite", false)) {
      return Error(409, "AlreadyExistsException", "Table already exists: " + Dotted(id));
    }
    if (Status s = catalog_->CommitTable(id, *current, path); !s.ok()) return FromStatus(s);
  } else if (Status s = catalog_->CreateTable(id, path); !s.ok()) {
    return FromStatus(s);
  }
  return TableResponse(path, *metadata);
}

HttpResponse RestCatalog::LoadTable(const TableIdentifier& id, const HttpRequest& request,
                                    bool head) {
  auto location = catalog_->LoadTable(id);
  if (!location.ok()) {
    if (location.status().code() != StatusCode::kNotFound) return FromStatus(location.status());
    return head ? Empty(404) : NoSuchTable(id);
  }
  if (head) return Empty(204);
  std::string_view mode = "all";
  if (const std::string* m = request.Query("snapshots"); m != nullptr) {
    if (*m != "all" && *m != "refs")
      return BadRequest("Malformed request: snapshots must be all or refs");
    mode = *m;
  }
  // The metadata file must still be there, even when its answer is cached
  // or the client has it already.
  const Result<bool> exists = catalog_->io().Exists(*location);
  if (!exists.ok()) return FromStatus(exists.status());
  // An unchanged table (same metadata file) is not sent again.
  if (const std::string* tag = request.Header("if-none-match");
      tag != nullptr && *tag == TableETag(*location, mode) && *exists) {
    return Empty(304);
  }
  const std::string key = *location + "|" + std::string(mode);
  if (auto body = load_cache_.Find(key); body != nullptr && *exists) {
    HttpResponse response;
    response.shared_body = std::move(body);
    response.headers.emplace_back("ETag", TableETag(*location, mode));
    return response;
  }
  auto metadata = iceberg::ReadTableMetadataFile(catalog_->io(), *location);
  if (!metadata.ok()) {
    if (metadata.status().code() == StatusCode::kNotFound) {
      return Error(404, "NotFoundException", "Failed to open input stream for file: " + *location);
    }
    return FromStatus(metadata.status());
  }
  // snapshots=refs: only the snapshots some branch or tag points to.
  if (mode == "refs") {
    std::erase_if(metadata->snapshots, [&](const iceberg::Snapshot& s) {
      return std::none_of(metadata->refs.begin(), metadata->refs.end(),
                          [&](const auto& ref) { return ref.second.snapshot_id == s.snapshot_id; });
    });
  }
  HttpResponse response = TableResponse(*location, *metadata, mode);
  response.shared_body = std::make_shared<const std::string>(std::move(response.body));
  load_cache_.Insert(key, response.shared_body);
  return response;
}

HttpResponse RestCatalog::DropTable(const TableIdentifier& id, const HttpRequest& request) {
  const std::string* purge_text = request.Query("purgeRequested");
  const bool purge = purge_text != nullptr && EqualsIgnoreCase(*purge_text, "true");
  // What to purge is listed before the table goes: the files its metadata
  // reaches, never whole directories, and only inside the table's location
  // and the allowed locations (a table's manifests may name files imported
  // from elsewhere, and tables made before the policy may live anywhere).
  std::vector<std::string> files;
  std::string table_dir;
  if (purge) {
    auto location = catalog_->LoadTable(id);
    if (!location.ok()) {
      return location.status().code() == StatusCode::kNotFound ? NoSuchTable(id)
                                                               : FromStatus(location.status());
    }
    auto metadata = iceberg::ReadTableMetadataFile(catalog_->io(), *location);
    if (metadata.ok()) {
      auto reachable = iceberg::ReachableFiles(catalog_->io(), *metadata, *location);
      if (!reachable.ok()) return FromStatus(reachable.status());
      files = *std::move(reachable);
      table_dir = std::filesystem::path(LocalPath(metadata->location)).lexically_normal().string();
    }
  }
  if (Status s = catalog_->DropTable(id); !s.ok()) {
    return s.code() == StatusCode::kNotFound ? NoSuchTable(id) : FromStatus(s);
  }
  size_t removed = 0, skipped = 0;
  for (const std::string& file : files) {
    const std::string path = std::filesystem::path(LocalPath(file)).lexically_normal().string();
    if (table_dir.empty() || !path.starts_with(table_dir + "/") || !locations_.Contains(path) ||
        LocationPolicy::InNestedTable(path, table_dir)) {
      ++skipped;
      continue;
    }
    removed += catalog_->io().Delete(path).ok() ? 1 : 0;
  }
  if (purge) {
    spdlog::info("purged table {}: {} of {} reachable files removed, {} outside {} kept",
                 Dotted(id), removed, files.size(), skipped, table_dir);
  }
  return Empty(204);
}

HttpResponse RestCatalog::Rename(const HttpRequest& request, Kind kind) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  auto identifier = [&](const char* key) -> std::optional<TableIdentifier> {
    auto it = body->find(key);
    if (it == body->end() || !it->is_object()) return std::nullopt;
    auto ns = it->find("namespace");
    auto name = it->find("name");
    if (ns == it->end() || !ns->is_array() || ns->empty() || name == it->end() ||
        !name->is_string() || name->get<std::string>().empty() ||
        !std::all_of(ns->begin(), ns->end(), [](const Json& l) { return l.is_string(); })) {
      return std::nullopt;
    }
    return TableIdentifier{ns->get<catalog::Namespace>(), name->get<std::string>()};
  };
  std::optional<TableIdentifier> from = identifier("source"), to = identifier("destination");
  if (!from || !to) {
    return BadRequest("Malformed request: 'source' and 'destination' must be identifiers");
  }
  // The reference's order of checks: source, target namespace, target.
  if (!catalog_->Load(*from, kind).ok()) {
    return kind == Kind::kTable
               ? NoSuchTable(*from)
               : Error(404, "NoSuchViewException", "View does not exist: " + Dotted(*from));
  }
  if (auto invalid = InvalidName(*to)) return *invalid;
  if (!catalog_->LoadNamespaceProperties(to->ns).ok()) return NoSuchNamespace(to->ns);
  const bool table_there = catalog_->Load(*to, Kind::kTable).ok();
  if (table_there && kind == Kind::kTable) {
    return Error(409, "AlreadyExistsException", "Table already exists: " + Dotted(*to));
  }
  if (table_there || catalog_->Load(*to, Kind::kView).ok()) {
    return Error(409, "AlreadyExistsException",
                 fmt::format("Cannot rename {} to {}. {} already exists", Dotted(*from),
                             Dotted(*to), table_there ? "Table" : "View"));
  }
  if (Status s = catalog_->Rename(*from, *to, kind); !s.ok()) return FromStatus(s);
  return Empty(204);
}

}  // namespace floe::server
