#include "floe/server/location_policy.h"

#include <fmt/format.h>

#include <system_error>

#include "floe/io/file.h"

namespace floe::server {
namespace {

namespace fs = std::filesystem;

// Properties that make writers put files somewhere other than the table's
// location (Iceberg's TableProperties: data, metadata, and the older object
// storage and folder storage paths).
constexpr const char* kPathProperties[] = {"write.data.path", "write.metadata.path",
                                           "write.object-storage.path",
                                           "write.folder-storage.path"};

// Whether `dir` holds a table: a metadata/ directory with metadata files.
bool HoldsTable(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "metadata", ec)) {
    if (entry.path().filename().string().ends_with(".metadata.json")) return true;
  }
  return false;
}

// Entries a location's existing subtree may have for the check that it
// holds no table; past it the location is refused rather than scanned on.
constexpr size_t kMaxEntriesScanned = 100'000;

bool HasDotComponent(const fs::path& path) {
  for (const auto& part : path) {
    if (part == "." || part == "..") return true;
  }
  return false;
}

// Whether `inner` lies strictly below `outer` (both canonical).
bool Below(const fs::path& inner, const fs::path& outer) {
  const fs::path relative = inner.lexically_relative(outer);
  return !relative.empty() && relative != "." && *relative.begin() != "..";
}

}  // namespace

LocationPolicy::LocationPolicy(std::string_view warehouse,
                               const std::vector<std::string>& allowed) {
  std::error_code ec;
  roots_.push_back(fs::weakly_canonical(fs::path(LocalPath(warehouse)), ec));
  for (const std::string& prefix : allowed) {
    roots_.push_back(fs::weakly_canonical(fs::path(LocalPath(prefix)), ec));
  }
}

fs::path LocationPolicy::Canonical(std::string_view location) {
  const fs::path path(LocalPath(location));
  if (!path.is_absolute() || HasDotComponent(path)) return {};
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path() : canonical;
}

bool LocationPolicy::StrictlyInside(const fs::path& canonical) const {
  for (const fs::path& root : roots_) {
    if (Below(canonical, root)) return true;
  }
  return false;
}

bool LocationPolicy::Contains(std::string_view location) const {
  const fs::path canonical = Canonical(location);
  return !canonical.empty() && StrictlyInside(canonical);
}

std::string LocationPolicy::Outside(std::string_view what, std::string_view location) const {
  std::string where = roots_.front().string();
  for (size_t i = 1; i < roots_.size(); ++i)
    where += (i == 1 ? " or the allowed locations " : ", ") + roots_[i].string();
  return fmt::format("{} {} is outside the warehouse: it must lie inside {}", what, location,
                     where);
}

std::string LocationPolicy::TableLocationProblem(std::string_view location) const {
  const fs::path path(LocalPath(location));
  if (!path.is_absolute() || HasDotComponent(path)) {
    return fmt::format(
        "'location' {} must be an absolute path without . or .. components (they could lead "
        "outside the warehouse)",
        location);
  }
  const fs::path canonical = Canonical(location);
  if (canonical.empty() || !StrictlyInside(canonical)) return Outside("'location'", location);
  // Inside another table: some directory above holds table metadata.
  for (fs::path dir = canonical.parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (HoldsTable(dir)) return "'location' is inside the table at " + dir.string();
  }
  // Holding another table: a directory below holds table metadata.
  std::error_code ec;
  size_t scanned = 0;
  for (fs::recursive_directory_iterator
           it(canonical, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (++scanned > kMaxEntriesScanned) {
      return fmt::format("'location' {} holds over {} files; choose a new or empty directory",
                         location, kMaxEntriesScanned);
    }
    if (it->is_directory(ec) && !it->is_symlink(ec) && HoldsTable(it->path())) {
      return fmt::format("'location' {} holds the table at {}", location, it->path().string());
    }
  }
  return "";
}

bool LocationPolicy::InNestedTable(const fs::path& file, const fs::path& table_dir) {
  for (fs::path dir = file.parent_path();
       dir != table_dir && !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    if (HoldsTable(dir)) return true;
  }
  return false;
}

std::string LocationPolicy::RegisteredProblem(
    std::string_view what, std::string_view location,
    const std::map<std::string, std::string>& properties) const {
  return Contains(location) ? PropertiesProblem(properties) : Outside(what, location);
}

std::string LocationPolicy::PropertiesProblem(
    const std::map<std::string, std::string>& properties) const {
  for (const char* key : kPathProperties) {
    auto it = properties.find(key);
    if (it == properties.end()) continue;
    const fs::path path(LocalPath(it->second));
    if (!path.is_absolute() || HasDotComponent(path)) {
      return fmt::format(
          "property {} = {} must be an absolute path without . or .. components (they could "
          "lead outside the warehouse)",
          key, it->second);
    }
    if (!Contains(it->second)) return Outside(fmt::format("property {} =", key), it->second);
  }
  return "";
}

}  // namespace floe::server
