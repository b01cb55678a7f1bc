// GpStatus: the small result type of gp/. The layer never throws and never aborts; numerical trouble is a value.
//
// src/common/status.h is not visible from gp/ (layers point one way); the strategy layer maps GpStatus codes
// onto bayesd::Status (kInvalidArgument -> InvalidArgument, kNumerical -> Internal, ...).
//
// Thread safety: value type, safe to copy between threads.
#ifndef BAYESD_GP_STATUS_H_
#define BAYESD_GP_STATUS_H_

#include <string>
#include <utility>

namespace bayesd::gp {

enum class GpCode {
  kOk = 0,
  kInvalidArgument,     // shapes, out-of-range inputs, invalid options
  kFailedPrecondition,  // method called in the wrong state (e.g. Predict before Fit)
  kNumerical,           // factorization failed even at the top of the jitter ladder, non-finite values
};

class GpStatus {
 public:
  GpStatus() = default;  // OK
  GpStatus(GpCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == GpCode::kOk; }
  GpCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  GpCode code_ = GpCode::kOk;
  std::string message_;
};

inline GpStatus GpOk() { return GpStatus(); }
inline GpStatus GpInvalid(std::string m) { return GpStatus(GpCode::kInvalidArgument, std::move(m)); }
inline GpStatus GpPrecondition(std::string m) { return GpStatus(GpCode::kFailedPrecondition, std::move(m)); }
inline GpStatus GpNumerical(std::string m) { return GpStatus(GpCode::kNumerical, std::move(m)); }

}  // namespace bayesd::gp

#endif  // BAYESD_GP_STATUS_H_
