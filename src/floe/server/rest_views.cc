// The REST catalog's view endpoints: list, create, load, HEAD, replace
// (commit), drop, rename and register. Views live beside tables in the
// catalog and share their names: a view cannot take a table's name, nor a
// table a view's (Java's messages, docs/design/rest-catalog.md section 4).
#include <fmt/format.h>

#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/view_metadata.h"
#include "floe/io/file.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/server/rest_catalog.h"
#include "floe/server/rest_responses.h"
#include "floe/table/table_commit.h"

namespace floe::server {
namespace {

using Json = nlohmann::json;
using catalog::TableIdentifier;
using Kind = catalog::Catalog::Kind;
using iceberg::ViewChange;
using iceberg::ViewMetadata;

HttpResponse NoSuchView(const TableIdentifier& id) {
  return Error(404, "NoSuchViewException", "View does not exist: " + Dotted(id));
}

HttpResponse ViewError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruption:
      return Error(400, "IllegalArgumentException", s.message());
    case StatusCode::kConflict:
      return Error(409, "CommitFailedException", s.message());
    case StatusCode::kNotSupported:
      return Error(406, "UnsupportedOperationException", s.message());
    default:
      return FromStatus(s);
  }
}

Json LoadViewResult(const std::string& location, const ViewMetadata& m) {
  return {{"metadata-location", location},
          {"metadata", Json::parse(iceberg::ViewMetadataToJson(m))},
          {"config", Json::object()}};
}

// Where version `version` of a view's metadata goes: under
// write.metadata.path when the view sets it, else <location>/metadata,
// spelled as they are (a file: URI stays one; writes use the local path).
std::string ViewMetadataPath(const ViewMetadata& m, int version) {
  auto custom = m.properties.find("write.metadata.path");
  if (custom == m.properties.end()) return iceberg::MetadataFilePath(m.location, version);
  return fmt::format("{}/{:05d}-{}.metadata.json", custom->second, version, iceberg::NewUuid());
}

Status WriteViewMetadata(FileIO& io, const std::string& path, const ViewMetadata& m) {
  return io.WriteAtomically(path, iceberg::ViewMetadataToJson(m));
}

Result<iceberg::ViewVersion> VersionOf(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("'view-version' must be an object");
  auto version = iceberg::ViewVersionFromJson(j.dump());
  if (!version.ok()) return Status::InvalidArgument("{}", version.status().message());
  return version;
}

Status ApplyViewUpdate(const Json& u, int64_t now_ms, const LocationPolicy& locations,
                       ViewChange& change) {
  const std::string action = u.value("action", "");
  if (action == "assign-uuid") return change.AssignUuid(u.value("uuid", ""));
  if (action == "upgrade-format-version") {
    auto v = u.find("format-version");
    if (v == u.end() || !v->is_number_integer())
      return Status::InvalidArgument("'format-version' must be a number");
    return change.UpgradeFormatVersion(v->get<int>());
  }
  if (action == "set-location") {
    const std::string location = u.value("location", "");
    if (std::string problem = locations.TableLocationProblem(location); !problem.empty()) {
      return Status::InvalidArgument("{}", problem);
    }
    return change.SetLocation(location);
  }
  if (action == "set-properties" || action == "remove-properties") {
    const bool set = action == "set-properties";
    auto it = u.find(set ? "updates" : "removals");
    if (set && it != u.end() && it->is_object() &&
        std::all_of(it->begin(), it->end(), [](const Json& v) { return v.is_string(); })) {
      const auto updates = it->get<std::map<std::string, std::string>>();
      if (std::string problem = locations.PropertiesProblem(updates); !problem.empty()) {
        return Status::InvalidArgument("{}", problem);
      }
      change.SetProperties(updates);
      return Status::OK();
    }
    if (!set && it != u.end() && it->is_array() &&
        std::all_of(it->begin(), it->end(), [](const Json& k) { return k.is_string(); })) {
      change.RemoveProperties(it->get<std::vector<std::string>>());
      return Status::OK();
    }
    return Status::InvalidArgument("malformed {} update: {}", action, u.dump());
  }
  if (action == "add-schema") {
    auto it = u.find("schema");
    if (it == u.end() || !it->is_object())
      return Status::InvalidArgument("'schema' must be an object");
    auto schema = floe::internal::SchemaFromJsonValue(*it);
    if (!schema.ok()) return Status::InvalidArgument("{}", schema.status().message());
    change.AddSchema(*schema);
    return Status::OK();
  }
  if (action == "add-view-version") {
    FLOE_ASSIGN_OR_RETURN(iceberg::ViewVersion version, VersionOf(u.value("view-version", Json())));
    return change.AddVersion(std::move(version)).status();
  }
  if (action == "set-current-view-version") {
    auto v = u.find("view-version-id");
    if (v == u.end() || !v->is_number_integer())
      return Status::InvalidArgument("'view-version-id' must be a number");
    return change.SetCurrentVersion(v->get<int32_t>(), now_ms);
  }
  return Status::InvalidArgument("unknown or unsupported view update action '{}'", action);
}

}  // namespace

