// The REST catalog client: floe's CLI against a floe server (or another
// Iceberg REST catalog) with --catalog http://HOST:PORT. Table files are read
// and written by the client itself, at the locations the server hands out
// (a shared filesystem); only metadata goes through the server. A commit is
// the diff between the metadata the change started from and the one it
// made, as the REST API's requirements and updates (what Java's
// TableMetadata.changes() sends): the server re-checks and applies them.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "floe/catalog/catalog.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_metadata_json_internal.h"
#include "floe/iceberg/table_update.h"
#include "floe/io/http_client.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/util/json_parse.h"

namespace floe::catalog {
namespace {

using Json = nlohmann::json;
using iceberg::TableMetadata;

// Namespace levels joined by the unit separator, then percent-encoded.
std::string NamespacePath(const Namespace& ns) {
  std::string joined;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i > 0) joined.push_back('\x1f');
    joined += ns[i];
  }
  return PercentEncode(joined);
}

Json Identifier(const TableIdentifier& id) {
  return {{"namespace", id.ns}, {"name", id.name}};
}

// The requirements and updates that turn `base` into `next` on a server
// holding `base`.
Json CommitRequest(const TableMetadata& base, const TableMetadata& next) {
  Json requirements = Json::array(), updates = Json::array();
  requirements.push_back({{"type", "assert-table-uuid"}, {"uuid", base.table_uuid}});
  if (next.format_version != base.format_version) {
    updates.push_back(
        {{"action", "upgrade-format-version"}, {"format-version", next.format_version}});
  }
  auto has_schema = [&](int32_t id) { return base.SchemaById(id) != nullptr; };
  bool schema_added = false;
  for (const Schema& s : next.schemas) {
    if (has_schema(s.schema_id())) continue;
    updates.push_back({{"action", "add-schema"},
                       {"schema", floe::internal::SchemaToJsonValue(s)},
                       {"last-column-id", next.last_column_id}});
    schema_added = true;
  }
  if (schema_added) {
    requirements.push_back({{"type", "assert-last-assigned-field-id"},
                            {"last-assigned-field-id", base.last_column_id}});
  }
  if (next.current_schema_id != base.current_schema_id) {
    requirements.push_back(
        {{"type", "assert-current-schema-id"}, {"current-schema-id", base.current_schema_id}});
    updates.push_back(
        {{"action", "set-current-schema"},
         {"schema-id", has_schema(next.current_schema_id) ? next.current_schema_id : -1}});
  }
  bool spec_added = false;
  for (const iceberg::PartitionSpec& spec : next.specs) {
    if (base.SpecById(spec.spec_id) != nullptr) continue;
    updates.push_back(
        {{"action", "add-spec"}, {"spec", iceberg::internal::PartitionSpecToJsonValue(spec)}});
    spec_added = true;
  }
  if (spec_added) {
    requirements.push_back({{"type", "assert-last-assigned-partition-id"},
                            {"last-assigned-partition-id", base.last_partition_id}});
  }
  if (next.default_spec_id != base.default_spec_id) {
    requirements.push_back(
        {{"type", "assert-default-spec-id"}, {"default-spec-id", base.default_spec_id}});
    updates.push_back(
        {{"action", "set-default-spec"},
         {"spec-id", base.SpecById(next.default_spec_id) ? next.default_spec_id : -1}});
  }
  auto has_order = [&](int32_t id) {
    for (const iceberg::SortOrder& o : base.sort_orders) {
      if (o.order_id == id) return true;
    }
    return id == 0;
  };
  for (const iceberg::SortOrder& order : next.sort_orders) {
    if (has_order(order.order_id)) continue;
    updates.push_back({{"action", "add-sort-order"},
                       {"sort-order", iceberg::internal::SortOrderToJsonValue(order)}});
  }
  if (next.default_sort_order_id != base.default_sort_order_id) {
    requirements.push_back({{"type", "assert-default-sort-order-id"},
                            {"default-sort-order-id", base.default_sort_order_id}});
    updates.push_back({{"action", "set-default-sort-order"},
                       {"sort-order-id",
                        has_order(next.default_sort_order_id) ? next.default_sort_order_id : -1}});
  }
  if (next.location != base.location) {
    updates.push_back({{"action", "set-location"}, {"location", next.location}});
  }
  Json set = Json::object(), removed = Json::array();
  for (const auto& [k, v] : next.properties) {
    auto it = base.properties.find(k);
    if (it == base.properties.end() || it->second != v) set[k] = v;
  }
  for (const auto& [k, v] : base.properties) {
    if (!next.properties.contains(k)) removed.push_back(k);
  }
  if (!set.empty()) updates.push_back({{"action", "set-properties"}, {"updates", set}});
  if (!removed.empty()) updates.push_back({{"action", "remove-properties"}, {"removals", removed}});
  for (const iceberg::Snapshot& s : next.snapshots) {
    if (base.SnapshotById(s.snapshot_id) != nullptr) continue;
    updates.push_back(
        {{"action", "add-snapshot"},
         {"snapshot", iceberg::internal::SnapshotToJsonValue(s, next.format_version)}});
  }
  Json gone = Json::array();
  for (const iceberg::Snapshot& s : base.snapshots) {
    if (next.SnapshotById(s.snapshot_id) == nullptr) gone.push_back(s.snapshot_id);
  }
  if (!gone.empty()) updates.push_back({{"action", "remove-snapshots"}, {"snapshot-ids", gone}});
  // Every ref that moves must still be where the change found it.
  std::set<std::string> names;
  for (const auto& [name, ref] : base.refs) names.insert(name);
  for (const auto& [name, ref] : next.refs) names.insert(name);
  for (const std::string& name : names) {
    auto before = base.refs.find(name);
    auto after = next.refs.find(name);
    const bool had = before != base.refs.end(), has = after != next.refs.end();
    if (had && has && before->second == after->second) continue;
    requirements.push_back(
        {{"type", "assert-ref-snapshot-id"},
         {"ref", name},
         {"snapshot-id", had ? Json(before->second.snapshot_id) : Json(nullptr)}});
    if (has) {
      Json update = iceberg::internal::SnapshotRefToJsonValue(after->second);
      update["action"] = "set-snapshot-ref";
      update["ref-name"] = name;
      updates.push_back(std::move(update));
    } else {
      updates.push_back({{"action", "remove-snapshot-ref"}, {"ref-name", name}});
    }
  }
  return {{"requirements", std::move(requirements)}, {"updates", std::move(updates)}};
}

