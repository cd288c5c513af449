#include "floe/server/rest_catalog.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

namespace floe::server {
namespace {

using Json = nlohmann::json;
using catalog::Namespace;

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

HttpResponse Empty(int status) {
  HttpResponse r;
  r.status = status;
  r.content_type.clear();
  return r;
}

// The spec's error body. `type` is the Java exception's simple name.
HttpResponse Error(int status, std::string_view type, std::string_view message) {
  return JsonResponse(
      status, {{"error",
                {{"message", std::move(message)}, {"type", std::string(type)}, {"code", status}}}});
}

HttpResponse BadRequest(std::string_view message) {
  return Error(400, "BadRequestException", message);
}

// Namespace levels as clients send them in a path segment: joined by the
// unit separator 0x1F (which arrives decoded from %1F). Levels are non-empty.
std::optional<Namespace> NamespaceFromPath(std::string_view segment) {
  Namespace ns;
  size_t start = 0;
  while (true) {
    const size_t end = segment.find('\x1f', start);
    std::string_view level = segment.substr(start, end - start);
    if (level.empty()) return std::nullopt;
    ns.emplace_back(level);
    if (end == std::string_view::npos) return ns;
    start = end + 1;
  }
}

// Java prints namespaces with dots: "Namespace does not exist: a.b".
std::string Dotted(const Namespace& ns) {
  std::string out;
  for (const std::string& level : ns) {
    if (!out.empty()) out.push_back('.');
    out += level;
  }
  return out;
}

Json NamespaceJson(const Namespace& ns) {
  return Json(ns);
}

HttpResponse NoSuchNamespace(const Namespace& ns) {
  return Error(404, "NoSuchNamespaceException", "Namespace does not exist: " + Dotted(ns));
}

// Maps a catalog error that a handler did not anticipate.
HttpResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return BadRequest(s.message());
    case StatusCode::kNotFound:
      return Error(404, "NotFoundException", s.message());
    case StatusCode::kAlreadyExists:
      return Error(409, "AlreadyExistsException", s.message());
    case StatusCode::kConflict:
      return Error(409, "CommitFailedException", s.message());
    case StatusCode::kUnavailable:
      return Error(503, "ServiceUnavailableException", s.message());
    case StatusCode::kNotSupported:
      return Error(406, "UnsupportedOperationException", s.message());
    default:
      return Error(500, "RuntimeException", s.ToString());
  }
}

// A JSON object body, or why not.
std::optional<Json> ParseObject(const std::string& body, HttpResponse* error) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *error = BadRequest("Malformed request: the body is not a JSON object");
    return std::nullopt;
  }
  return j;
}

// A string -> string map member (absent: empty), or why not.
std::optional<catalog::Properties> StringMap(const Json& j, const char* key, HttpResponse* error) {
  catalog::Properties out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) {
    *error = BadRequest(fmt::format("Malformed request: '{}' must be an object of strings", key));
    return std::nullopt;
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      *error = BadRequest(fmt::format("Malformed request: '{}.{}' must be a string", key, k));
      return std::nullopt;
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

// Endpoints served, as GET /v1/config advertises them.
const char* const kEndpoints[] = {
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
};

}  // namespace

RestCatalog::RestCatalog(std::unique_ptr<catalog::Catalog> catalog, std::string warehouse)
    : catalog_(std::move(catalog)), warehouse_(std::move(warehouse)) {}

HttpResponse RestCatalog::Handle(const HttpRequest& request) {
  try {
    std::lock_guard lock(mutex_);
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
  if (!parts.empty() && parts[0] != "namespaces") parts.erase(parts.begin());  // the prefix
  if (parts.empty() || parts[0] != "namespaces") return no_route();
  if (parts.size() == 1) {
    if (method == "GET") return ListNamespaces(request);
    if (method == "POST") return CreateNamespace(request);
    return no_route();
  }
  std::optional<Namespace> ns = NamespaceFromPath(parts[1]);
  if (!ns) return BadRequest("Malformed request: invalid namespace in the path");
  if (parts.size() == 2) {
    if (method == "GET" || method == "HEAD") return LoadNamespace(*ns, method == "HEAD");
    if (method == "DELETE") return DropNamespace(*ns);
    return no_route();
  }
  if (parts.size() == 3 && parts[2] == "properties" && method == "POST") {
    return UpdateNamespaceProperties(*ns, request);
  }
  return no_route();
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
  // Paging: the token is the offset of the next page.
  size_t offset = 0, size = children->size();
  if (const std::string* token = request.Query("pageToken"); token != nullptr && !token->empty()) {
    auto [end, ec] = std::from_chars(token->data(), token->data() + token->size(), offset);
    if (ec != std::errc() || end != token->data() + token->size()) {
      return BadRequest("Malformed request: invalid pageToken");
    }
  }
  if (const std::string* page = request.Query("pageSize"); page != nullptr && !page->empty()) {
    auto [end, ec] = std::from_chars(page->data(), page->data() + page->size(), size);
    if (ec != std::errc() || end != page->data() + page->size() || size == 0) {
      return BadRequest("Malformed request: pageSize must be a positive integer");
    }
  }
  Json namespaces = Json::array();
  const size_t first = std::min(offset, children->size());
  const size_t last = std::min(children->size(), first + std::min(size, children->size()));
  for (size_t i = first; i < last; ++i) namespaces.push_back(NamespaceJson((*children)[i]));
  Json body = {{"namespaces", namespaces}};
  body["next-page-token"] = last < children->size() ? Json(std::to_string(last)) : Json(nullptr);
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
  std::optional<catalog::Properties> properties = StringMap(*body, "properties", &error);
  if (!properties) return error;
  if (catalog_->LoadNamespaceProperties(ns).ok()) {
    return Error(409, "AlreadyExistsException", "Namespace already exists: " + Dotted(ns));
  }
  if (Status s = catalog_->CreateNamespace(ns, *properties); !s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument) return BadRequest(s.message());
    return FromStatus(s);
  }
  return JsonResponse(200, {{"namespace", NamespaceJson(ns)}, {"properties", *properties}});
}

HttpResponse RestCatalog::LoadNamespace(const Namespace& ns, bool head) {
  auto properties = catalog_->LoadNamespaceProperties(ns);
  if (!properties.ok()) {
    if (properties.status().code() != StatusCode::kNotFound) return FromStatus(properties.status());
    return head ? Empty(404) : NoSuchNamespace(ns);
  }
  if (head) return Empty(204);
  return JsonResponse(200, {{"namespace", NamespaceJson(ns)}, {"properties", *properties}});
}

HttpResponse RestCatalog::DropNamespace(const Namespace& ns) {
  auto tables = catalog_->ListTables(ns);
  if (!tables.ok()) {
    return tables.status().code() == StatusCode::kNotFound ? NoSuchNamespace(ns)
                                                           : FromStatus(tables.status());
  }
  auto children = catalog_->ListNamespaces(ns);
  if (!children.ok()) return FromStatus(children.status());
  if (!tables->empty() || !children->empty()) {
    return Error(409, "NamespaceNotEmptyException",
                 fmt::format("Namespace {} is not empty. Contains {} table(s).", Dotted(ns),
                             tables->size()));
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
