// Typed, path-aware reads from request JSON. Every failure is a kInvalidArgument Status whose field is the JSON path
// of the offending value ("parameters[1].low"), so clients learn what is wrong and where.
//
// Thread safety: stateless functions.
#ifndef BAYESD_SRC_STUDY_JSON_FIELDS_H_
#define BAYESD_SRC_STUDY_JSON_FIELDS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "src/common/status.h"

namespace bayesd {

using Json = nlohmann::json;

// "a.b" / "a[3]" helpers; an empty parent yields just the child.
std::string JoinPath(std::string_view parent, std::string_view key);
std::string IndexPath(std::string_view parent, size_t index);

// The JSON type name used in messages ("object", "string", "number", ...).
std::string_view JsonTypeName(const Json& j);

// Fails unless `j` is an object.
Status RequireObject(const Json& j, std::string_view path);
// Fails on the first key of the object `j` that is not in `allowed`.
Status RejectUnknownKeys(const Json& j, std::string_view path, std::initializer_list<std::string_view> allowed);

// Reads obj[key]. Absent keys (or null) give nullopt when optional, an error when required.
StatusOr<std::optional<std::string>> ReadString(const Json& obj, std::string_view path, const char* key,
                                                bool required);
// Finite numbers only; integers and floats both accepted.
StatusOr<std::optional<double>> ReadNumber(const Json& obj, std::string_view path, const char* key,
                                           bool required);
StatusOr<std::optional<bool>> ReadBool(const Json& obj, std::string_view path, const char* key, bool required);
// A whole number in [min, max] (3 and 3.0 both accepted).
StatusOr<std::optional<int64_t>> ReadInteger(const Json& obj, std::string_view path, const char* key,
                                             bool required, int64_t min, int64_t max);

// `j` itself as a finite number.
StatusOr<double> AsFiniteNumber(const Json& j, std::string_view path);

// Parses a request body; malformed JSON is kInvalidArgument with the parser's position in the message.
StatusOr<Json> ParseJsonBody(std::string_view body);

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_JSON_FIELDS_H_
