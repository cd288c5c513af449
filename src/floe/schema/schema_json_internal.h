// Schema JSON serde on nlohmann::json values, for the other serializers
// inside libfloe (table metadata, REST) that embed schemas in larger
// documents. Not part of the public API: nlohmann is a private dependency.
#pragma once

#include <nlohmann/json.hpp>

#include "floe/schema/schema.h"

namespace floe::internal {

// `validate` false skips Schema::Validate: for a create request, whose ids
// are replaced before the schema is validated (Spark numbers fields from 0).
Result<Schema> SchemaFromJsonValue(const nlohmann::json& j, bool validate = true);
nlohmann::json SchemaToJsonValue(const Schema& schema);

}  // namespace floe::internal
