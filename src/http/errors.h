// The one place where a Status becomes an HTTP status code and the API's JSON error body.
#ifndef BAYESD_SRC_HTTP_ERRORS_H_
#define BAYESD_SRC_HTTP_ERRORS_H_

#include <string>

#include "src/common/status.h"

namespace bayesd {

// 400, 401, 404, 409, 409, 413, 503, 500 for the non-OK codes; 200 for OK.
int HttpStatusFor(StatusCode code);

// {"error": {"code": "...", "message": "...", "field": "..."}} ("field" only when set).
std::string ErrorBody(const Status& status);

}  // namespace bayesd

#endif  // BAYESD_SRC_HTTP_ERRORS_H_
