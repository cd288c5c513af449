// Local-filesystem files over POSIX descriptors.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>  // renameat2
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "floe/io/file.h"

namespace floe {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path) {
  const int e = errno;
  if (e == ENOENT) return Status::NotFound("{}: {}: {}", path, what, std::strerror(e));
  return Status::IOError("{}: {}: {}", path, what, std::strerror(e));
}

// fsync of a directory: makes the entries created in it durable.
Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  Status s;
  if (::fsync(fd) != 0) s = ErrnoStatus("fsync directory", dir);
  ::close(fd);
  return s;
}

std::string ParentOf(const std::string& path) {
  const std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(std::string path, int fd, int64_t size, uint64_t version)
      : path_(std::move(path)), fd_(fd), size_(size), version_(version) {}
  ~LocalInputFile() override { ::close(fd_); }
  LocalInputFile(const LocalInputFile&) = delete;
  LocalInputFile& operator=(const LocalInputFile&) = delete;

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }
  uint64_t version() const override { return version_; }

  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    if (offset < 0 || offset > size_ || static_cast<int64_t>(out.size()) > size_ - offset) {
      return Status::Corruption("{}: read of {} bytes at offset {} runs past the end ({} bytes)",
                                path_, out.size(), offset, size_);
    }
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n =
          ::pread(fd_, out.data() + done, out.size() - done, offset + static_cast<int64_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("read", path_);
      if (n == 0) return Status::IOError("{}: file shrank while reading", path_);
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
  int64_t size_;
  uint64_t version_;
};

class LocalOutputFile final : public OutputFile {
 public:
  // `sync_directory`: Close makes the file's name durable too.
  LocalOutputFile(std::string path, int fd, bool sync_directory)
      : path_(std::move(path)), fd_(fd), sync_directory_(sync_directory) {
    buffer_.reserve(kBufferSize);
  }
  ~LocalOutputFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  LocalOutputFile(const LocalOutputFile&) = delete;
  LocalOutputFile& operator=(const LocalOutputFile&) = delete;

  const std::string& path() const override { return path_; }
  int64_t position() const override { return position_; }

  Status Append(std::span<const uint8_t> bytes) override {
    if (fd_ < 0) return Status::Internal("{}: append after close", path_);
    position_ += static_cast<int64_t>(bytes.size());
    if (buffer_.size() + bytes.size() <= kBufferSize) {
      buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
      return Status::OK();
    }
    FLOE_RETURN_IF_ERROR(Flush());
    if (bytes.size() >= kBufferSize) return WriteAll(bytes);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = Flush();
    if (s.ok() && ::fsync(fd_) != 0) s = ErrnoStatus("fsync", path_);
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_);
    fd_ = -1;
    if (s.ok() && sync_directory_) s = SyncDirectory(ParentOf(path_));  // the new name, too
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 1 << 20;

  Status Flush() {
    Status s = WriteAll(buffer_);
    buffer_.clear();
    return s;
  }

  Status WriteAll(std::span<const uint8_t> bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("write", path_);
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  std::string path_;
  int fd_;
  bool sync_directory_;
  int64_t position_ = 0;
  std::vector<uint8_t> buffer_;
};

Result<std::unique_ptr<OutputFile>> CreateOutputFile(const std::string& path, bool sync_directory) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path);
  return std::unique_ptr<OutputFile>(std::make_unique<LocalOutputFile>(path, fd, sync_directory));
}

}  // namespace

Result<std::unique_ptr<InputFile>> OpenLocalInputFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer;
  // anything but a regular file is refused below, and reads of regular
  // files ignore the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return ErrnoStatus("open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = ErrnoStatus("stat", path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("{}: not a regular file", path);
  }
  const uint64_t mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                            static_cast<uint64_t>(st.st_mtim.tv_nsec);
  const uint64_t version = (mtime_ns * 0x9E3779B97F4A7C15ULL) ^ static_cast<uint64_t>(st.st_ino);
  return std::unique_ptr<InputFile>(
      std::make_unique<LocalInputFile>(path, fd, st.st_size, version == 0 ? 1 : version));
}

std::string LocalPath(std::string_view location) {
  if (location.starts_with("file://")) return std::string(location.substr(7));
  if (location.starts_with("file:/")) return std::string(location.substr(5));
  return std::string(location);
}

std::string LocalUri(std::string_view path_or_location) {
  std::error_code ec;
  std::string path =
      std::filesystem::absolute(LocalPath(path_or_location), ec).lexically_normal().string();
  if (ec) path = LocalPath(path_or_location);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return "file://" + path;
}

Result<std::string> ReadLocalFile(const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenLocalInputFile(path));
  std::string content(static_cast<size_t>(file->size()), '\0');
  FLOE_RETURN_IF_ERROR(
      file->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(content.data()), content.size())));
  return content;
}

Status CreateDirectoriesDurably(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> missing;  // innermost first
  std::error_code ec;
  for (fs::path p = fs::path(dir); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("create directory", it->string());
    }
    FLOE_RETURN_IF_ERROR(SyncDirectory(it->has_parent_path() ? it->parent_path().string() : "."));
  }
  return Status::OK();
}

Status WriteLocalFileAtomically(const std::string& path, std::string_view content, bool overwrite) {
  const std::string dir = ParentOf(path);
  FLOE_RETURN_IF_ERROR(CreateDirectoriesDurably(dir));
  struct stat st;
  if (!overwrite && ::stat(path.c_str(), &st) == 0) {
    return Status::AlreadyExists("{} already exists", path);
  }
  std::random_device random;
  const std::string temp = fmt::format("{}.{:08x}.tmp", path, random());
  {
    // The temp name need not be durable: the directory is synced once the
    // final name is in place.
    FLOE_ASSIGN_OR_RETURN(auto out, CreateOutputFile(temp, /*sync_directory=*/false));
    Status s = out->Append(content);
    if (s.ok()) s = out->Close();  // fsyncs the file
    if (!s.ok()) {
      ::unlink(temp.c_str());
      return s;
    }
  }
  int rc;
  if (overwrite) {
    rc = ::rename(temp.c_str(), path.c_str());
  } else {
    // link() fails if the target exists; a filesystem without hard links
    // gets the same guarantee from renameat2's RENAME_NOREPLACE.
    rc = ::link(temp.c_str(), path.c_str());
    if (rc != 0 && (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EMLINK ||
                    errno == ENOSYS)) {
      rc = ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
    }
  }
  const int error = errno;
  ::unlink(temp.c_str());  // after link: the temp name; after a rename: nothing left
  if (rc != 0) {
    if (error == EEXIST) return Status::AlreadyExists("{} already exists", path);
    errno = error;
    return ErrnoStatus("rename into place", path);
  }
  return SyncDirectory(dir);  // make the new name durable; a failure is not ignored
}

Result<std::unique_ptr<OutputFile>> CreateLocalOutputFile(const std::string& path) {
  return CreateOutputFile(path, /*sync_directory=*/true);
}

}  // namespace floe
