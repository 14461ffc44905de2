// Intrusive reference counting: the base of every IR node and the handle type that owns them.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <utility>

namespace autotune {

/// Base of every reference-counted object. Objects are created by `make_ref` and never copied.
class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted &) = delete;
  RefCounted &operator=(const RefCounted &) = delete;
  virtual ~RefCounted() = default;

  void inc_ref() const { ref_count_.fetch_add(1, std::memory_order_relaxed); }
  void dec_ref() const {
    if (ref_count_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 private:
  mutable std::atomic<int> ref_count_{0};
};

/// Owning pointer to a RefCounted object. Copying shares ownership; equality is identity.
template <typename T>
class Ref {
 public:
  Ref() = default;
  Ref(T *p) : p_(p) { if (p_) p_->inc_ref(); }  // NOLINT: implicit from raw node
  Ref(const Ref &o) : p_(o.p_) { if (p_) p_->inc_ref(); }
  Ref(Ref &&o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  template <typename U>
  Ref(const Ref<U> &o) : Ref(o.get()) {}  // NOLINT: upcast
  ~Ref() { if (p_) p_->dec_ref(); }
  Ref &operator=(Ref o) {
    std::swap(p_, o.p_);
    return *this;
  }

  T *get() const { return p_; }
  T *operator->() const { return p_; }
  T &operator*() const { return *p_; }
  bool defined() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  bool same_as(const Ref &o) const { return p_ == o.p_; }
  bool operator==(const Ref &o) const { return p_ == o.p_; }
  bool operator!=(const Ref &o) const { return p_ != o.p_; }
  bool operator<(const Ref &o) const { return p_ < o.p_; }

 private:
  T *p_ = nullptr;
};

template <typename T, typename... Args>
Ref<T> make_ref(Args &&...args) {
  return Ref<T>(new T(std::forward<Args>(args)...));
}

}  // namespace autotune

namespace std {
template <typename T>
struct hash<autotune::Ref<T>> {
  size_t operator()(const autotune::Ref<T> &r) const { return std::hash<const void *>()(r.get()); }
};
}  // namespace std
