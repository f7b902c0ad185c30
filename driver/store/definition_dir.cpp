#include "driver/store/definition_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "driver/os/atomic_file.h"
#include "xml/network_parse.h"
#include "xml/xml_document.h"
#include "xml/xml_node.h"

namespace virtnat::driver {
namespace {

constexpr std::string_view kXmlSuffix = ".xml";
// Room for the header comment on top of the largest definition accepted.
constexpr size_t kMaxFileSize = xml::kMaxNetworkXmlSize + 4096;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Reads and checks one definition file; returns the problem, or "" if fine.
std::string ReadDefinition(ScannedDefinition& def) {
  Result<std::string> text = ReadFileLimited(def.path, kMaxFileSize);
  if (!text.ok()) return text.status().message();
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) return def.path + ": file is empty";
  Result<xml::XmlDocPtr> doc = xml::ParseXmlDocument(*text, def.path, kMaxFileSize);
  if (!doc.ok()) {
    return def.path + ": not a well-formed XML document: " + FirstLine(doc.status().message());
  }
  xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!xml::IsPlainElement(root, "network")) {
    return def.path + ": root element is <" + xml::NodeName(root) + ">, not <network>";
  }
  std::string inner = xml::ChildText(root, "name").value_or("");
  if (inner != def.name) {
    return def.path + ": defines network '" + inner + "' but the file is named after '" + def.name +
           "'";
  }
  def.xml = std::string(StripLeadingComment(*text));
  return "";
}

// Whether DIR/autostart/NAME.xml marks `def` as libvirt would: a symlink to
// the definition file. libvirt stores the absolute path of the file; a copy
// of the directory elsewhere keeps that old path, so a link whose last
// component is the file's name counts as well.
bool CheckAutostart(const std::string& link, const ScannedDefinition& def, DefinitionScan& scan) {
  struct stat lst;
  if (lstat(link.c_str(), &lst) < 0) return false;
  if (!S_ISLNK(lst.st_mode)) {
    scan.problems.push_back(link + ": autostart mark is not a symbolic link; ignored");
    return false;
  }
  char target[4096];
  ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
  if (n < 0) return false;
  std::string to(target, static_cast<size_t>(n));
  std::string file_name = def.name + std::string(kXmlSuffix);
  if (to == file_name || EndsWith(to, "/" + file_name)) return true;
  struct stat via_link, file;
  if (stat(link.c_str(), &via_link) == 0 && stat(def.path.c_str(), &file) == 0 &&
      via_link.st_dev == file.st_dev && via_link.st_ino == file.st_ino) {
    return true;
  }
  scan.problems.push_back(link + ": autostart link points to '" + to + "', not to '" + def.path +
                          "'; ignored");
  return false;
}

}  // namespace

std::string DefinitionFileHeader(std::string_view name) {
  return "<!--\n"
         "WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
         "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
         "  virsh net-edit " +
         std::string(name) +
         "\n"
         "or other application using the libvirt API.\n"
         "-->\n\n";
}

std::string_view StripLeadingComment(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || text.substr(start, 4) != "<!--") return text;
  size_t end = text.find("-->", start + 4);
  if (end == std::string_view::npos) return text;
  text.remove_prefix(end + 3);
  size_t body = text.find_first_not_of(" \t\r\n");
  return body == std::string_view::npos ? std::string_view() : text.substr(body);
}

Result<DefinitionScan> ScanDefinitionDir(const std::string& dir) {
  DefinitionScan scan;
  std::optional<std::vector<std::string>> names = ListDirectory(dir);
  if (!names) {
    if (errno == ENOENT) return scan;
    return SystemError("cannot read directory '" + dir + "': " + std::strerror(errno),
                       VIR_FROM_NETWORK);
  }
  const std::string autostart_dir = dir + "/autostart";
  for (const std::string& name : *names) {
    std::string path = dir + "/" + name;
    if (IsAtomicTempName(name)) {
      scan.temp_files.push_back(path);
      continue;
    }
    if (name[0] == '.' || !EndsWith(name, kXmlSuffix) || name.size() == kXmlSuffix.size()) {
      continue;
    }
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      scan.problems.push_back(path + ": not a regular file; skipped");
      continue;
    }
    ScannedDefinition def;
    def.name = name.substr(0, name.size() - kXmlSuffix.size());
    def.path = path;
    if (std::string problem = ReadDefinition(def); !problem.empty()) {
      scan.problems.push_back(problem);
      continue;
    }
    def.autostart = CheckAutostart(autostart_dir + "/" + name, def, scan);
    scan.definitions.push_back(std::move(def));
  }

  std::optional<std::vector<std::string>> marks = ListDirectory(autostart_dir);
  if (!marks) {
    if (errno != ENOENT) {
      scan.problems.push_back(autostart_dir + ": cannot read directory: " + std::strerror(errno));
    }
    return scan;
  }
  for (const std::string& mark : *marks) {
    std::string path = autostart_dir + "/" + mark;
    if (IsAtomicTempName(mark)) {
      scan.temp_files.push_back(path);
    } else if (mark[0] != '.' && EndsWith(mark, kXmlSuffix) &&
               std::find(names->begin(), names->end(), mark) == names->end()) {
      scan.orphan_links.push_back(path);
    }
  }
  return scan;
}

}  // namespace virtnat::driver
