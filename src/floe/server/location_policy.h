// Where floe server lets clients put tables and views, and which files it
// reads or deletes for them: inside the warehouse, or inside one of the
// location prefixes its operator allowed (`floe server --allowed-location`;
// Polaris calls them allowed locations). The server runs with its own
// rights, so every location a request names is checked here before any
// file is touched: table and view locations on create, on every commit that
// sets one, the properties that place files (write.data.path,
// write.metadata.path), register's metadata file before it is opened and
// the location it names, and each file a purge would delete.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace floe::server {

class LocationPolicy {
 public:
  // `warehouse` and each `allowed` prefix: absolute paths or file:// URIs.
  explicit LocationPolicy(std::string_view warehouse, const std::vector<std::string>& allowed = {});

  // Why a table or view may not live at `location` ("" when it may): it
  // must be an absolute path (file: URIs accepted) without "." or ".."
  // components, strictly inside the warehouse or an allowed prefix once
  // symbolic links are resolved, neither inside another table's directory
  // nor holding one (a purge of the outer table would reach the inner
  // one's files). The directory of a table that exists is allowed, as Java
  // allows it: every file floe and other engines write there has a unique name.
  std::string TableLocationProblem(std::string_view location) const;
  // Whether `file`, under `table_dir`, belongs to another table nested in
  // it (a directory between them holds table metadata): a purge of the
  // table at table_dir leaves it alone.
  static bool InNestedTable(const std::filesystem::path& file,
                            const std::filesystem::path& table_dir);
  // Why `properties` may not be set on a table or view ("" when they may):
  // those that place files must name allowed directories.
  std::string PropertiesProblem(const std::map<std::string, std::string>& properties) const;
  // Whether the file at `location` lies inside the warehouse or an allowed
  // prefix (symbolic links resolved). Lexical and stat-free for the part of
  // the path that does not exist.
  bool Contains(std::string_view location) const;
  // Why a table or view registered from a metadata file may not be ("" when
  // it may): the location and path properties its metadata names must be
  // allowed ones. `what` names the location ("the table's location").
  std::string RegisteredProblem(std::string_view what, std::string_view location,
                                const std::map<std::string, std::string>& properties) const;
  // The refusal of `location` for a client's `what` ("'location'"), naming
  // where it may be instead.
  std::string Outside(std::string_view what, std::string_view location) const;

 private:
  // The canonical form of an absolute path without dot components, or an
  // empty path when it is not one.
  static std::filesystem::path Canonical(std::string_view location);
  bool StrictlyInside(const std::filesystem::path& canonical) const;

  std::vector<std::filesystem::path> roots_;  // canonical; the warehouse first
};

}  // namespace floe::server
