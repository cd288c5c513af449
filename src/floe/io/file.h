// Files as floe reads and writes them: positional reads from an InputFile and
// append-only writes to an OutputFile. Local and in-memory files now; object
// stores later implement the same interfaces.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe {

class InputFile {
 public:
  virtual ~InputFile() = default;
  virtual const std::string& path() const = 0;
  virtual int64_t size() const = 0;
  // Reads exactly out.size() bytes at `offset`; reading past the end is an error.
  virtual Status ReadAt(int64_t offset, std::span<uint8_t> out) const = 0;
  // Tells this content of the file from another written at its location
  // later (a local file's modification time and inode; an ETag on object
  // stores), so that what is parsed from it may be cached under it; 0 when
  // the store cannot tell, and then nothing may be.
  virtual uint64_t version() const { return 0; }
};

class OutputFile {
 public:
  virtual ~OutputFile() = default;
  virtual const std::string& path() const = 0;
  // Bytes appended so far.
  virtual int64_t position() const = 0;
  virtual Status Append(std::span<const uint8_t> bytes) = 0;
  Status Append(std::string_view bytes) {
    return Append(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  // Flushes, syncs and closes. Until Close succeeds the file may be partial.
  virtual Status Close() = 0;
};

// The local path of a location: "file:///a/b" and "file:/a/b" (as other
// engines write them) become "/a/b"; plain paths stay as they are.
std::string LocalPath(std::string_view location);
// The file:// URI of a local path or location: "/a/b", "file:/a/b" and
// "file:///a/b" all give "file:///a/b", and a relative path is made
// absolute. Locations floe makes for local tables are spelled so: other
// engines (Trino) choose a file system by the scheme and have none for a
// bare path.
std::string LocalUri(std::string_view path_or_location);

Result<std::unique_ptr<InputFile>> OpenLocalInputFile(const std::string& path);
// The whole content of a local file.
Result<std::string> ReadLocalFile(const std::string& path);
// Writes `content` to a temporary file beside `path`, fsyncs it, renames it
// into place and fsyncs the directory: readers see the old file or the whole
// new one, never a partial one, and once it returns OK the file survives a
// power loss. Fails if `path` exists and `overwrite` is false (metadata
// files are never replaced): by a hard link, or where the filesystem has
// none by renameat2(RENAME_NOREPLACE). Creates missing directories durably.
// After an error the file may exist, complete, without being durable.
Status WriteLocalFileAtomically(const std::string& path, std::string_view content,
                                bool overwrite = false);
// Creates `dir` and its missing parents, fsyncing the directory above each
// one it creates, so that the new entries survive a power loss.
Status CreateDirectoriesDurably(const std::string& dir);
// An InputFile over bytes held in memory (tests, fuzzing, small objects
// fetched whole); `path` only names it in errors.
Result<std::unique_ptr<InputFile>> OpenMemoryInputFile(std::string path, std::string bytes);
// Creates (or truncates) a local file; parent directories must exist. Its
// Close fsyncs the file and then its directory, so a closed file survives a
// power loss.
Result<std::unique_ptr<OutputFile>> CreateLocalOutputFile(const std::string& path);

}  // namespace floe
