#pragma once
// Errors as values. A Status carries the libvirt error a client will see:
// the virErrorNumber, the virErrorDomain and the complete message text
// (including libvirt's per-code prefix such as "internal error: "), so the
// RPC layer can send it unchanged and virsh prints what it prints for libvirt.

#include <libvirt/virterror.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace virtnat {

struct Error {
  int code = VIR_ERR_INTERNAL_ERROR;  // virErrorNumber
  int domain = VIR_FROM_NETWORK;      // virErrorDomain
  std::string message;                // complete text, prefix included
};

// The prefix libvirt puts in front of a message for a given code
// ("internal error: ", "XML error: ", ...). Empty for codes without one.
std::string ErrorPrefix(int code);

class [[nodiscard]] Status {
 public:
  Status() = default;                                // OK
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }
  int code() const { return error_ ? error_->code : VIR_ERR_OK; }
  const std::string& message() const;

  // Prepends "context: " to the message (after libvirt's code prefix).
  Status WithContext(const std::string& context) const;

 private:
  std::optional<Error> error_;
};

// Builds an error whose message is ErrorPrefix(code) + text.
Error MakeError(int code, int domain, std::string text);

// Shorthands for the common codes, all in the network domain unless given.
Error InternalError(std::string text, int domain = VIR_FROM_NETWORK);
Error XmlError(std::string text, int domain = VIR_FROM_NETWORK);
Error XmlDetail(std::string text, int domain = VIR_FROM_NETWORK);
Error ConfigUnsupported(std::string text, int domain = VIR_FROM_NETWORK);
Error OperationInvalid(std::string text, int domain = VIR_FROM_NETWORK);
Error OperationFailed(std::string text, int domain = VIR_FROM_NETWORK);
Error OperationUnsupported(std::string text, int domain = VIR_FROM_NETWORK);
Error SystemError(std::string text, int domain = VIR_FROM_NONE);
// A system error from errno: "text: strerror(errnum)".
Error SystemErrorFromErrno(int errnum, std::string text);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : value_(std::move(error)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(status.error()) {}  // REQUIRES: !status.ok()

  bool ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<Error>(value_); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> value_;
};

}  // namespace virtnat

#define VIRTNAT_CONCAT_INNER(a, b) a##b
#define VIRTNAT_CONCAT(a, b) VIRTNAT_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is an error.
#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::virtnat::Status virtnat_status_ = (expr);                \
    if (!virtnat_status_.ok()) return virtnat_status_.error(); \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX())`: unwraps a Result or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(VIRTNAT_CONCAT(virtnat_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.error();          \
  lhs = std::move(tmp).value()
