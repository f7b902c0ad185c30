#include "xml/xml_node.h"

#include <cstring>

#include "xml/xml_ptr.h"

namespace virtnat::xml {
namespace {

bool NameEquals(const xmlNode* node, const char* name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->name != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

template <typename Pred>
std::vector<xmlNode*> Collect(const xmlNode* parent, Pred pred) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (pred(child)) out.push_back(child);
  }
  return out;
}

}  // namespace

bool IsPlainElement(const xmlNode* node, const char* name) {
  return NameEquals(node, name) && node->ns == nullptr;
}

bool HasName(const xmlNode* node, const char* name) { return NameEquals(node, name); }

bool IsElementNs(const xmlNode* node, const char* name, const char* uri) {
  return NameEquals(node, name) && node->ns != nullptr && node->ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(node->ns->href), uri) == 0;
}

std::vector<xmlNode*> PlainChildren(const xmlNode* parent, const char* name) {
  return Collect(parent, [name](const xmlNode* n) { return IsPlainElement(n, name); });
}

xmlNode* FirstPlainChild(const xmlNode* parent, const char* name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (IsPlainElement(child, name)) return child;
  }
  return nullptr;
}

std::vector<xmlNode*> NamedChildren(const xmlNode* parent, const char* name) {
  return Collect(parent, [name](const xmlNode* n) { return HasName(n, name); });
}

xmlNode* FirstNamedChild(const xmlNode* parent, const char* name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (HasName(child, name)) return child;
  }
  return nullptr;
}

std::vector<xmlNode*> NsChildren(const xmlNode* parent, const char* name, const char* uri) {
  return Collect(parent, [name, uri](const xmlNode* n) { return IsElementNs(n, name, uri); });
}

std::optional<std::string> Prop(const xmlNode* node, const char* name) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return std::nullopt;
  XmlCharPtr value(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name)));
  if (!value) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(value.get()));
}

std::optional<std::string> XPathProp(const xmlNode* node, const char* name) {
  auto value = Prop(node, name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string Content(const xmlNode* node) {
  if (node == nullptr) return {};
  XmlCharPtr text(xmlNodeGetContent(node));
  return text ? std::string(reinterpret_cast<const char*>(text.get())) : std::string();
}

std::optional<std::string> ChildText(const xmlNode* parent, const char* name) {
  xmlNode* child = FirstPlainChild(parent, name);
  if (child == nullptr) return std::nullopt;
  std::string text = Content(child);
  if (text.empty()) return std::nullopt;
  return text;
}

std::string NodeName(const xmlNode* node) {
  return node && node->name ? reinterpret_cast<const char*>(node->name) : "";
}

}  // namespace virtnat::xml
