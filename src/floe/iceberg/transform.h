// Iceberg partition transforms (spec "Partition Transforms"): identity,
// bucket[N], truncate[W], year, month, day, hour and void, applied to whole
// columns, plus the human strings that partition paths are made of.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/columnar/column.h"
#include "floe/schema/type.h"
#include "floe/util/status.h"

namespace floe::iceberg {

class Transform {
 public:
  enum class Kind : uint8_t { kIdentity, kBucket, kTruncate, kYear, kMonth, kDay, kHour, kVoid };

  static Transform Identity() { return Transform(Kind::kIdentity); }
  static Transform Bucket(int32_t n) { return Transform(Kind::kBucket, n); }
  static Transform Truncate(int32_t width) { return Transform(Kind::kTruncate, width); }
  static Transform Year() { return Transform(Kind::kYear); }
  static Transform Month() { return Transform(Kind::kMonth); }
  static Transform Day() { return Transform(Kind::kDay); }
  static Transform Hour() { return Transform(Kind::kHour); }
  static Transform Void() { return Transform(Kind::kVoid); }

  // "identity", "bucket[16]", "truncate[4]", "year", ... as in partition spec
  // JSON. Unknown names and non-positive parameters are errors.
  static Result<Transform> Parse(std::string_view text);
  std::string ToString() const;

  Kind kind() const { return kind_; }
  int32_t parameter() const { return parameter_; }  // N of bucket, W of truncate

  // The type this transform produces from `source`, or an error when the
  // transform does not apply to it (e.g. hour of a date, bucket of a double).
  Result<TypePtr> ResultType(const TypePtr& source) const;

  // Appends the transform of every slot of `in` to `out`, a column of
  // ResultType(in.type()). Nulls stay null.
  Status Apply(const Column& in, Column* out) const;

  // The human-readable form of one transformed value (slot `i` of a column of
  // the result type) used in partition paths: "2026-11-25" for day, "3" for
  // bucket, "null" for null, base64 for bytes. `source` is the source type.
  std::string HumanString(const Type& source, const Column& result, int64_t i) const;

  bool operator==(const Transform& other) const = default;

 private:
  explicit Transform(Kind kind, int32_t parameter = 0) : kind_(kind), parameter_(parameter) {}

  Kind kind_;
  int32_t parameter_;
};

// A partition path segment: "name=value" with both parts form-URL-encoded
// (spaces as '+', everything but letters, digits and "-_.~" as %XX), the way
// PyIceberg and Iceberg Java name partition directories.
std::string PartitionPathSegment(std::string_view name, std::string_view human_value);

// The bucket of one value's hash input bytes: (murmur3 & INT32_MAX) % n.
int32_t BucketOfBytes(std::span<const uint8_t> bytes, int32_t n);

}  // namespace floe::iceberg
