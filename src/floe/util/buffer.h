// Buffer<T>: a std::vector whose growth leaves trivially constructible
// elements uninitialized. Decoders size a buffer and then overwrite all of
// it (a read, a decompression, a gather from a dictionary); with a plain
// vector every such resize first zero-fills memory that is overwritten
// right after. resize(n, value) and assign still initialize as usual.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace floe {

template <typename T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  // Value-less construction (resize(n), emplace_back()) default-initializes.
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    std::construct_at(p, std::forward<Args>(args)...);
  }
};

template <typename T>
using Buffer = std::vector<T, DefaultInitAllocator<T>>;

// GrowFor's slow path: capacity for `need` elements, at least doubled.
template <typename T>
[[gnu::noinline]] void Grow(Buffer<T>& buffer, size_t need) {
  static_assert(std::is_trivially_copyable_v<T>);
  Buffer<T> grown;
  grown.reserve(std::max(need, buffer.capacity() * 2));
  grown.resize(buffer.size());
  if (!buffer.empty()) std::memcpy(grown.data(), buffer.data(), buffer.size() * sizeof(T));
  buffer.swap(grown);
}

// Makes room for `more` elements past the end; no-op when there is room.
template <typename T>
inline void GrowFor(Buffer<T>& buffer, size_t more) {
  if (buffer.size() + more > buffer.capacity()) Grow(buffer, buffer.size() + more);
}

}  // namespace floe