class RestClientCatalog final : public Catalog {
 public:
  explicit RestClientCatalog(std::unique_ptr<HttpClient> http) : http_(std::move(http)) {}

  Status CreateNamespace(const Namespace& ns, const Properties& properties) override {
    return Call("POST", "/v1/namespaces", Json{{"namespace", ns}, {"properties", properties}})
        .status();
  }

  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override {
    std::vector<Namespace> out;
    const std::string query = parent.empty() ? "" : "parent=" + NamespacePath(parent);
    FLOE_RETURN_IF_ERROR(Paged("/v1/namespaces", query, "namespaces", [&](const Json& item) {
      if (item.is_array()) out.push_back(item.get<Namespace>());
    }));
    return out;
  }

  Result<Properties> LoadNamespaceProperties(const Namespace& ns) override {
    FLOE_ASSIGN_OR_RETURN(Json body, Call("GET", "/v1/namespaces/" + NamespacePath(ns)));
    Properties out;
    if (auto p = body.find("properties"); p != body.end() && p->is_object()) {
      for (const auto& [k, v] : p->items()) {
        if (v.is_string()) out[k] = v.get<std::string>();
      }
    }
    return out;
  }

  Status UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                   const Properties& updates) override {
    return Call("POST", "/v1/namespaces/" + NamespacePath(ns) + "/properties",
                Json{{"removals", removals}, {"updates", updates}})
        .status();
  }

  Status DropNamespace(const Namespace& ns) override {
    return Call("DELETE", "/v1/namespaces/" + NamespacePath(ns)).status();
  }

  Result<std::vector<TableIdentifier>> List(const Namespace& ns, Kind kind) override {
    std::vector<TableIdentifier> out;
    FLOE_RETURN_IF_ERROR(Paged(EntriesPath(ns, kind), "", "identifiers", [&](const Json& item) {
      if (item.is_object() && item.contains("name") && item["name"].is_string())
        out.push_back({ns, item["name"].get<std::string>()});
    }));
    return out;
  }

  // Registers an existing metadata file.
  Status Create(const TableIdentifier& id, const std::string& metadata_location,
                Kind kind) override {
    return Call("POST",
                "/v1/namespaces/" + NamespacePath(id.ns) +
                    (kind == Kind::kTable ? "/register" : "/register-view"),
                Json{{"name", id.name}, {"metadata-location", metadata_location}})
        .status();
  }

  Result<std::string> Load(const TableIdentifier& id, Kind kind) override {
    FLOE_ASSIGN_OR_RETURN(Json body, Call("GET", EntryPath(id, kind)));
    auto location = body.find("metadata-location");
    if (location == body.end() || !location->is_string()) {
      return Status::Corruption("{}: the answer for {} has no metadata-location", http_->base(),
                                id.ToString());
    }
    return location->get<std::string>();
  }

  Status Commit(const TableIdentifier& id, const std::string&, const std::string&, Kind) override {
    return Status::NotSupported(
        "{}: a REST catalog takes changes, not metadata files (committing {})", http_->base(),
        id.ToString());
  }

  Status CommitTables(const std::vector<Swap>&) override {
    return Status::NotSupported("{}: a REST catalog takes changes, not metadata files",
                                http_->base());
  }

  Status Drop(const TableIdentifier& id, Kind kind) override {
    return Call("DELETE", EntryPath(id, kind)).status();
  }

  Status Rename(const TableIdentifier& from, const TableIdentifier& to, Kind kind) override {
    return Call("POST", kind == Kind::kTable ? "/v1/tables/rename" : "/v1/views/rename",
                Json{{"source", Identifier(from)}, {"destination", Identifier(to)}})
        .status();
  }

  Status StoreMetricsReport(const TableIdentifier& id, const std::string& report) override {
    Json body = ParseJsonOrDiscarded(report);
    if (body.is_discarded()) return Status::InvalidArgument("a metrics report must be JSON");
    return Call("POST", EntryPath(id, Kind::kTable) + "/metrics", body).status();
  }

  // floe server's extension: GET .../tables/{table}/metrics?limit=N.
  Result<std::vector<MetricsReport>> ListMetricsReports(const TableIdentifier& id,
                                                        int64_t limit) override {
    FLOE_ASSIGN_OR_RETURN(Json body, Call("GET", EntryPath(id, Kind::kTable) +
                                                     "/metrics?limit=" + std::to_string(limit)));
    std::vector<MetricsReport> out;
    for (const Json& r : body.value("reports", Json::array())) {
      out.push_back({r.value("received-ms", int64_t{0}), r.value("report", Json::object()).dump()});
    }
    return out;
  }

  Result<std::string> CommitMetadata(const TableIdentifier& id, const std::string&,
                                     const TableMetadata& base,
                                     const TableMetadata& next) override {
    Json request = CommitRequest(base, next);
    request["identifier"] = Identifier(id);
    bool resent = false;
    auto answer = Call("POST", EntryPath(id, Kind::kTable), request, &resent);
    // 503 too: a proxy answers it when its upstream broke after the request
    // went on (floe server itself answers 503 only when nothing changed).
    const StatusCode code = answer.status().code();
    if (!answer.ok() &&
        (resent || code == StatusCode::kCommitStateUnknown || code == StatusCode::kUnavailable)) {
      return OutcomeOfLostCommit(id, base, next, answer.status());
    }
    FLOE_ASSIGN_OR_RETURN(Json body, std::move(answer));
    if (!body.contains("metadata-location") || !body["metadata-location"].is_string()) {
      return Status::Corruption("{}: the commit answer has no metadata-location", http_->base());
    }
    return body["metadata-location"].get<std::string>();
  }

  Result<std::string> CreateTableFrom(const TableIdentifier& id,
                                      const TableMetadata& metadata) override {
    Json properties = metadata.properties;
    properties["format-version"] = std::to_string(metadata.format_version);
    Json request = {
        {"name", id.name},
        {"schema", floe::internal::SchemaToJsonValue(*metadata.CurrentSchema())},
        {"partition-spec", iceberg::internal::PartitionSpecToJsonValue(*metadata.DefaultSpec())},
        {"properties", properties}};
    for (const iceberg::SortOrder& o : metadata.sort_orders) {
      if (o.order_id == metadata.default_sort_order_id && !o.fields.empty())
        request["write-order"] = iceberg::internal::SortOrderToJsonValue(o);
    }
    FLOE_ASSIGN_OR_RETURN(
        Json body, Call("POST", "/v1/namespaces/" + NamespacePath(id.ns) + "/tables", request));
    if (!body.contains("metadata-location") || !body["metadata-location"].is_string()) {
      return Status::Corruption("{}: the create answer has no metadata-location", http_->base());
    }
    return body["metadata-location"].get<std::string>();
  }

 private:
  static std::string EntriesPath(const Namespace& ns, Kind kind) {
    return "/v1/namespaces/" + NamespacePath(ns) + (kind == Kind::kTable ? "/tables" : "/views");
  }
  static std::string EntryPath(const TableIdentifier& id, Kind kind) {
    return EntriesPath(id.ns, kind) + "/" + PercentEncode(id.name);
  }

  // A commit whose answer was lost, or whose request went out twice (the
  // refusal may be of the second copy, because the first landed): the
  // table's history says whether it took effect. Returns the table's
  // metadata location when it did; kCommitStateUnknown when it cannot tell.
  Result<std::string> OutcomeOfLostCommit(const TableIdentifier& id, const TableMetadata& base,
                                          const TableMetadata& next, const Status& failure) {
    auto location = Load(id, Kind::kTable);
    if (location.ok()) {
      auto current = iceberg::ReadTableMetadataFile(io(), *location);
      if (current.ok() && iceberg::ChangeVisibleIn(base, next, *current)) return *location;
    }
    return Status::CommitStateUnknown(
        "commit to {}: its answer was lost and the table does not show it (yet): {}", id.ToString(),
        failure.message());
  }

  // One request; a JSON answer (or an empty one) for 2xx, else the server's
  // error as a Status of the matching code. `resent`, when given, tells
  // whether the request went out twice (HttpResult::resent).
  Result<Json> Call(std::string_view method, const std::string& path, const Json& body = nullptr,
                    bool* resent = nullptr) {
    FLOE_ASSIGN_OR_RETURN(HttpResult r,
                          http_->Send(method, path, body.is_null() ? std::string() : body.dump()));
    if (resent != nullptr) *resent = r.resent;
    Json answer = r.body.empty() ? Json() : ParseJsonOrDiscarded(r.body);
    if (r.status >= 200 && r.status < 300) {
      if (answer.is_discarded()) {
        return Status::Corruption("{} {}{}: the answer is not JSON", method, http_->base(), path);
      }
      return answer;
    }
    std::string type, message = r.body;
    if (answer.is_object() && answer.contains("error") && answer["error"].is_object()) {
      type = answer["error"].value("type", "");
      message = answer["error"].value("message", r.body);
    }
    const std::string text = fmt::format("{} ({} from {})", message, r.status, http_->base());
    switch (r.status) {
      case 400:
      case 422:
        return Status::InvalidArgument("{}", text);
      case 404:
        return Status::NotFound("{}", text);
      case 406:
        return Status::NotSupported("{}", text);
      case 409:
        if (type == "CommitFailedException") return Status::Conflict("{}", text);
        if (type == "NamespaceNotEmptyException") return Status::Conflict("{}", text);
        return Status::AlreadyExists("{}", text);
      case 503:
        return Status::Unavailable("{}", text);
      case 500:
      case 502:
      case 504:  // the REST spec's "the commit state is unknown"
        if (method != "GET" && method != "HEAD") return Status::CommitStateUnknown("{}", text);
        return Status::IOError("{}", text);
      default:
        return Status::IOError("{}", text);
    }
  }

  // Follows next-page-token through a listing, calling `each` on every item.
  template <typename F>
  Status Paged(const std::string& path, const std::string& query, const char* key, F&& each) {
    std::string token;
    for (int page = 0; page < 100000; ++page) {
      std::string q = query;
      if (!token.empty()) {
        if (!q.empty()) q.push_back('&');
        q += "pageToken=";
        q += PercentEncode(token);
      }
      FLOE_ASSIGN_OR_RETURN(Json body, Call("GET", q.empty() ? path : path + "?" + q));
      if (auto items = body.find(key); items != body.end() && items->is_array()) {
        for (const Json& item : *items) each(item);
      }
      auto next = body.find("next-page-token");
      if (next == body.end() || !next->is_string() || next->get<std::string>().empty()) {
        return Status::OK();
      }
      token = next->get<std::string>();
    }
    return Status::IOError("{}: endless paging of {}", http_->base(), path);
  }

  std::unique_ptr<HttpClient> http_;
};

}  // namespace

Result<std::unique_ptr<Catalog>> OpenRestCatalog(const std::string& uri) {
  FLOE_ASSIGN_OR_RETURN(auto http, HttpClient::Make(uri));
  auto catalog = std::make_unique<RestClientCatalog>(std::move(http));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace floe::catalog
