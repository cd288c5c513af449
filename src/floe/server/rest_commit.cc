// The REST catalog's table commits (POST .../tables/{table}): requirements
// checked and updates applied on the table's latest metadata, with the Java
// reference's semantics and messages (docs/design/rest-catalog.md, section 3).
// A commit that loses the compare-and-swap to another one is re-applied on
// the newer metadata (server-side retry); its requirements decide whether it
// still holds.
#include <fmt/format.h>

#include <limits>

#include "floe/iceberg/append_rebase.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_metadata_json_internal.h"
#include "floe/iceberg/table_update.h"
#include "floe/io/file.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/server/rest_catalog.h"
#include "floe/server/rest_responses.h"
#include "floe/table/table_commit.h"
#include "floe/util/strings.h"

namespace floe::server {
namespace {

using Json = nlohmann::json;
using iceberg::TableMetadata;

// A failed requirement: the commit's base is not the table's state.
Status RequirementFailed(std::string message) {
  return Status::Conflict("Requirement failed: {}", message);
}

// An update that cannot apply: a bad request.
Status Invalid(std::string message) {
  return Status::InvalidArgument("{}", message);
}

template <typename T>
Result<T> Member(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return Invalid(fmt::format("missing '{}' in {}", key, j.dump()));
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) return it->get<std::string>();
  } else {
    if (it->is_number_integer()) return it->get<T>();
  }
  return Invalid(fmt::format("'{}' has the wrong type in {}", key, j.dump()));
}

Status CheckRequirement(const Json& r, const TableMetadata& m) {
  FLOE_ASSIGN_OR_RETURN(std::string type, Member<std::string>(r, "type"));
  auto expect = [&](const char* key, int64_t current, const char* what) -> Status {
    FLOE_ASSIGN_OR_RETURN(int64_t expected, Member<int64_t>(r, key));
    if (expected != current) {
      return RequirementFailed(
          fmt::format("{} changed: expected id {} != {}", what, expected, current));
    }
    return Status::OK();
  };
  if (type == "assert-table-uuid") {
    FLOE_ASSIGN_OR_RETURN(std::string uuid, Member<std::string>(r, "uuid"));
    if (!EqualsIgnoreCase(uuid, m.table_uuid)) {
      return RequirementFailed(
          fmt::format("UUID does not match: expected {} != {}", m.table_uuid, uuid));
    }
    return Status::OK();
  }
  if (type == "assert-ref-snapshot-id") {
    FLOE_ASSIGN_OR_RETURN(std::string ref, Member<std::string>(r, "ref"));
    auto id = r.find("snapshot-id");
    auto current = m.refs.find(ref);
    const char* kind =
        current != m.refs.end() && current->second.type == iceberg::SnapshotRef::Type::kTag
            ? "tag"
            : "branch";
    if (id == r.end() || id->is_null()) {
      if (current != m.refs.end()) {
        return RequirementFailed(fmt::format("{} {} was created concurrently", kind, ref));
      }
      return Status::OK();
    }
    if (!id->is_number_integer()) return Invalid("'snapshot-id' must be a number or null");
    if (current == m.refs.end()) {
      return RequirementFailed(
          fmt::format("branch or tag {} is missing, expected {}", ref, id->get<int64_t>()));
    }
    if (current->second.snapshot_id != id->get<int64_t>()) {
      return RequirementFailed(fmt::format("{} {} has changed: expected id {} != {}", kind, ref,
                                           id->get<int64_t>(), current->second.snapshot_id));
    }
    return Status::OK();
  }
  if (type == "assert-last-assigned-field-id") {
    return expect("last-assigned-field-id", m.last_column_id, "last assigned field id");
  }
  if (type == "assert-current-schema-id") {
    return expect("current-schema-id", m.current_schema_id, "current schema");
  }
  if (type == "assert-last-assigned-partition-id") {
    return expect("last-assigned-partition-id", m.last_partition_id, "last assigned partition id");
  }
  if (type == "assert-default-spec-id") {
    return expect("default-spec-id", m.default_spec_id, "default partition spec");
  }
  if (type == "assert-default-sort-order-id") {
    return expect("default-sort-order-id", m.default_sort_order_id, "default sort order");
  }
  if (type == "assert-create") return RequirementFailed("table already exists");
  return Invalid(fmt::format("unknown requirement type '{}'", type));
}

