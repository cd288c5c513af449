#include "floe/server/rest_catalog.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "floe/server/rest_responses.h"
#include "floe/util/json_parse.h"

namespace floe::server {
namespace {

using Json = nlohmann::json;
using catalog::Namespace;
using Kind = catalog::Catalog::Kind;

// Endpoints served, as GET /v1/config advertises them.
const char* const kEndpoints[] = {
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "POST /v1/{prefix}/tables/rename",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
    "POST /v1/{prefix}/namespaces/{namespace}/views",
    "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/register-view",
    "POST /v1/{prefix}/views/rename",
    "POST /v1/{prefix}/transactions/commit",
};

}  // namespace

RestCatalog::RestCatalog(std::unique_ptr<catalog::Catalog> catalog, std::string warehouse,
                         const std::vector<std::string>& allowed_locations)
    : catalog_(std::move(catalog)),
      warehouse_(std::move(warehouse)),
      locations_(warehouse_, allowed_locations) {}

HttpResponse RestCatalog::Handle(const HttpRequest& request) {
  try {
    return Route(request);
  } catch (const std::exception& e) {  // a bug, or memory exhausted: answer, never crash
    spdlog::error("{} {}: {}", request.method, request.path, e.what());
    return Error(500, "RuntimeException", "internal error");
  }
}

HttpResponse RestCatalog::Route(const HttpRequest& request) {
  // Segments after /v1; an optional prefix segment comes before "namespaces".
  std::vector<std::string_view> parts;
  std::string_view path = request.path;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  const std::string& method = request.method;
  auto no_route = [&] {
    return Error(404, "NotFoundException",
                 fmt::format("No route for request: {} {}", method, request.path));
  };
  if (parts.empty() || parts[0] != "v1") return no_route();
  parts.erase(parts.begin());
  if (parts.size() == 1 && parts[0] == "config") {
    return method == "GET" ? Config(request) : no_route();
  }
  if (!parts.empty() && parts[0] != "namespaces" && parts[0] != "tables" && parts[0] != "views" &&
      parts[0] != "transactions") {
    parts.erase(parts.begin());  // the prefix
  }
  if (parts.size() == 2 && parts[0] == "transactions" && parts[1] == "commit") {
    return method == "POST" ? CommitTransaction(request) : no_route();
  }
  if (parts.size() == 2 && (parts[0] == "tables" || parts[0] == "views") && parts[1] == "rename") {
    if (method != "POST") return no_route();
    return Rename(request, parts[0] == "tables" ? Kind::kTable : Kind::kView);
  }
  if (parts.empty() || parts[0] != "namespaces") return no_route();
  if (parts.size() == 1) {
    if (method == "GET") return ListNamespaces(request);
    if (method == "POST") return CreateNamespace(request);
    return no_route();
  }
  std::optional<Namespace> ns = NamespaceFromPath(parts[1]);
  if (!ns) return BadRequest("Malformed request: invalid namespace in the path");
  if (auto invalid = InvalidName(*ns)) return *invalid;
  if (parts.size() == 2) {
    if (method == "GET" || method == "HEAD") return LoadNamespace(*ns, method == "HEAD");
    if (method == "DELETE") return DropNamespace(*ns);
    return no_route();
  }
  if (parts.size() == 3 && parts[2] == "properties" && method == "POST") {
    return UpdateNamespaceProperties(*ns, request);
  }
  if (parts.size() == 3 && parts[2] == "register" && method == "POST") {
    return RegisterTable(*ns, request);
  }
  if (parts.size() == 3 && parts[2] == "register-view" && method == "POST") {
    return RegisterView(*ns, request);
  }
  if (parts[2] == "views") return RouteView(*ns, parts, request);
  if (parts[2] != "tables") return no_route();
  if (parts.size() == 3) {
    if (method == "GET") return ListTables(*ns, request);
    if (method == "POST") return CreateTable(*ns, request);
    return no_route();
  }
  if (parts[3].empty()) return BadRequest("Malformed request: empty table name");
  const catalog::TableIdentifier id{*ns, std::string(parts[3])};
  if (auto invalid = InvalidName(id)) return *invalid;
  if (parts.size() == 4) {
    if (method == "GET" || method == "HEAD") return LoadTable(id, request, method == "HEAD");
    if (method == "POST") return CommitTable(id, request);
    if (method == "DELETE") return DropTable(id, request);
    return no_route();
  }
  if (parts.size() == 5 && parts[4] == "metrics") {
    if (method == "POST") return ReportMetrics(id, request);
    if (method == "GET") return ListMetrics(id, request);
  }
  return no_route();
}

HttpResponse RestCatalog::RouteView(const Namespace& ns, const std::vector<std::string_view>& parts,
                                    const HttpRequest& request) {
  const std::string& method = request.method;
  if (parts.size() == 3) {
    if (method == "GET") return ListViews(ns, request);
    if (method == "POST") return CreateView(ns, request);
  } else if (parts.size() == 4) {
    if (parts[3].empty()) return BadRequest("Malformed request: empty view name");
    const catalog::TableIdentifier id{ns, std::string(parts[3])};
    if (auto invalid = InvalidName(id)) return *invalid;
    if (method == "GET" || method == "HEAD") return LoadView(id, method == "HEAD");
    if (method == "POST") return CommitView(id, request);
    if (method == "DELETE") return DropView(id);
  }
  return Error(404, "NotFoundException",
               fmt::format("No route for request: {} {}", method, request.path));
}

HttpResponse RestCatalog::ReportMetrics(const catalog::TableIdentifier& id,
                                        const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  const std::string type = body->value("report-type", "");
  if (type != "scan-report" && type != "commit-report") {
    return BadRequest("Malformed request: 'report-type' must be scan-report or commit-report");
  }
  // Kept even when the table does not exist (yet): Spark reports on a
  // staged create-table-as-select before committing it, and Java's
  // reference server accepts every report.
  if (Status s = catalog_->StoreMetricsReport(id, body->dump()); !s.ok()) return FromStatus(s);
  return Empty(204);
}

// GET .../tables/{table}/metrics?limit=N (floe's extension): the reports
// kept for a table, newest first.
HttpResponse RestCatalog::ListMetrics(const catalog::TableIdentifier& id,
                                      const HttpRequest& request) {
  int64_t limit = 100;
  if (const std::string* l = request.Query("limit")) {
    if (l->empty() || l->size() > 6 || l->find_first_not_of("0123456789") != std::string::npos) {
      return BadRequest("Malformed request: 'limit' must be a number up to 999999");
    }
    limit = std::stoll(*l);
  }
  if (!catalog_->LoadTable(id).ok()) {
    return Error(404, "NoSuchTableException", "Table does not exist: " + Dotted(id));
  }
  auto reports = catalog_->ListMetricsReports(id, limit);
  if (!reports.ok()) return FromStatus(reports.status());
  Json list = Json::array();
  for (const auto& r : *reports) {
    list.push_back({{"received-ms", r.received_ms}, {"report", ParseJsonOrDiscarded(r.report)}});
  }
  return JsonResponse(200, {{"reports", std::move(list)}});
}

HttpResponse RestCatalog::Config(const HttpRequest&) {
  return JsonResponse(200, {{"defaults", Json::object()},
                            {"overrides", Json::object()},
                            {"endpoints", Json(std::vector<std::string>(std::begin(kEndpoints),
                                                                        std::end(kEndpoints)))}});
}

HttpResponse RestCatalog::ListNamespaces(const HttpRequest& request) {
  Namespace parent;
  if (const std::string* p = request.Query("parent"); p != nullptr && !p->empty()) {
    std::optional<Namespace> ns = NamespaceFromPath(*p);
    if (!ns) return BadRequest("Malformed request: invalid parent namespace");
    parent = *std::move(ns);
    auto props = catalog_->LoadNamespaceProperties(parent);
    if (!props.ok()) {
      return props.status().code() == StatusCode::kNotFound ? NoSuchNamespace(parent)
                                                            : FromStatus(props.status());
    }
  }
  auto children = catalog_->ListNamespaces(parent);
  if (!children.ok()) return FromStatus(children.status());
  HttpResponse error;
  std::optional<Page> page = PageOf(request, children->size(), &error);
  if (!page) return error;
  Json namespaces = Json::array();
  for (size_t i = page->first; i < page->last; ++i) namespaces.push_back(Json((*children)[i]));
  Json body = {{"namespaces", namespaces}};
  body["next-page-token"] = page->next_token ? Json(*page->next_token) : Json(nullptr);
  return JsonResponse(200, body);
}

HttpResponse RestCatalog::CreateNamespace(const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  auto it = body->find("namespace");
  if (it == body->end() || !it->is_array() || it->empty() ||
      !std::all_of(it->begin(), it->end(),
                   [](const Json& l) { return l.is_string() && !l.get<std::string>().empty(); })) {
    return BadRequest("Malformed request: 'namespace' must be a non-empty array of names");
  }
  const Namespace ns = it->get<Namespace>();
  if (auto invalid = InvalidName(ns)) return *invalid;
  std::optional<catalog::Properties> properties = StringMap(*body, "properties", &error);
  if (!properties) return error;
  if (catalog_->LoadNamespaceProperties(ns).ok()) {
    return Error(409, "AlreadyExistsException", "Namespace already exists: " + Dotted(ns));
  }
  if (Status s = catalog_->CreateNamespace(ns, *properties); !s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument) return BadRequest(s.message());
    return FromStatus(s);
  }
  return JsonResponse(200, {{"namespace", Json(ns)}, {"properties", *properties}});
}

