// The Iceberg REST catalog (apache/iceberg open-api/rest-catalog-open-api.yaml)
// over floe's catalog: routes requests, checks their bodies and answers with
// the spec's JSON and status codes. Error bodies are
// {"error": {"message", "type", "code"}} with the Java reference's exception
// names as types, which clients branch on (docs/design/rest-catalog.md).
//
// Served: GET /v1/config; the namespace endpoints (list with parent and
// paging, create, load, HEAD, drop, update properties); tables: list,
// create (and stage-create), register, load (snapshots=all|refs, ETags),
// HEAD, drop (and purge), rename, commit (racing fast appends rebased),
// metrics reports (kept and listed); multi-table transactions; views.
// Every route also answers with a prefix segment after /v1.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/server/http_message.h"
#include "floe/server/load_result_cache.h"
#include "floe/server/location_policy.h"

namespace floe::server {

class RestCatalog {
 public:
  // `warehouse` is the directory new tables go under; tables and views may
  // live inside it or inside one of `allowed_locations` (LocationPolicy).
  RestCatalog(std::unique_ptr<catalog::Catalog> catalog, std::string warehouse,
              const std::vector<std::string>& allowed_locations = {});

  // Answers one request. Never throws; malformed input gets a 4xx answer.
  // Safe to call from several threads at once.
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Route(const HttpRequest& request);
  // .../namespaces/{namespace}/views[/{view}]
  HttpResponse RouteView(const catalog::Namespace& ns, const std::vector<std::string_view>& parts,
                         const HttpRequest& request);
  HttpResponse Config(const HttpRequest& request);
  HttpResponse ListNamespaces(const HttpRequest& request);
  HttpResponse CreateNamespace(const HttpRequest& request);
  HttpResponse LoadNamespace(const catalog::Namespace& ns, bool head);
  HttpResponse DropNamespace(const catalog::Namespace& ns);
  HttpResponse UpdateNamespaceProperties(const catalog::Namespace& ns, const HttpRequest& request);

  // rest_tables.cc
  HttpResponse ListTables(const catalog::Namespace& ns, const HttpRequest& request);
  HttpResponse CreateTable(const catalog::Namespace& ns, const HttpRequest& request);
  HttpResponse RegisterTable(const catalog::Namespace& ns, const HttpRequest& request);
  HttpResponse LoadTable(const catalog::TableIdentifier& id, const HttpRequest& request, bool head);
  HttpResponse DropTable(const catalog::TableIdentifier& id, const HttpRequest& request);
  // POST /v1/{prefix}/tables/rename and /views/rename.
  HttpResponse Rename(const HttpRequest& request, catalog::Catalog::Kind kind);

  HttpResponse ListViews(const catalog::Namespace& ns, const HttpRequest& request);
  HttpResponse CreateView(const catalog::Namespace& ns, const HttpRequest& request);
  HttpResponse RegisterView(const catalog::Namespace& ns, const HttpRequest& request);
  HttpResponse LoadView(const catalog::TableIdentifier& id, bool head);
  HttpResponse CommitView(const catalog::TableIdentifier& id, const HttpRequest& request);
  HttpResponse DropView(const catalog::TableIdentifier& id);
  // The 409 answer when `id` names a table or view already (Java's texts
  // for creating a `wanted`), else none.
  std::optional<HttpResponse> NameTaken(const catalog::TableIdentifier& id,
                                        catalog::Catalog::Kind wanted);
  // rest_commit.cc
  HttpResponse CommitTable(const catalog::TableIdentifier& id, const HttpRequest& request);
  HttpResponse CommitTransaction(const HttpRequest& request);
  HttpResponse ReportMetrics(const catalog::TableIdentifier& id, const HttpRequest& request);
  HttpResponse ListMetrics(const catalog::TableIdentifier& id, const HttpRequest& request);
  HttpResponse CreateTableByCommit(const catalog::TableIdentifier& id,
                                   const nlohmann::json& requirements,
                                   const nlohmann::json& updates);

  // Commits to one table in this process take turns (different tables
  // rarely share a stripe): racing workers would only lose compare-and-swaps
  // to each other. Other processes on the same store still race by CAS.
  std::mutex& CommitLock(const catalog::TableIdentifier& id);

  std::array<std::mutex, 64> commit_locks_;
  LoadResultCache load_cache_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::string warehouse_;
  LocationPolicy locations_;
};

}  // namespace floe::server