// What earlier updates of the same commit did, for "-1 = last added" and the
// snapshot log's timestamps.
struct CommitState {
  const LocationPolicy* locations = nullptr;  // for set-location and path properties
  std::optional<int32_t> last_schema, last_spec, last_order;
  std::map<int64_t, int64_t> added_snapshots;  // id -> timestamp-ms
  int64_t now_ms = 0;
};

Result<int32_t> LastAdded(const Json& u, const char* key, std::optional<int32_t> last,
                          const char* what) {
  FLOE_ASSIGN_OR_RETURN(int32_t id, Member<int32_t>(u, key));
  if (id != -1) return id;
  if (!last)
    return Invalid(fmt::format("Cannot set last added {}: no {} has been added", what, what));
  return *last;
}

Status ApplyUpdate(const Json& u, CommitState& state, TableMetadata& m) {
  FLOE_ASSIGN_OR_RETURN(std::string action, Member<std::string>(u, "action"));
  if (action == "assign-uuid") {
    FLOE_ASSIGN_OR_RETURN(std::string uuid, Member<std::string>(u, "uuid"));
    if (m.table_uuid.empty()) {  // a table being created
      m.table_uuid = uuid;
      return Status::OK();
    }
    if (!EqualsIgnoreCase(uuid, m.table_uuid)) {
      return Invalid("Cannot reassign uuid of an existing table");
    }
    return Status::OK();
  }
  if (action == "upgrade-format-version") {
    FLOE_ASSIGN_OR_RETURN(int version, Member<int>(u, "format-version"));
    return iceberg::UpgradeFormatVersion(version, &m);
  }
  if (action == "set-properties") {
    auto it = u.find("updates");
    if (it == u.end()) it = u.find("updated");  // the legacy name
    if (it == u.end() || !it->is_object()) return Invalid("'updates' must be an object");
    std::map<std::string, std::string> updates;
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return Invalid(fmt::format("property '{}' must be a string", k));
      updates[k] = v.get<std::string>();
    }
    if (std::string problem = state.locations->PropertiesProblem(updates); !problem.empty()) {
      return Invalid(problem);
    }
    return iceberg::SetProperties(updates, &m);
  }
  if (action == "remove-properties") {
    auto it = u.find("removals");
    if (it == u.end()) it = u.find("removed");
    if (it == u.end() || !it->is_array() ||
        !std::all_of(it->begin(), it->end(), [](const Json& k) { return k.is_string(); })) {
      return Invalid("'removals' must be an array of strings");
    }
    return iceberg::RemoveProperties(it->get<std::vector<std::string>>(), &m);
  }
  if (action == "set-location") {
    FLOE_ASSIGN_OR_RETURN(std::string location, Member<std::string>(u, "location"));
    if (location != m.location) {
      if (std::string problem = state.locations->TableLocationProblem(location); !problem.empty()) {
        return Invalid(problem);
      }
    }
    m.location = std::move(location);
    return Status::OK();
  }
  if (action == "add-snapshot") {
    auto it = u.find("snapshot");
    if (it == u.end() || !it->is_object()) return Invalid("'snapshot' must be an object");
    auto snapshot = iceberg::internal::SnapshotFromJsonValue(*it);
    if (!snapshot.ok()) return Invalid(std::string(snapshot.status().message()));
    if (m.SnapshotById(snapshot->snapshot_id) != nullptr) {
      return Invalid(fmt::format("Snapshot already exists for id: {}", snapshot->snapshot_id));
    }
    if (m.format_version >= 2 && snapshot->parent_snapshot_id &&
        snapshot->sequence_number <= m.last_sequence_number) {
      // Stale: built on older metadata. Java 1.11 answers 409 so clients retry.
      return Status::Conflict(
          "Validation failed, please retry: Cannot add snapshot with sequence number {} older "
          "than last sequence number {}",
          snapshot->sequence_number, m.last_sequence_number);
    }
    if (m.format_version >= 3) {  // row lineage: the snapshot's rows take the next ids
      if (!snapshot->first_row_id || !snapshot->added_rows) {
        return Invalid("Cannot add a snapshot: first-row-id and added-rows are required in v3");
      }
      // Untrusted numbers: next-row-id must never move backwards or overflow.
      if (*snapshot->first_row_id < 0 || *snapshot->added_rows < 0) {
        return Invalid(fmt::format(
            "Cannot add a snapshot: first-row-id ({}) and added-rows ({}) must not be negative",
            *snapshot->first_row_id, *snapshot->added_rows));
      }
      if (*snapshot->added_rows > std::numeric_limits<int64_t>::max() - m.next_row_id.value_or(0)) {
        return Invalid(
            fmt::format("Cannot add a snapshot: added-rows {} overflows the table's next-row-id {}",
                        *snapshot->added_rows, m.next_row_id.value_or(0)));
      }
      if (*snapshot->first_row_id < m.next_row_id.value_or(0)) {
        return Status::Conflict(
            "Validation failed, please retry: Cannot add a snapshot, first-row-id is behind "
            "table next-row-id: {} < {}",
            *snapshot->first_row_id, m.next_row_id.value_or(0));
      }
      m.next_row_id = m.next_row_id.value_or(0) + *snapshot->added_rows;
    }
    state.added_snapshots[snapshot->snapshot_id] = snapshot->timestamp_ms;
    m.last_sequence_number = std::max(m.last_sequence_number, snapshot->sequence_number);
    m.snapshots.push_back(*std::move(snapshot));
    return Status::OK();
  }
  if (action == "set-snapshot-ref") {
    FLOE_ASSIGN_OR_RETURN(std::string name, Member<std::string>(u, "ref-name"));
    auto ref = iceberg::internal::SnapshotRefFromJsonValue(name, u);
    if (!ref.ok()) return Invalid(std::string(ref.status().message()));
    auto added = state.added_snapshots.find(ref->snapshot_id);
    const int64_t when = added != state.added_snapshots.end() ? added->second : state.now_ms;
    return iceberg::SetRef(name, *ref, when, &m);
  }
  if (action == "remove-snapshot-ref") {
    FLOE_ASSIGN_OR_RETURN(std::string name, Member<std::string>(u, "ref-name"));
    if (name == "main") {  // replace transactions start over from no snapshot
      m.refs.erase("main");
      m.current_snapshot_id.reset();
      return Status::OK();
    }
    Status s = iceberg::RemoveRef(name, &m);
    return s.code() == StatusCode::kNotFound ? Status::OK() : s;
  }
  if (action == "remove-snapshots") {
    auto it = u.find("snapshot-ids");
    if (it == u.end() || !it->is_array() ||
        !std::all_of(it->begin(), it->end(), [](const Json& k) { return k.is_number_integer(); })) {
      return Invalid("'snapshot-ids' must be an array of snapshot ids");
    }
    return iceberg::RemoveSnapshots(it->get<std::vector<int64_t>>(), &m);
  }
  if (action == "remove-schemas" || action == "remove-partition-specs") {
    const bool schemas = action == "remove-schemas";
    auto it = u.find(schemas ? "schema-ids" : "spec-ids");
    if (it == u.end() || !it->is_array() ||
        !std::all_of(it->begin(), it->end(), [](const Json& k) { return k.is_number_integer(); })) {
      return Invalid(
          fmt::format("'{}' must be an array of ids", schemas ? "schema-ids" : "spec-ids"));
    }
    const auto ids = it->get<std::vector<int32_t>>();
    return schemas ? iceberg::RemoveSchemas(ids, &m) : iceberg::RemovePartitionSpecs(ids, &m);
  }
  if (action == "set-statistics" || action == "set-partition-statistics") {
    const bool table_stats = action == "set-statistics";
    auto it = u.find(table_stats ? "statistics" : "partition-statistics");
    if (it == u.end() || !it->is_object()) {
      return Invalid(fmt::format("'{}' must be an object",
                                 table_stats ? "statistics" : "partition-statistics"));
    }
    return iceberg::SetStatisticsFile(table_stats ? "statistics" : "partition-statistics",
                                      it->dump(), &m);
  }
  if (action == "remove-statistics" || action == "remove-partition-statistics") {
    FLOE_ASSIGN_OR_RETURN(int64_t id, Member<int64_t>(u, "snapshot-id"));
    iceberg::RemoveStatisticsFile(
        action == "remove-statistics" ? "statistics" : "partition-statistics", id, &m);
    return Status::OK();
  }
  if (action == "add-schema") {
    auto it = u.find("schema");
    if (it == u.end() || !it->is_object()) return Invalid("'schema' must be an object");
    auto schema = floe::internal::SchemaFromJsonValue(*it);
    if (!schema.ok()) return Invalid(std::string(schema.status().message()));
    FLOE_ASSIGN_OR_RETURN(state.last_schema, iceberg::AddSchema(*std::move(schema), &m));
    return Status::OK();
  }
  if (action == "set-current-schema") {
    FLOE_ASSIGN_OR_RETURN(int32_t id, LastAdded(u, "schema-id", state.last_schema, "schema"));
    if (m.SchemaById(id) == nullptr) {
      return Invalid(fmt::format("Cannot set current schema to unknown schema: {}", id));
    }
    m.current_schema_id = id;
    return Status::OK();
  }
  if (action == "add-spec") {
    auto it = u.find("spec");
    if (it == u.end() || !it->is_object()) return Invalid("'spec' must be an object");
    auto spec = iceberg::internal::PartitionSpecFromJsonValue(*it, -1);
    if (!spec.ok()) return Invalid(std::string(spec.status().message()));
    FLOE_ASSIGN_OR_RETURN(state.last_spec, iceberg::AddPartitionSpec(*std::move(spec), &m));
    return Status::OK();
  }
  if (action == "set-default-spec") {
    FLOE_ASSIGN_OR_RETURN(int32_t id, LastAdded(u, "spec-id", state.last_spec, "spec"));
    if (m.SpecById(id) == nullptr) {
      return Invalid(fmt::format("Cannot set default partition spec to unknown spec: {}", id));
    }
    m.default_spec_id = id;
    return Status::OK();
  }
  if (action == "add-sort-order") {
    auto it = u.find("sort-order");
    if (it == u.end() || !it->is_object()) return Invalid("'sort-order' must be an object");
    auto order = iceberg::internal::SortOrderFromJsonValue(*it);
    if (!order.ok()) return Invalid(std::string(order.status().message()));
    FLOE_ASSIGN_OR_RETURN(state.last_order, iceberg::AddSortOrder(*std::move(order), &m));
    return Status::OK();
  }
  if (action == "set-default-sort-order") {
    FLOE_ASSIGN_OR_RETURN(int32_t id,
                          LastAdded(u, "sort-order-id", state.last_order, "sort order"));
    const bool known = std::any_of(m.sort_orders.begin(), m.sort_orders.end(),
                                   [&](const iceberg::SortOrder& o) { return o.order_id == id; });
    if (!known)
      return Invalid(fmt::format("Cannot set default sort order to unknown order: {}", id));
    m.default_sort_order_id = id;
    return Status::OK();
  }
  return Invalid(fmt::format("unknown or unsupported update action '{}'", action));
}

