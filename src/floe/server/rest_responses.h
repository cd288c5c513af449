// The REST catalog's building blocks shared by its handlers: JSON answers,
// the spec's error bodies, request-body checks and path decoding.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "floe/catalog/catalog.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/server/http_message.h"
#include "floe/util/status.h"

namespace floe::server {

HttpResponse JsonResponse(int status, const nlohmann::json& body);
// A bodiless answer (204, 304, a HEAD's 404).
HttpResponse Empty(int status);
// The spec's error body; `type` is the Java exception's simple name, which
// clients branch on.
HttpResponse Error(int status, std::string_view type, std::string_view message);
HttpResponse BadRequest(std::string_view message);
// A catalog error a handler did not anticipate.
HttpResponse FromStatus(const Status& s);
// 400 naming what is wrong with a namespace or an identifier a client gave
// (catalog::CheckIdentifier), else none.
std::optional<HttpResponse> InvalidName(const catalog::Namespace& ns);
std::optional<HttpResponse> InvalidName(const catalog::TableIdentifier& id);
// 500 CommitStateUnknownException: a commit that may have taken effect.
HttpResponse CommitStateUnknown(const Status& s);

// Namespace levels from a path segment (joined by the unit separator 0x1F,
// which arrives decoded from %1F); nullopt for an empty level.
std::optional<catalog::Namespace> NamespaceFromPath(std::string_view segment);
// Java prints namespaces and identifiers with dots: "Namespace does not exist: a.b".
std::string Dotted(const catalog::Namespace& ns);
std::string Dotted(const catalog::TableIdentifier& id);
HttpResponse NoSuchNamespace(const catalog::Namespace& ns);

// A JSON object body, or the 400 answer in `error`.
std::optional<nlohmann::json> ParseObject(const std::string& body, HttpResponse* error);
// A create request's body (table or view): an object with a non-empty
// string 'name' and an object 'schema', or the 400 answer.
std::optional<nlohmann::json> ParseCreateRequest(const std::string& body, HttpResponse* error);
// A register request's body (table or view): a non-empty string 'name' and
// a 'metadata-location' that is an absolute path, or the 400 answer.
std::optional<nlohmann::json> ParseRegisterRequest(const std::string& body, HttpResponse* error);
// Whether the members `requirements` and `updates` of a commit body (absent:
// empty) are arrays of objects; their values in `requirements` / `updates`.
bool ChangeArrays(const nlohmann::json& body, nlohmann::json* requirements,
                  nlohmann::json* updates);
// A string -> string map member (absent or null: empty), or the 400 answer.
std::optional<catalog::Properties> StringMap(const nlohmann::json& j, const char* key,
                                             HttpResponse* error);
// Paging over `count` items by pageToken (an offset) and pageSize: [first,
// last) and the next token (empty at the end), or the 400 answer.
struct Page {
  size_t first = 0, last = 0;
  std::optional<std::string> next_token;
};
std::optional<Page> PageOf(const HttpRequest& request, size_t count, HttpResponse* error);

// ListTablesResponse (for views too): one page of `ids` (the entries of
// namespace `ns`, or the error listing them gave).
HttpResponse IdentifierPage(const HttpRequest& request, const catalog::Namespace& ns,
                            const Result<std::vector<catalog::TableIdentifier>>& ids);

// LoadTableResult's JSON text: the metadata, its location (null for a
// staged create) and the (empty) client config.
std::string LoadResult(const std::string& location, const iceberg::TableMetadata& m);
// The 200 answer with a LoadTableResult and its ETag, which names the
// metadata file and the snapshots mode ("all" or "refs") it was loaded in.
HttpResponse TableResponse(const std::string& location, const iceberg::TableMetadata& m,
                           std::string_view snapshots = "all");
std::string TableETag(const std::string& location, std::string_view snapshots);

}  // namespace floe::server
