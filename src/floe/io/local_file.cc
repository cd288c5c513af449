// Local-filesystem files over POSIX descriptors.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "floe/io/file.h"

namespace floe {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path) {
  const int e = errno;
  if (e == ENOENT) return Status::NotFound("{}: {}: {}", path, what, std::strerror(e));
  return Status::IOError("{}: {}: {}", path, what, std::strerror(e));
}

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~LocalInputFile() override { ::close(fd_); }
  LocalInputFile(const LocalInputFile&) = delete;
  LocalInputFile& operator=(const LocalInputFile&) = delete;

  const std::string& path() const override { return path_; }
  int64_t size() const override { return size_; }

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
};

class LocalOutputFile final : public OutputFile {
 public:
  LocalOutputFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
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
  int64_t position_ = 0;
  std::vector<uint8_t> buffer_;
};

}  // namespace

Result<std::unique_ptr<InputFile>> OpenLocalInputFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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
  return std::unique_ptr<InputFile>(std::make_unique<LocalInputFile>(path, fd, st.st_size));
}

Result<std::unique_ptr<OutputFile>> CreateLocalOutputFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path);
  return std::unique_ptr<OutputFile>(std::make_unique<LocalOutputFile>(path, fd));
}

}  // namespace floe