Status ApplyUpdates(const Json& updates, const LocationPolicy& locations, TableMetadata& m) {
  CommitState state;
  state.locations = &locations;
  state.now_ms = table::NowMillis();
  for (const Json& u : updates) FLOE_RETURN_IF_ERROR(ApplyUpdate(u, state, m));
  return Status::OK();
}

// The snapshot of a fast append as clients send it: add-snapshot of an
// "append", then set-snapshot-ref main to it; null for any other change.
const Json* FastAppendSnapshot(const Json& updates) {
  if (updates.size() != 2) return nullptr;
  const Json& add = updates[0];
  const Json& set = updates[1];
  auto text = [](const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto snapshot = add.find("snapshot");
  if (text(add, "action") != "add-snapshot" || snapshot == add.end() || !snapshot->is_object() ||
      text(set, "action") != "set-snapshot-ref" || text(set, "ref-name") != "main" ||
      text(set, "type") != "branch") {
    return nullptr;
  }
  auto summary = snapshot->find("summary");
  auto id = snapshot->find("snapshot-id");
  auto target = set.find("snapshot-id");
  if (summary == snapshot->end() || !summary->is_object() ||
      text(*summary, "operation") != "append" || id == snapshot->end() || target == set.end() ||
      !id->is_number_integer() || *id != *target) {
    return nullptr;
  }
  return &*snapshot;
}

bool IsMainRequirement(const Json& r) {
  auto type = r.find("type");
  auto ref = r.find("ref");
  return type != r.end() && *type == "assert-ref-snapshot-id" && ref != r.end() && *ref == "main";
}

// A failed commit's answer, as the REST spec gives them: 409 and 4xx when
// nothing changed, 503 when the catalog store did not take the change, and
// 500 CommitStateUnknown whenever it may have taken effect, so a client never
// cleans up the files of a commit that landed.
HttpResponse CommitError(const Status& s, const catalog::TableIdentifier& id) {
  switch (s.code()) {
    case StatusCode::kConflict:
      return Error(409, "CommitFailedException", s.message());
    case StatusCode::kInvalidArgument:
      return Error(400, "ValidationException", s.message());
    case StatusCode::kNotSupported:
      return Error(406, "UnsupportedOperationException", s.message());
    case StatusCode::kNotFound:
      return Error(404, "NoSuchTableException", "Table does not exist: " + Dotted(id));
    case StatusCode::kUnavailable:
      return Error(503, "ServiceUnavailableException",
                   "The commit was not applied, retry it: " + std::string(s.message()));
    default:
      return CommitStateUnknown(s);
  }
}

}  // namespace

