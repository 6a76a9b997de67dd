#pragma once
// A JSON Schema validator for the subset of draft 2020-12 that fetch's published schemas use
// (include/fetch/report/summary.schema.json), so that tests can check every document fetch
// writes against the schema users read, with no package beyond Boost.JSON.
//
// Keywords checked: type (a name or a list), enum, const, properties, required,
// additionalProperties (true, false or a schema), patternProperties, propertyNames, items,
// prefixItems, minItems, maxItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
// pattern (ECMAScript, as std::regex reads it), anyOf, oneOf, and $ref to "#/$defs/NAME".
// Annotations ($schema, $id, title, description, $comment, $defs) are ignored. Any other
// keyword is reported as an error: a schema must not silently claim more than is checked.

#include <boost/json/value.hpp>
#include <filesystem>
#include <string>
#include <vector>

namespace fetch::test {

// Every way `document` breaks `schema`, each as "JSON-pointer: reason"; empty when it is valid.
std::vector<std::string> validate_json(const boost::json::value& schema,
                                       const boost::json::value& document);

// The schema of the benchmark summary, read from the source tree.
const boost::json::value& summary_schema();
std::filesystem::path summary_schema_path();

}  // namespace fetch::test
