# The plan/apply line, enforced by the compiler: virtnat_logic (plans,
# rulesets, configs, records, checks, the object layer) never sees the
# kernel libraries. Its include path starts with a directory of stand-in
# headers, one for every header of libnl-3, libnftnl and libmnl, each an
# #error: a pure source that includes kernel code, directly or through a
# header, fails to compile and says where the code belongs.

# virtnat_forbid_kernel_headers(TARGET DIR:PREFIX...): for each DIR, every
# header below DIR/PREFIX gets a stand-in, included as <PREFIX/...>.
function(virtnat_forbid_kernel_headers target)
  set(guard ${CMAKE_BINARY_DIR}/kernel-header-guard)
  foreach(spec ${ARGN})
    string(REPLACE ":" ";" parts ${spec})
    list(GET parts 0 root)
    list(GET parts 1 prefix)
    file(GLOB_RECURSE headers RELATIVE ${root} ${root}/${prefix}/*.h)
    foreach(header ${headers})
      set(text "#error \"<${header}> is kernel I/O, which the pure library (virtnat_logic) must not include: \
move the code that needs it to a host source (see ARCHITECTURE.md, 'The plan/apply line')\"\n")
      file(CONFIGURE OUTPUT ${guard}/${header} CONTENT "${text}")
    endforeach()
  endforeach()
  target_include_directories(${target} BEFORE PRIVATE ${guard})
  set(VIRTNAT_KERNEL_HEADER_GUARD ${guard} PARENT_SCOPE)
endfunction()