std::mutex& RestCatalog::CommitLock(const catalog::TableIdentifier& id) {
  return commit_locks_[std::hash<std::string>{}(id.ToString()) % commit_locks_.size()];
}

// A create transaction's commit (assert-create): the updates build the table
// from nothing (Java's TableMetadata.buildFromEmpty), its first metadata
// file is written, and the catalog gains the table unless another commit
// created it first.
HttpResponse RestCatalog::CreateTableByCommit(const catalog::TableIdentifier& id,
                                              const Json& requirements, const Json& updates) {
  for (const Json& r : requirements) {
    if (r.value("type", "") != "assert-create") {
      return BadRequest("Malformed request: a create transaction's only requirement is " +
                        std::string("assert-create, not ") + r.dump());
    }
  }
  if (!catalog_->LoadNamespaceProperties(id.ns).ok()) return NoSuchNamespace(id.ns);
  if (catalog_->LoadTable(id).ok()) {
    return Error(409, "CommitFailedException", "Requirement failed: table already exists");
  }
  if (auto taken = NameTaken(id, catalog::Catalog::Kind::kTable)) return *taken;  // a view's
  TableMetadata m;
  // Built from empty at the version the updates ask for (2 by default).
  for (const Json& u : updates) {
    if (u.value("action", "") == "upgrade-format-version" && u.contains("format-version") &&
        u["format-version"].is_number_integer()) {
      m.format_version = std::clamp(u["format-version"].get<int>(), 1, 3);
    }
  }
  m.current_schema_id = m.default_spec_id = m.default_sort_order_id = -1;
  m.location = catalog::DefaultTableLocation(warehouse_, id);
  if (Status s = ApplyUpdates(updates, locations_, m); !s.ok()) return CommitError(s, id);
  if (m.table_uuid.empty()) m.table_uuid = iceberg::NewUuid();
  if (m.CurrentSchema() == nullptr || m.DefaultSpec() == nullptr) {
    return BadRequest("Malformed request: a table needs a current schema and a default spec");
  }
  if (m.default_sort_order_id < 0) m.default_sort_order_id = 0;
  if (Status s = iceberg::AddSortOrder({}, &m).status(); !s.ok()) return CommitError(s, id);
  m.last_updated_ms = table::NowMillis();
  auto path = catalog_->CreateTableFrom(id, m);
  if (!path.ok()) {
    if (path.status().code() == StatusCode::kAlreadyExists) {  // created concurrently
      return Error(409, "CommitFailedException", "Requirement failed: table already exists");
    }
    return FromStatus(path.status());
  }
  return TableResponse(*path, m);
}

