// Serialized LoadTableResult bodies by metadata location and snapshots mode.
// A metadata file never changes once written, so a body stays right for as
// long as the file exists (the caller checks that on every load); the least
// recently used bodies go past the capacity. Loading a table is then one
// catalog lookup, one stat and a copy, instead of reading, parsing and
// re-serializing its metadata.json. Thread-safe.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace floe::server {

class LoadResultCache {
 public:
  explicit LoadResultCache(size_t capacity = 256) : capacity_(capacity) {}

  std::shared_ptr<const std::string> Find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);  // most recently used first
    return it->second->second;
  }

  void Insert(const std::string& key, std::shared_ptr<const std::string> body) {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(body);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, std::move(body));
    index_[key] = order_.begin();
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
  const size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> order_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace floe::server