HttpResponse RestCatalog::ListViews(const catalog::Namespace& ns, const HttpRequest& request) {
  return IdentifierPage(request, ns, catalog_->List(ns, Kind::kView));
}

std::optional<HttpResponse> RestCatalog::NameTaken(const TableIdentifier& id, Kind wanted) {
  if (catalog_->Load(id, Kind::kTable).ok()) {
    return Error(409, "AlreadyExistsException",
                 (wanted == Kind::kTable ? "Table already exists: "
                                         : "Table with same name already exists: ") +
                     Dotted(id));
  }
  if (catalog_->Load(id, Kind::kView).ok()) {
    return Error(
        409, "AlreadyExistsException",
        (wanted == Kind::kView ? "View already exists: " : "View with same name already exists: ") +
            Dotted(id));
  }
  return std::nullopt;
}

HttpResponse RestCatalog::CreateView(const catalog::Namespace& ns, const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseCreateRequest(request.body, &error);
  if (!body) return error;
  const TableIdentifier id{ns, (*body)["name"].get<std::string>()};
  if (auto invalid = InvalidName(id)) return *invalid;
  auto schema = floe::internal::SchemaFromJsonValue((*body)["schema"]);
  if (!schema.ok()) return BadRequest(schema.status().message());
  auto version = VersionOf(body->value("view-version", Json()));
  if (!version.ok()) return BadRequest(version.status().message());
  std::optional<catalog::Properties> properties = StringMap(*body, "properties", &error);
  if (!properties) return error;
  std::string location = catalog::DefaultTableLocation(warehouse_, id);
  std::string_view which = "the default location: ";
  if (auto it = body->find("location"); it != body->end() && !it->is_null()) {
    if (!it->is_string()) return BadRequest("Malformed request: 'location' must be a string");
    location = it->get<std::string>();
    which = "";
  }
  // The default one too: a table may have been placed where it points.
  if (std::string problem = locations_.TableLocationProblem(location); !problem.empty()) {
    return BadRequest(fmt::format("Malformed request: {}{}", which, problem));
  }
  if (std::string problem = locations_.PropertiesProblem(*properties); !problem.empty()) {
    return BadRequest("Malformed request: " + problem);
  }
  if (!catalog_->LoadNamespaceProperties(ns).ok()) return NoSuchNamespace(ns);
  if (auto taken = NameTaken(id, Kind::kView)) return *taken;

  // Java's create: a fresh uuid, the schema as id 0 and the query as version 1.
  ViewChange change;
  version->version_id = 1;
  version->schema_id = -1;
  Status s = change.AssignUuid(iceberg::NewUuid());
  if (s.ok()) s = change.SetLocation(location);
  change.SetProperties(*properties);
  change.AddSchema(*schema);
  if (s.ok()) s = change.AddVersion(*std::move(version)).status();
  if (s.ok()) s = change.SetCurrentVersion(-1, table::NowMillis());
  if (!s.ok()) return ViewError(s);
  auto metadata = change.Build();
  if (!metadata.ok()) return ViewError(metadata.status());
  const std::string path = ViewMetadataPath(*metadata, 0);
  if (Status w = WriteViewMetadata(catalog_->io(), path, *metadata); !w.ok()) {
    return FromStatus(w);
  }
  if (Status c = catalog_->Create(id, path, Kind::kView); !c.ok()) {
    if (!catalog::CommitCertainlyFailed(c)) return CommitStateUnknown(c);
    (void)catalog_->io().Delete(path);
    if (c.code() == StatusCode::kAlreadyExists)
      return NameTaken(id, Kind::kView).value_or(FromStatus(c));
    return FromStatus(c);
  }
  return JsonResponse(200, LoadViewResult(path, *metadata));
}

HttpResponse RestCatalog::LoadView(const TableIdentifier& id, bool head) {
  auto location = catalog_->Load(id, Kind::kView);
  if (!location.ok()) {
    if (location.status().code() != StatusCode::kNotFound) return FromStatus(location.status());
    return head ? Empty(404) : NoSuchView(id);
  }
  if (head) return Empty(204);
  auto metadata = iceberg::ReadViewMetadataFile(catalog_->io(), *location);
  if (!metadata.ok()) return FromStatus(metadata.status());
  return JsonResponse(200, LoadViewResult(*location, *metadata));
}