HttpResponse RestCatalog::LoadNamespace(const Namespace& ns, bool head) {
  auto properties = catalog_->LoadNamespaceProperties(ns);
  if (!properties.ok()) {
    if (properties.status().code() != StatusCode::kNotFound) return FromStatus(properties.status());
    return head ? Empty(404) : NoSuchNamespace(ns);
  }
  if (head) return Empty(204);
  // Where its tables go by default, unless the namespace says (as Java's JDBC
  // catalog answers): Trino places a new table there itself, and refuses a
  // CREATE TABLE without it.
  properties->try_emplace("location", catalog::NamespaceLocation(warehouse_, ns));
  return JsonResponse(200, {{"namespace", Json(ns)}, {"properties", *properties}});
}

HttpResponse RestCatalog::DropNamespace(const Namespace& ns) {
  auto tables = catalog_->ListTables(ns);
  if (!tables.ok()) {
    return tables.status().code() == StatusCode::kNotFound ? NoSuchNamespace(ns)
                                                           : FromStatus(tables.status());
  }
  auto views = catalog_->List(ns, Kind::kView);
  if (!views.ok()) return FromStatus(views.status());
  auto children = catalog_->ListNamespaces(ns);
  if (!children.ok()) return FromStatus(children.status());
  if (!tables->empty() || !views->empty() || !children->empty()) {
    return Error(409, "NamespaceNotEmptyException",
                 fmt::format("Namespace {} is not empty. Contains {} table(s) and {} view(s).",
                             Dotted(ns), tables->size(), views->size()));
  }
  if (Status s = catalog_->DropNamespace(ns); !s.ok()) return FromStatus(s);
  return Empty(204);
}