HttpResponse RestCatalog::CommitTable(const catalog::TableIdentifier& id,
                                      const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  Json requirements, updates;
  if (!ChangeArrays(*body, &requirements, &updates)) {
    return BadRequest("Malformed request: 'requirements' and 'updates' must be arrays of objects");
  }
  const bool creating = std::any_of(requirements.begin(), requirements.end(), [](const Json& r) {
    return r.value("type", "") == "assert-create";
  });
  if (creating) return CreateTableByCommit(id, requirements, updates);
  if (!catalog_->LoadTable(id).ok()) {
    return Error(404, "NoSuchTableException", "Table does not exist: " + Dotted(id));
  }
  // A fast append that finds main moved on by other appends is rebased onto
  // main rather than refused (iceberg/append_rebase.h): racing writers then
  // land in one round trip each instead of retrying in turn.
  const Json* append = FastAppendSnapshot(updates);
  Status main_moved;  // this attempt's failed main requirement, to rebase past
  auto check = [&](const TableMetadata& m) -> Status {
    main_moved = Status::OK();
    for (const Json& r : requirements) {
      Status s = CheckRequirement(r, m);
      if (!s.ok() && append != nullptr && main_moved.ok() && IsMainRequirement(r) &&
          s.code() == StatusCode::kConflict) {
        main_moved = std::move(s);
        continue;
      }
      FLOE_RETURN_IF_ERROR(s);
    }
    return Status::OK();
  };
  std::vector<std::string> rebased_lists;  // manifest lists the attempts wrote
  auto change = [&](TableMetadata& m) -> Status {
    if (main_moved.ok()) return ApplyUpdates(updates, locations_, m);
    auto snapshot = iceberg::internal::SnapshotFromJsonValue(*append);
    if (!snapshot.ok()) return Invalid(std::string(snapshot.status().message()));
    std::string list =
        fmt::format("{}/metadata/snap-{}-r{}-{}.avro", m.location, snapshot->snapshot_id,
                    rebased_lists.size() + 1, iceberg::NewUuid());
    rebased_lists.push_back(list);
    auto rebased = iceberg::RebaseFastAppend(catalog_->io(), *snapshot, m, list);
    if (!rebased.ok()) {
      return Status::Conflict("{} ({})", main_moved.message(), rebased.status().message());
    }
    Json rebased_updates = updates;
    rebased_updates[0]["snapshot"] = iceberg::internal::SnapshotToJsonValue(*rebased, 2);
    return ApplyUpdates(rebased_updates, locations_, m);
  };
  table::CommitOptions options;
  options.check = check;
  options.turn = &CommitLock(id);  // taken per attempt, never across a back-off
  Result<table::CommitResult> committed = table::CommitTableChange(*catalog_, id, change, options);
  // Manifest lists of attempts that lost, or failed before the swap, are
  // unreferenced; the last one stays unless its commit certainly failed.
  for (const std::string& list : rebased_lists) {
    bool kept = false;
    if (committed.ok()) {
      const auto& snapshots = committed->metadata.snapshots;
      kept = std::any_of(snapshots.begin(), snapshots.end(),
                         [&](const iceberg::Snapshot& s) { return s.manifest_list == list; });
    } else {
      kept = list == rebased_lists.back() && !catalog::CommitCertainlyFailed(committed.status());
    }
    if (!kept) (void)catalog_->io().Delete(list);
  }
  if (!committed.ok()) return CommitError(committed.status(), id);
  return TableResponse(committed->metadata_location, committed->metadata);
}

