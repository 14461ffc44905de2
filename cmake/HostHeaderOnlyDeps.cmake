# Boost.Asio and nlohmann/json for a cross build. Both are header-only and the same for every
# architecture, but a cross toolchain (cmake/aarch64-linux-gnu.cmake) searches only its sysroot,
# which usually has neither. Adding the host's /usr/include to the include path would also put
# the host's glibc headers ahead of the target's, so instead a folder in the build tree holds
# just two links, boost -> HOST/boost and nlohmann -> HOST/nlohmann, and the usual imported
# targets (Boost::headers, nlohmann_json::nlohmann_json) point at it. A sysroot that does have
# the packages is used as is.
set(AUTOTUNE_HOST_INCLUDE_DIR /usr/include CACHE PATH
    "host folder that holds boost/ and nlohmann/ (header-only, used by cross builds)")

find_package(Boost 1.74 QUIET)
find_package(nlohmann_json 3.11 QUIET)

set(_links_dir ${CMAKE_BINARY_DIR}/host-headers)
foreach(_dep boost nlohmann)
  if(_dep STREQUAL "boost" AND TARGET Boost::headers)
    continue()
  endif()
  if(_dep STREQUAL "nlohmann" AND TARGET nlohmann_json::nlohmann_json)
    continue()
  endif()
  if(NOT IS_DIRECTORY ${AUTOTUNE_HOST_INCLUDE_DIR}/${_dep})
    message(FATAL_ERROR "cross build: ${AUTOTUNE_HOST_INCLUDE_DIR}/${_dep} not found (install "
                        "libboost-dev and nlohmann-json3-dev, or set AUTOTUNE_HOST_INCLUDE_DIR)")
  endif()
  file(MAKE_DIRECTORY ${_links_dir})
  file(CREATE_LINK ${AUTOTUNE_HOST_INCLUDE_DIR}/${_dep} ${_links_dir}/${_dep} SYMBOLIC)
  if(_dep STREQUAL "boost")
    add_library(Boost::headers INTERFACE IMPORTED)
    set_target_properties(Boost::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_links_dir})
  else()
    add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
    set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
                          INTERFACE_INCLUDE_DIRECTORIES ${_links_dir})
  endif()
  message(STATUS "cross build: using ${_dep}/ from ${AUTOTUNE_HOST_INCLUDE_DIR} (header-only)")
endforeach()
