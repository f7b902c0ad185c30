#pragma once
// The <metadata> element of a network as virNetworkSetMetadata and
// virNetworkGetMetadata (libvirt 9.7+) edit and read it: one child element
// per namespace URI. A definition keeps <metadata> as the text the formatter
// prints (NetworkDef::metadata); these functions reparse it, change it and
// serialise it again the same way.

#include <optional>
#include <string>

#include "common/status.h"

namespace virtnat::xml {

// The child of `metadata` in namespace `uri`, printed with that namespace
// taken off (the element and its descendants of `uri` lose their prefix and
// its declaration; other namespaces stay declared). nullopt when there is no
// <metadata> or no such child.
Result<std::optional<std::string>> ExtractMetadataElement(
    const std::optional<std::string>& metadata, const std::string& uri);

// Replaces the child of `metadata` in namespace `uri` by `element` (XML text
// whose elements without a namespace are put into `uri` with the prefix
// `key`), or removes it when `element` is nullopt. <metadata> is created when
// needed and stays, possibly empty, once it exists. Errors, as libvirt
// 11.3: `element` not well-formed ("at line N: ..."), `key` not an XML name.
Status SetMetadataElement(std::optional<std::string>& metadata,
                          const std::optional<std::string>& element, const std::string& key,
                          const std::string& uri);

}  // namespace virtnat::xml
