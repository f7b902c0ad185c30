#pragma once
// Small read helpers over a libxml2 tree, with the two lookup flavours libvirt
// mixes: XPath-style ("./name[1]", "string(./@attr)": only elements without a
// namespace, an empty string counts as absent) and property-style
// (virXMLPropString: the attribute as given, empty included).

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

namespace virtnat::xml {

// True for an element called `name` that has no namespace (what an
// unprefixed XPath step matches).
bool IsPlainElement(const xmlNode* node, const char* name);
// True for an element called `name`, whatever its namespace.
bool HasName(const xmlNode* node, const char* name);
// True for an element called `name` in namespace `uri`.
bool IsElementNs(const xmlNode* node, const char* name, const char* uri);

// Child elements called `name` without a namespace, in document order.
std::vector<xmlNode*> PlainChildren(const xmlNode* parent, const char* name);
xmlNode* FirstPlainChild(const xmlNode* parent, const char* name);
// Child elements called `name` in any namespace.
std::vector<xmlNode*> NamedChildren(const xmlNode* parent, const char* name);
xmlNode* FirstNamedChild(const xmlNode* parent, const char* name);
// Child elements in namespace `uri` called `name`.
std::vector<xmlNode*> NsChildren(const xmlNode* parent, const char* name, const char* uri);

// The attribute without a namespace, as given ("" stays ""). nullopt if absent
// or if `node` is null.
std::optional<std::string> Prop(const xmlNode* node, const char* name);
// Like Prop, but an empty value counts as absent (XPath string() semantics).
std::optional<std::string> XPathProp(const xmlNode* node, const char* name);
// The concatenated text of `node` (xmlNodeGetContent).
std::string Content(const xmlNode* node);
// string(./name[1]): text of the first plain child `name`; nullopt if there
// is none or it is empty.
std::optional<std::string> ChildText(const xmlNode* parent, const char* name);

std::string NodeName(const xmlNode* node);

}  // namespace virtnat::xml
