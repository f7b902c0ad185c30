#include "xml/schema.h"

#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "xml/network_parse.h"
#include "xml/xml_document.h"
#include "xml/xml_ptr.h"

namespace virtnat::xml {
namespace {

// libvirt names the in-memory document like this in its parse errors.
constexpr char kDocumentName[] = "(network_definition)";
constexpr char kPortDocumentName[] = "(networkport_definition)";
// A hostile document can make libxml2 report many errors; keep the message
// readable and bounded.
constexpr size_t kMaxErrorText = 4096;

struct RngParserCtxtDeleter {
  void operator()(xmlRelaxNGParserCtxt* ctxt) const noexcept { xmlRelaxNGFreeParserCtxt(ctxt); }
};
struct RngDeleter {
  void operator()(xmlRelaxNG* rng) const noexcept { xmlRelaxNGFree(rng); }
};
struct RngValidCtxtDeleter {
  void operator()(xmlRelaxNGValidCtxt* ctxt) const noexcept { xmlRelaxNGFreeValidCtxt(ctxt); }
};
using RngParserCtxtPtr = std::unique_ptr<xmlRelaxNGParserCtxt, RngParserCtxtDeleter>;
using RngPtr = std::unique_ptr<xmlRelaxNG, RngDeleter>;
using RngValidCtxtPtr = std::unique_ptr<xmlRelaxNGValidCtxt, RngValidCtxtDeleter>;

// libxml2 2.12 made the structured error argument const.
#if LIBXML_VERSION >= 21200
using XmlErrorArg = const xmlError*;
#else
using XmlErrorArg = xmlError*;
#endif

// What libxml2 reported during one call; owned by that call's stack frame.
struct ErrorSink {
  std::string text;  // every message, each ending in '\n', as libvirt collects them
  std::string first_message;
  bool any = false;
};

void Record(ErrorSink* sink, XmlErrorArg error) noexcept {
  if (sink == nullptr || error == nullptr || error->level == XML_ERR_WARNING) return;
  try {
    std::string message = error->message != nullptr ? error->message : "unknown error";
    if (message.empty() || message.back() != '\n') message += '\n';
    if (!sink->any) {
      sink->any = true;
      sink->first_message = message.substr(0, message.size() - 1);
    }
    if (sink->text.size() + message.size() <= kMaxErrorText) sink->text += message;
  } catch (...) {
    // Out of memory while formatting: the caller still sees that it failed.
  }
}

void OnSchemaError(void* data, XmlErrorArg error) noexcept {
  Record(static_cast<ErrorSink*>(data), error);
}

struct CachedSchema {
  std::string path;
  RngPtr grammar;
};

std::string SchemaDir() {
  const char* dir = getenv("VIRTNAT_SCHEMA_DIR");
  if (dir == nullptr || *dir == '\0') dir = VIRTNAT_SCHEMA_DIR;
  return dir;
}

// libxml2 does not promise that validations sharing one compiled grammar may
// run concurrently, so loading and validating both happen under this lock.
std::mutex& SchemaMutex() {
  static std::mutex mutex;
  return mutex;
}

// REQUIRES: SchemaMutex() held.
Result<const CachedSchema*> LoadSchemaLocked(const std::string& file) {
  static std::map<std::string, CachedSchema> caches;
  CachedSchema& cache = caches[file];
  if (cache.grammar != nullptr) return &cache;
  xmlInitParser();
  std::string path = SchemaDir() + "/" + file;
  ErrorSink sink;
  RngParserCtxtPtr pctxt(xmlRelaxNGNewParserCtxt(path.c_str()));
  if (pctxt == nullptr) return InternalError("out of memory");
  xmlRelaxNGSetParserStructuredErrors(pctxt.get(), &OnSchemaError, &sink);
  RngPtr grammar(xmlRelaxNGParse(pctxt.get()));
  if (grammar == nullptr) {
    std::string detail = sink.any ? sink.first_message : "no detail";
    return InternalError("Unable to load schema " + path + ": " + detail, VIR_FROM_XML);
  }
  cache.path = std::move(path);
  cache.grammar = std::move(grammar);
  return &cache;
}

}  // namespace

std::string NetworkSchemaPath() { return SchemaDir() + "/network.rng"; }

Status ValidateNetworkSchema(std::string_view text) {
  return ValidateSchema(text, "network.rng", kDocumentName);
}

Status ValidateNetworkPortSchema(std::string_view text) {
  return ValidateSchema(text, "networkport.rng", kPortDocumentName);
}

Status ValidateSchema(std::string_view text, const char* file, const char* document_name) {
  // Read as the parser reads it (hardened, no DTD, size limit), so a
  // document is unreadable here exactly when it is unreadable there.
  ASSIGN_OR_RETURN(XmlDocPtr doc, ParseXmlDocument(text, document_name, kMaxNetworkXmlSize));

  std::lock_guard<std::mutex> lock(SchemaMutex());
  ASSIGN_OR_RETURN(const CachedSchema* schema, LoadSchemaLocked(file));
  RngValidCtxtPtr vctxt(xmlRelaxNGNewValidCtxt(schema->grammar.get()));
  if (vctxt == nullptr) return InternalError("out of memory", VIR_FROM_XML);
  ErrorSink sink;
  xmlRelaxNGSetValidStructuredErrors(vctxt.get(), &OnSchemaError, &sink);
  int rc = xmlRelaxNGValidateDoc(vctxt.get(), doc.get());
  if (rc == 0) return Status::Ok();
  if (rc < 0) {
    return InternalError("RelaxNG validation of the document failed to run", VIR_FROM_XML);
  }
  return MakeError(VIR_ERR_XML_INVALID_SCHEMA, VIR_FROM_XML,
                   "Unable to validate doc against " + schema->path + "\n" + sink.text);
}

}  // namespace virtnat::xml
