#include "src/http/errors.h"

#include <nlohmann/json.hpp>

namespace bayesd {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kPayloadTooLarge: return 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string ErrorBody(const Status& status) {
  nlohmann::json err = {{"code", std::string(StatusCodeName(status.code()))},
                        {"message", status.message()}};
  if (!status.field().empty()) err["field"] = status.field();
  // Messages may quote client input: replace invalid UTF-8 rather than throw.
  return nlohmann::json{{"error", err}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace bayesd