HttpResponse RestCatalog::CommitView(const TableIdentifier& id, const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  Json requirements, updates;
  if (!ChangeArrays(*body, &requirements, &updates)) {
    return BadRequest("Malformed request: 'requirements' and 'updates' must be arrays of objects");
  }
  // Applied on the latest metadata; a lost compare-and-swap is retried on the
  // newer one, whose uuid the requirement still checks.
  for (int attempt = 0; attempt < 12; ++attempt) {
    auto location = catalog_->Load(id, Kind::kView);
    if (!location.ok()) {
      return location.status().code() == StatusCode::kNotFound ? NoSuchView(id)
                                                               : FromStatus(location.status());
    }
    auto base = iceberg::ReadViewMetadataFile(catalog_->io(), *location);
    if (!base.ok()) return FromStatus(base.status());
    for (const Json& r : requirements) {
      if (r.value("type", "") != "assert-view-uuid") {
        return BadRequest("Malformed request: unknown view requirement " + r.dump());
      }
      if (r.value("uuid", "") != base->view_uuid) {
        return Error(409, "CommitFailedException",
                     fmt::format("Requirement failed: view UUID does not match: expected {} != {}",
                                 base->view_uuid, r.value("uuid", "")));
      }
    }
    ViewChange change(*base);
    const int64_t now = table::NowMillis();
    for (const Json& u : updates) {
      if (Status s = ApplyViewUpdate(u, now, locations_, change); !s.ok()) return ViewError(s);
    }
    auto metadata = change.Build();
    if (!metadata.ok()) return ViewError(metadata.status());
    const std::string path =
        ViewMetadataPath(*metadata, iceberg::NextMetadataFileVersion(*location));
    if (Status w = WriteViewMetadata(catalog_->io(), path, *metadata); !w.ok()) {
      return FromStatus(w);
    }
    Status c = catalog_->Commit(id, *location, path, Kind::kView);
    if (c.ok()) return JsonResponse(200, LoadViewResult(path, *metadata));
    if (!catalog::CommitCertainlyFailed(c)) return CommitStateUnknown(c);
    (void)catalog_->io().Delete(path);
    if (c.code() == StatusCode::kNotFound) return NoSuchView(id);
    if (c.code() != StatusCode::kConflict) return FromStatus(c);
  }
  return Error(409, "CommitFailedException", "Commit failed: too many concurrent view commits");
}

HttpResponse RestCatalog::DropView(const TableIdentifier& id) {
  if (Status s = catalog_->Drop(id, Kind::kView); !s.ok()) {
    return s.code() == StatusCode::kNotFound ? NoSuchView(id) : FromStatus(s);
  }
  return Empty(204);
}

HttpResponse RestCatalog::RegisterView(const catalog::Namespace& ns, const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseRegisterRequest(request.body, &error);
  if (!body) return error;
  const TableIdentifier id{ns, (*body)["name"].get<std::string>()};
  if (auto invalid = InvalidName(id)) return *invalid;
  const std::string path = (*body)["metadata-location"].get<std::string>();
  // Refused before the file is opened (see RegisterTable).
  if (!locations_.Contains(path)) {
    return BadRequest("Malformed request: " + locations_.Outside("'metadata-location'", path));
  }
  if (!catalog_->LoadNamespaceProperties(ns).ok()) return NoSuchNamespace(ns);
  if (auto taken = NameTaken(id, Kind::kView)) return *taken;
  auto metadata = iceberg::ReadViewMetadataFile(catalog_->io(), path);
  if (!metadata.ok()) {
    if (metadata.status().code() == StatusCode::kNotFound) {
      return Error(404, "NotFoundException", "Failed to open input stream for file: " + path);
    }
    return BadRequest(metadata.status().message());
  }
  if (std::string problem = locations_.RegisteredProblem("the view's location", metadata->location,
                                                         metadata->properties);
      !problem.empty()) {
    return BadRequest("Malformed request: " + problem);
  }
  if (Status c = catalog_->Create(id, path, Kind::kView); !c.ok()) {
    if (c.code() == StatusCode::kAlreadyExists)
      return NameTaken(id, Kind::kView).value_or(FromStatus(c));
    return FromStatus(c);
  }
  return JsonResponse(200, LoadViewResult(path, *metadata));
}

}  // namespace floe::server
