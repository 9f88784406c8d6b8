// Early-return helpers for absl::Status and absl::StatusOr.
//
// Our abseil (20220623) has no ABSL_RETURN_IF_ERROR, so we keep the two
// macros every caller needs here, in one place.
#ifndef DIBAO_BASE_STATUS_MACROS_H_
#define DIBAO_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DIBAO_CONCAT_INNER_(a, b) a##b
#define DIBAO_CONCAT_(a, b) DIBAO_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status dibao_status_ = (expr);         \
    if (!dibao_status_.ok()) return dibao_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, StatusOrExpr());` declares x from the value, or
// returns the error from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(DIBAO_CONCAT_(dibao_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // DIBAO_BASE_STATUS_MACROS_H_
