#include "common/status.h"

#include <cstring>

namespace virtnat {

std::string ErrorPrefix(int code) {
  switch (code) {
    case VIR_ERR_INTERNAL_ERROR:
      return "internal error: ";
    case VIR_ERR_OPERATION_FAILED:
      return "operation failed: ";
    case VIR_ERR_XML_ERROR:
      return "XML error: ";
    case VIR_ERR_NO_NETWORK:
      return "Network not found: ";
    case VIR_ERR_OPERATION_INVALID:
      return "Requested operation is not valid: ";
    case VIR_ERR_CONFIG_UNSUPPORTED:
      return "unsupported configuration: ";
    case VIR_ERR_OPERATION_UNSUPPORTED:
      return "Operation not supported: ";
    case VIR_ERR_XML_INVALID_SCHEMA:
      return "XML document failed to validate against schema: ";
    case VIR_ERR_NO_SUPPORT:
      return "this function is not supported by the connection driver: ";
    case VIR_ERR_OPERATION_DENIED:
      return "operation forbidden: ";
    case VIR_ERR_RPC:
      return "RPC error: ";
    case VIR_ERR_NO_NETWORK_PORT:
      return "network port not found: ";
    case VIR_ERR_NETWORK_PORT_EXIST:
      return "network port already exists: ";
    default:
      return "";
  }
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return error_ ? error_->message : kEmpty;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  Error e = *error_;
  std::string prefix = ErrorPrefix(e.code);
  std::string rest = e.message.compare(0, prefix.size(), prefix) == 0
                         ? e.message.substr(prefix.size())
                         : e.message;
  e.message = prefix + context + ": " + rest;
  return Status(std::move(e));
}

Error MakeError(int code, int domain, std::string text) {
  return Error{code, domain, ErrorPrefix(code) + std::move(text)};
}

Error InternalError(std::string text, int domain) {
  return MakeError(VIR_ERR_INTERNAL_ERROR, domain, std::move(text));
}
Error XmlError(std::string text, int domain) {
  return MakeError(VIR_ERR_XML_ERROR, domain, std::move(text));
}
Error XmlDetail(std::string text, int domain) {
  return MakeError(VIR_ERR_XML_DETAIL, domain, std::move(text));
}
Error ConfigUnsupported(std::string text, int domain) {
  return MakeError(VIR_ERR_CONFIG_UNSUPPORTED, domain, std::move(text));
}
Error OperationInvalid(std::string text, int domain) {
  return MakeError(VIR_ERR_OPERATION_INVALID, domain, std::move(text));
}
Error OperationFailed(std::string text, int domain) {
  return MakeError(VIR_ERR_OPERATION_FAILED, domain, std::move(text));
}
Error OperationUnsupported(std::string text, int domain) {
  return MakeError(VIR_ERR_OPERATION_UNSUPPORTED, domain, std::move(text));
}
Error SystemError(std::string text, int domain) {
  return MakeError(VIR_ERR_SYSTEM_ERROR, domain, std::move(text));
}
Error SystemErrorFromErrno(int errnum, std::string text) {
  return MakeError(VIR_ERR_SYSTEM_ERROR, VIR_FROM_NONE,
                   std::move(text) + ": " + std::strerror(errnum));
}

}  // namespace virtnat
