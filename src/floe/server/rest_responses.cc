#include "floe/server/rest_responses.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "floe/util/json_parse.h"

namespace floe::server {

using Json = nlohmann::json;

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

HttpResponse Error(int status, std::string_view type, std::string_view message) {
  return JsonResponse(
      status,
      {{"error",
        {{"message", std::string(message)}, {"type", std::string(type)}, {"code", status}}}});
}

HttpResponse BadRequest(std::string_view message) {
  return Error(400, "BadRequestException", message);
}

// Namespace levels as clients send them in a path segment: joined by the
// unit separator 0x1F (which arrives decoded from %1F). Levels are non-empty.
std::optional<catalog::Namespace> NamespaceFromPath(std::string_view segment) {
  catalog::Namespace ns;
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

std::string Dotted(const catalog::Namespace& ns) {
  std::string out;
  for (const std::string& level : ns) {
    if (!out.empty()) out.push_back('.');
    out += level;
  }
  return out;
}

HttpResponse NoSuchNamespace(const catalog::Namespace& ns) {
  return Error(404, "NoSuchNamespaceException", "Namespace does not exist: " + Dotted(ns));
}

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
    case StatusCode::kCommitStateUnknown:
      return CommitStateUnknown(s);
    default:
      return Error(500, "RuntimeException", s.ToString());
  }
}

namespace {
std::optional<HttpResponse> Refusal(const Status& s) {
  if (s.ok()) return std::nullopt;
  return BadRequest("Malformed request: " + std::string(s.message()));
}
}  // namespace

std::optional<HttpResponse> InvalidName(const catalog::Namespace& ns) {
  return Refusal(catalog::CheckNamespace(ns));
}

std::optional<HttpResponse> InvalidName(const catalog::TableIdentifier& id) {
  return Refusal(catalog::CheckIdentifier(id));
}

HttpResponse CommitStateUnknown(const Status& s) {
  return Error(500, "CommitStateUnknownException",
               "The commit may or may not have been applied: " + s.ToString());
}

// A JSON object body, or why not.
std::optional<Json> ParseObject(const std::string& body, HttpResponse* error) {
  auto j = ParseJson(body, "the body");
  if (!j.ok() || !j->is_object()) {
    *error =
        BadRequest(j.ok() ? std::string("Malformed request: the body is not a JSON object")
                          : fmt::format("Malformed request: the body is not a JSON object ({})",
                                        j.status().message()));
    return std::nullopt;
  }
  return *std::move(j);
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
std::string Dotted(const catalog::TableIdentifier& id) {
  return Dotted(id.ns) + "." + id.name;
}

std::optional<Page> PageOf(const HttpRequest& request, size_t count, HttpResponse* error) {
  size_t offset = 0, size = count;
  auto number = [](const std::string& text, size_t* out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && end == text.data() + text.size();
  };
  if (const std::string* token = request.Query("pageToken"); token != nullptr && !token->empty()) {
    if (!number(*token, &offset)) {
      *error = BadRequest("Malformed request: invalid pageToken");
      return std::nullopt;
    }
  }
  if (const std::string* page = request.Query("pageSize"); page != nullptr && !page->empty()) {
    if (!number(*page, &size) || size == 0) {
      *error = BadRequest("Malformed request: pageSize must be a positive integer");
      return std::nullopt;
    }
  }
  Page p;
  p.first = std::min(offset, count);
  p.last = p.first + std::min(size, count - p.first);
  if (p.last < count) p.next_token = std::to_string(p.last);
  return p;
}

HttpResponse IdentifierPage(const HttpRequest& request, const catalog::Namespace& ns,
                            const Result<std::vector<catalog::TableIdentifier>>& ids) {
  if (!ids.ok()) {
    return ids.status().code() == StatusCode::kNotFound ? NoSuchNamespace(ns)
                                                        : FromStatus(ids.status());
  }
  HttpResponse error;
  std::optional<Page> page = PageOf(request, ids->size(), &error);
  if (!page) return error;
  nlohmann::json identifiers = nlohmann::json::array();
  for (size_t i = page->first; i < page->last; ++i) {
    identifiers.push_back({{"namespace", (*ids)[i].ns}, {"name", (*ids)[i].name}});
  }
  nlohmann::json body = {{"identifiers", identifiers}};
  body["next-page-token"] =
      page->next_token ? nlohmann::json(*page->next_token) : nlohmann::json(nullptr);
  return JsonResponse(200, body);
}

std::optional<nlohmann::json> ParseCreateRequest(const std::string& body, HttpResponse* error) {
  std::optional<nlohmann::json> parsed = ParseObject(body, error);
  if (!parsed) return std::nullopt;
  auto name = parsed->find("name");
  if (name == parsed->end() || !name->is_string() || name->get<std::string>().empty()) {
    *error = BadRequest("Malformed request: 'name' must be a non-empty string");
    return std::nullopt;
  }
  auto schema = parsed->find("schema");
  if (schema == parsed->end() || !schema->is_object()) {
    *error = BadRequest("Malformed request: 'schema' is required");
    return std::nullopt;
  }
  return parsed;
}

std::optional<nlohmann::json> ParseRegisterRequest(const std::string& body, HttpResponse* error) {
  std::optional<nlohmann::json> parsed = ParseObject(body, error);
  if (!parsed) return std::nullopt;
  auto name = parsed->find("name");
  auto location = parsed->find("metadata-location");
  if (name == parsed->end() || !name->is_string() || name->get<std::string>().empty() ||
      location == parsed->end() || !location->is_string()) {
    *error = BadRequest("Malformed request: 'name' and 'metadata-location' are required");
    return std::nullopt;
  }
  return parsed;
}

bool ChangeArrays(const nlohmann::json& body, nlohmann::json* requirements,
                  nlohmann::json* updates) {
  *requirements = body.value("requirements", nlohmann::json::array());
  *updates = body.value("updates", nlohmann::json::array());
  auto objects = [](const nlohmann::json& a) {
    return a.is_array() &&
           std::all_of(a.begin(), a.end(), [](const nlohmann::json& x) { return x.is_object(); });
  };
  return objects(*requirements) && objects(*updates);
}

}  // namespace floe::server
