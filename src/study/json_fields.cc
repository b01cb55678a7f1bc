#include "src/study/json_fields.h"

#include <cmath>
#include <limits>

namespace bayesd {

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string s(parent);
  s += '.';
  s += key;
  return s;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string_view JsonTypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    default: return "value";
  }
}

namespace {

std::string Where(std::string_view path) { return path.empty() ? "request body" : std::string(path); }

Status WrongType(const Json& j, std::string_view path, std::string_view want) {
  return InvalidArgument(Where(path) + " must be " + std::string(want) + " (got " +
                             std::string(JsonTypeName(j)) + ")",
                         std::string(path));
}

// Finds obj[key]; nullptr when absent or null.
const Json* Member(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status Missing(std::string_view path) {
  return InvalidArgument(std::string(path) + " is required", std::string(path));
}

}  // namespace

Status RequireObject(const Json& j, std::string_view path) {
  return j.is_object() ? OkStatus() : WrongType(j, path, "an object");
}

Status RejectUnknownKeys(const Json& j, std::string_view path, std::initializer_list<std::string_view> allowed) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (std::string_view a : allowed) known = known || it.key() == a;
    if (!known) {
      const std::string field = JoinPath(path, it.key());
      std::string msg = "unknown field " + field + " (allowed:";
      for (std::string_view a : allowed) msg += " " + std::string(a);
      return InvalidArgument(msg + ")", field);
    }
  }
  return OkStatus();
}

StatusOr<std::optional<std::string>> ReadString(const Json& obj, std::string_view path, const char* key,
                                                bool required) {
  const std::string field = JoinPath(path, key);
  const Json* m = Member(obj, key);
  if (m == nullptr) {
    if (required) return Missing(field);
    return std::optional<std::string>();
  }
  if (!m->is_string()) return WrongType(*m, field, "a string");
  return std::optional<std::string>(m->get<std::string>());
}

StatusOr<double> AsFiniteNumber(const Json& j, std::string_view path) {
  if (!j.is_number()) return WrongType(j, path, "a number");
  const double v = j.get<double>();
  if (!std::isfinite(v)) {
    return InvalidArgument(Where(path) + " must be a finite number", std::string(path));
  }
  return v;
}

StatusOr<std::optional<double>> ReadNumber(const Json& obj, std::string_view path, const char* key,
                                           bool required) {
  const std::string field = JoinPath(path, key);
  const Json* m = Member(obj, key);
  if (m == nullptr) {
    if (required) return Missing(field);
    return std::optional<double>();
  }
  ASSIGN_OR_RETURN(double v, AsFiniteNumber(*m, field));
  return std::optional<double>(v);
}

StatusOr<std::optional<bool>> ReadBool(const Json& obj, std::string_view path, const char* key, bool required) {
  const std::string field = JoinPath(path, key);
  const Json* m = Member(obj, key);
  if (m == nullptr) {
    if (required) return Missing(field);
    return std::optional<bool>();
  }
  if (!m->is_boolean()) return WrongType(*m, field, "a boolean");
  return std::optional<bool>(m->get<bool>());
}

StatusOr<std::optional<int64_t>> ReadInteger(const Json& obj, std::string_view path, const char* key,
                                             bool required, int64_t min, int64_t max) {
  const std::string field = JoinPath(path, key);
  const Json* m = Member(obj, key);
  if (m == nullptr) {
    if (required) return Missing(field);
    return std::optional<int64_t>();
  }
  if (m->is_number_unsigned()) {
    const uint64_t u = m->get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) {
      return InvalidArgument(field + " must be <= " + std::to_string(max), field);
    }
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  ASSIGN_OR_RETURN(double v, AsFiniteNumber(*m, field));
  if (v != std::floor(v)) return InvalidArgument(field + " must be a whole number", field);
  if (v < static_cast<double>(min) || v > static_cast<double>(max)) {
    return InvalidArgument(field + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
                           field);
  }
  return std::optional<int64_t>(static_cast<int64_t>(v));
}

StatusOr<Json> ParseJsonBody(std::string_view body) {
  if (body.empty()) return InvalidArgument("request body is empty; expected a JSON object");
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only to obtain the parser's position and reason.
    try {
      Json unused = Json::parse(body);
      (void)unused;
    } catch (const Json::exception& e) {  // parse_error, or out_of_range for numbers like 1e400
      return InvalidArgument(std::string("malformed JSON: ") + e.what());
    }
    return InvalidArgument("malformed JSON");
  }
  return j;
}

}  // namespace bayesd
