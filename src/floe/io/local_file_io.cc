// FileIO over the local filesystem (io/file.h's POSIX files).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "floe/io/file_io.h"

namespace floe {

Result<std::string> FileIO::ReadAll(std::string_view location) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenInput(location));
  std::string content(static_cast<size_t>(file->size()), '\0');
  FLOE_RETURN_IF_ERROR(
      file->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(content.data()), content.size())));
  return content;
}

namespace {

class LocalIO final : public FileIO {
 public:
  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view location) override {
    return OpenLocalInputFile(LocalPath(location));
  }

  Result<std::unique_ptr<OutputFile>> Create(std::string_view location) override {
    const std::filesystem::path path(LocalPath(location));
    if (path.has_parent_path())
      FLOE_RETURN_IF_ERROR(CreateDirectoriesDurably(path.parent_path().string()));
    return CreateLocalOutputFile(path.string());
  }

  Status WriteAtomically(std::string_view location, std::string_view content,
                         bool overwrite) override {
    return WriteLocalFileAtomically(LocalPath(location), content, overwrite);
  }

  Status Delete(std::string_view location) override {
    const std::string path = LocalPath(location);
    if (::unlink(path.c_str()) == 0) return Status::OK();
    if (errno == ENOENT) return Status::NotFound("{}: no such file", path);
    return Status::IOError("{}: delete: {}", path, std::strerror(errno));
  }

  Result<bool> Exists(std::string_view location) override {
    struct stat st;
    if (::stat(LocalPath(location).c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return Status::IOError("{}: stat: {}", LocalPath(location), std::strerror(errno));
  }

  Result<std::vector<FileInfo>> List(std::string_view prefix) override {
    namespace fs = std::filesystem;
    const fs::path root(LocalPath(prefix));
    std::vector<FileInfo> out;
    std::error_code ec;
    if (!fs::exists(root, ec)) return out;
    // Locations keep the prefix's spelling (a file:// URI stays one).
    std::string base(prefix);
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string relative = it->path().lexically_relative(root).string();
      out.push_back({base + "/" + relative, static_cast<int64_t>(it->file_size(ec))});
    }
    if (ec) return Status::IOError("{}: list: {}", root.string(), ec.message());
    std::sort(out.begin(), out.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.location < b.location; });
    return out;
  }
};

}  // namespace

FileIO& LocalFileIO() {
  static LocalIO io;
  return io;
}

}  // namespace floe