HttpResponse RestCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                                    const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  std::optional<catalog::Properties> updates = StringMap(*body, "updates", &error);
  if (!updates) return error;
  std::vector<std::string> removals;
  if (auto it = body->find("removals"); it != body->end() && !it->is_null()) {
    if (!it->is_array() ||
        !std::all_of(it->begin(), it->end(), [](const Json& k) { return k.is_string(); })) {
      return BadRequest("Malformed request: 'removals' must be an array of strings");
    }
    removals = it->get<std::vector<std::string>>();
  }
  std::set<std::string> both;
  for (const std::string& k : removals) {
    if (updates->contains(k)) both.insert(k);
  }
  if (!both.empty()) {
    return Error(422, "UnprocessableEntityException",
                 fmt::format("Invalid namespace update, cannot simultaneously set and remove "
                             "keys: [{}]",
                             fmt::join(both, ", ")));
  }
  auto current = catalog_->LoadNamespaceProperties(ns);
  if (!current.ok()) {
    return current.status().code() == StatusCode::kNotFound ? NoSuchNamespace(ns)
                                                            : FromStatus(current.status());
  }
  if (Status s = catalog_->UpdateNamespaceProperties(ns, removals, *updates); !s.ok()) {
    return FromStatus(s);
  }
  Json removed = Json::array(), missing = Json::array(), updated = Json::array();
  for (const std::string& k : removals) (current->contains(k) ? removed : missing).push_back(k);
  for (const auto& [k, v] : *updates) updated.push_back(k);
  return JsonResponse(200, {{"updated", updated}, {"removed", removed}, {"missing", missing}});
}

}  // namespace floe::server