// POST /v1/{prefix}/transactions/commit: every table's requirements checked
// and updates applied on its latest metadata, then all the catalog pointers
// swapped in one catalog transaction; a lost swap redoes the whole set.
HttpResponse RestCatalog::CommitTransaction(const HttpRequest& request) {
  HttpResponse error;
  std::optional<Json> body = ParseObject(request.body, &error);
  if (!body) return error;
  auto changes = body->find("table-changes");
  if (changes == body->end() || !changes->is_array() || changes->empty()) {
    return BadRequest("Malformed request: 'table-changes' must be a non-empty array");
  }
  struct Change {
    catalog::TableIdentifier id;
    Json requirements, updates;
  };
  std::vector<Change> parsed;
  for (const Json& c : *changes) {
    auto identifier = c.is_object() ? c.find("identifier") : c.end();
    if (!c.is_object() || identifier == c.end() || !identifier->is_object() ||
        !identifier->contains("namespace") || !(*identifier)["namespace"].is_array() ||
        !identifier->contains("name") || !(*identifier)["name"].is_string()) {
      return BadRequest("Malformed request: each table change needs an 'identifier'");
    }
    Change change{{{}, (*identifier)["name"].get<std::string>()}, {}, {}};
    for (const Json& level : (*identifier)["namespace"]) {
      if (!level.is_string()) return BadRequest("Malformed request: namespace levels are strings");
      change.id.ns.push_back(level.get<std::string>());
    }
    if (!ChangeArrays(c, &change.requirements, &change.updates)) {
      return BadRequest(
          "Malformed request: 'requirements' and 'updates' must be arrays of objects");
    }
    for (const Change& earlier : parsed) {
      if (earlier.id == change.id) {
        return BadRequest("Malformed request: table " + Dotted(change.id) + " changes twice");
      }
    }
    parsed.push_back(std::move(change));
  }
  for (const Change& c : parsed) {
    if (!catalog_->LoadTable(c.id).ok()) {
      return Error(404, "NoSuchTableException", "Table does not exist: " + Dotted(c.id));
    }
  }
  // The in-process turns of every table involved, taken in one order (the
  // stripes' order) so that transactions and single commits cannot deadlock;
  // held per attempt, never across a back-off.
  std::vector<std::mutex*> turns;
  for (const Change& c : parsed) turns.push_back(&CommitLock(c.id));
  std::sort(turns.begin(), turns.end());
  turns.erase(std::unique(turns.begin(), turns.end()), turns.end());
  Status last;
  constexpr int kMaxAttempts = 12;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) table::BackOffBeforeRetry(attempt - 1);
    std::vector<std::unique_lock<std::mutex>> held;
    for (std::mutex* turn : turns) held.emplace_back(*turn);
    std::vector<table::PreparedCommit> prepared;
    auto discard = [&] {
      for (const table::PreparedCommit& p : prepared) {
        if (p.written) (void)catalog_->io().Delete(p.metadata_location);
      }
    };
    for (const Change& c : parsed) {
      auto p = table::PrepareTableChange(*catalog_, c.id, [&](TableMetadata& m) -> Status {
        for (const Json& r : c.requirements) FLOE_RETURN_IF_ERROR(CheckRequirement(r, m));
        return ApplyUpdates(c.updates, locations_, m);
      });
      if (!p.ok()) {
        discard();  // nothing was swapped yet
        return CommitError(p.status(), c.id);
      }
      prepared.push_back(*std::move(p));
    }
    std::vector<catalog::Catalog::Swap> swaps;
    for (const table::PreparedCommit& p : prepared) {
      if (p.written) swaps.push_back({p.id, p.base_location, p.metadata_location});
    }
    last = swaps.empty() ? Status::OK() : catalog_->CommitTables(swaps);
    if (last.ok()) return Empty(204);
    // The prepared files stay unless the swaps certainly did not happen: a
    // store that lost its answer may point at them now.
    if (!catalog::CommitCertainlyFailed(last)) return CommitError(last, swaps.front().id);
    discard();
    // A lost race, or a database that rolled the transaction back
    // (deadlock, serialization failure), may go through on another attempt.
    if (last.code() != StatusCode::kConflict && last.code() != StatusCode::kUnavailable) {
      return CommitError(last, swaps.front().id);
    }
  }
  return Error(409, "CommitFailedException", last.message());
}

}  // namespace floe::server
