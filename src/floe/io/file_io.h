// FileIO: the one seam between floe and the storage its tables live in
// (LevelDB's Env plays this part there). Table files are read, written,
// deleted and listed through a FileIO, so that a fault-injecting one can
// prove the commit path (io/fault_injecting_file_io.h), an in-memory one
// serves unit tests, and object stores become one more implementation.
//
// The interface is shaped for object stores: files are written front to
// back and appear whole on Close (a multipart upload), never renamed;
// small files that must not be replaced are created conditionally
// (If-None-Match); reads are ranged; listing is by prefix.
//
// Locations are what Iceberg metadata holds: "file:///a/b", "file:/a/b" or
// "/a/b" for local files (one LocalPath resolves them). Implementations
// are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/io/file.h"
#include "floe/util/status.h"

namespace floe {

struct FileInfo {
  std::string location;
  int64_t size = 0;
  bool operator==(const FileInfo&) const = default;
};

class FileIO {
 public:
  virtual ~FileIO() = default;

  // A file to read at any offset; kNotFound when there is none.
  virtual Result<std::unique_ptr<InputFile>> OpenInput(std::string_view location) = 0;
  // A new file written front to back, whole and durable once Close
  // succeeded (an existing file at `location` is replaced then). Missing
  // parent directories are created. Until Close the file may be absent or
  // partial; nothing may reference it before.
  virtual Result<std::unique_ptr<OutputFile>> Create(std::string_view location) = 0;
  // A small file written whole: readers see all of it or none, durable once
  // this returns OK. Without `overwrite`, kAlreadyExists when `location`
  // exists (metadata files are never replaced). After an error other than
  // kAlreadyExists the file may exist, complete.
  virtual Status WriteAtomically(std::string_view location, std::string_view content,
                                 bool overwrite = false) = 0;
  // kNotFound when there is no such file.
  virtual Status Delete(std::string_view location) = 0;
  virtual Result<bool> Exists(std::string_view location) = 0;
  // Every file below `prefix` (a directory location), at any depth, in
  // location order; empty when there is none.
  virtual Result<std::vector<FileInfo>> List(std::string_view prefix) = 0;

  // The whole content of a file.
  Result<std::string> ReadAll(std::string_view location);
};

// The local filesystem, shared by the whole process.
FileIO& LocalFileIO();

// Files held in memory (unit tests). Like a disk, it keeps what was made
// durable apart from what was only written: LosePowerNow() drops every file
// whose Create was not closed yet.
class MemoryFileIO final : public FileIO {
 public:
  MemoryFileIO();
  ~MemoryFileIO() override;

  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view location) override;
  Result<std::unique_ptr<OutputFile>> Create(std::string_view location) override;
  Status WriteAtomically(std::string_view location, std::string_view content,
                         bool overwrite = false) override;
  Status Delete(std::string_view location) override;
  Result<bool> Exists(std::string_view location) override;
  Result<std::vector<FileInfo>> List(std::string_view prefix) override;

  // What survives a power loss: the closed files. Outputs still open fail
  // from now on.
  void LosePowerNow();

  struct State;  // shared with the output files it hands out

 private:
  std::shared_ptr<State> state_;
};

}  // namespace floe
