// The catalog's identifiers: parsing and printing namespaces and table
// names, and where tables go by default.
#include "floe/catalog/catalog.h"

#include <fmt/format.h>

#include "floe/iceberg/table_builder.h"
#include "floe/util/strings.h"

namespace floe::catalog {

Result<Namespace> ParseNamespace(std::string_view text) {
  Namespace ns;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t dot = text.find('.', start);
    const std::string_view level =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (level.empty()) return Status::InvalidArgument("invalid namespace '{}'", text);
    ns.emplace_back(level);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return ns;
}

Status CheckName(std::string_view name) {
  constexpr size_t kMaxBytes = 255;
  if (name.empty()) return Status::InvalidArgument("invalid name: a name may not be empty");
  if (name.size() > kMaxBytes) {
    return Status::InvalidArgument("invalid name: {} bytes is too long (at most {})", name.size(),
                                   kMaxBytes);
  }
  if (name == "." || name == "..") return Status::InvalidArgument("invalid name '{}'", name);
  for (size_t i = 0; i < name.size();) {
    const size_t n = Utf8SequenceLength(name, i);
    if (n == 0) {
      return Status::InvalidArgument("invalid name '{}': not valid UTF-8", PrintableText(name));
    }
    if (name[i] == '/' || name[i] == '\\' || name[i] == '\0') {
      return Status::InvalidArgument("invalid name '{}': '/', '\\' and NUL are not allowed",
                                     PrintableText(name));
    }
    i += n;
  }
  return Status::OK();
}

Status CheckNamespace(const Namespace& ns) {
  if (ns.empty()) return Status::InvalidArgument("invalid name: empty namespace");
  for (const std::string& level : ns) FLOE_RETURN_IF_ERROR(CheckName(level));
  if (const size_t joined = NamespaceToString(ns).size(); joined > 255) {
    return Status::InvalidArgument("invalid name: namespace of {} bytes is too long (at most 255)",
                                   joined);
  }
  return Status::OK();
}

Status CheckIdentifier(const TableIdentifier& id) {
  FLOE_RETURN_IF_ERROR(CheckNamespace(id.ns));
  return CheckName(id.name);
}

std::string NamespaceToString(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) out += (i ? "." : "") + ns[i];
  return out;
}

std::string NamespaceLocation(const std::string& warehouse, const Namespace& ns) {
  return fmt::format("{}/{}.db", warehouse, NamespaceToString(ns));
}

std::string DefaultTableLocation(const std::string& warehouse, const TableIdentifier& id) {
  return NamespaceLocation(warehouse, id.ns) + "/" + id.name;
}

Result<TableIdentifier> TableIdentifier::Parse(std::string_view text) {
  const size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == text.size()) {
    return Status::InvalidArgument("table '{}' must be NAMESPACE.NAME", text);
  }
  FLOE_ASSIGN_OR_RETURN(Namespace ns, ParseNamespace(text.substr(0, dot)));
  return TableIdentifier{std::move(ns), std::string(text.substr(dot + 1))};
}

std::string TableIdentifier::ToString() const {
  return NamespaceToString(ns) + "." + name;
}

Result<std::string> Catalog::CommitMetadata(const TableIdentifier& id,
                                            const std::string& base_location,
                                            const iceberg::TableMetadata&,
                                            const iceberg::TableMetadata& next) {
  const std::string path =
      iceberg::MetadataFilePath(next.location, iceberg::NextMetadataFileVersion(base_location));
  FLOE_RETURN_IF_ERROR(iceberg::WriteTableMetadataFile(io(), path, next));
  if (Status s = CommitTable(id, base_location, path); !s.ok()) {
    // Removed only when certainly never referenced: after a lost answer the
    // catalog may point at it.
    if (CommitCertainlyFailed(s)) (void)io().Delete(path);
    return s;
  }
  return path;
}

bool CommitCertainlyFailed(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kNotSupported:
    case StatusCode::kConflict:
    case StatusCode::kOutOfRange:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnavailable:
      return true;
    default:
      return false;
  }
}

Result<std::string> Catalog::CreateTableFrom(const TableIdentifier& id,
                                             const iceberg::TableMetadata& metadata) {
  // Refuse before writing anything when the name is taken.
  if (LoadTable(id).ok()) return Status::AlreadyExists("table {} already exists", id.ToString());
  const std::string path = iceberg::MetadataFilePath(metadata.location, 0);
  FLOE_RETURN_IF_ERROR(iceberg::WriteTableMetadataFile(io(), path, metadata));
  if (Status s = CreateTable(id, path); !s.ok()) {
    if (CommitCertainlyFailed(s)) (void)io().Delete(path);
    return s;
  }
  return path;
}

}  // namespace floe::catalog
