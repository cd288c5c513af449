// Whether a JSON value carries anything to store: a scalar other than null,
// or an array or object with such a value somewhere inside. Schema evolution
// types only such values (json_schema_evolution.h), and the decoder's strict
// mode refuses only unknown keys (named, not "") that hold one, so that both agree on what
// a record would add. Internal to source/.
#pragma once

#include <simdjson.h>

namespace floe::source {

inline bool HasContent(simdjson::dom::element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return false;
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array array = v.get_array().value_unsafe();
      for (simdjson::dom::element e : array) {
        if (HasContent(e)) return true;
      }
      return false;
    }
    case simdjson::dom::element_type::OBJECT: {
      const simdjson::dom::object object = v.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair m : object) {
        if (HasContent(m.value)) return true;
      }
      return false;
    }
    default:
      return true;
  }
}

}  // namespace floe::source
