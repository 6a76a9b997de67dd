# How fetch links its libraries.
#
# A process that fetches 15 pages spends a third of its life in the dynamic loader: with
# Boost, c-ares, fmt and the C++ runtime as shared objects, ld.so resolves ~6 800 symbols
# before main (perf: 35% of `fetch --version`). Linking them statically removes that cost.
# OpenSSL stays shared by default so that a security update of the system's libssl reaches
# fetch without a rebuild; FETCH_STATIC_OPENSSL trades that for a little more start-up time.
option(FETCH_STATIC_DEPS "Link Boost, c-ares, fmt and the C++ runtime statically" ON)
option(FETCH_STATIC_OPENSSL "Link OpenSSL statically too (no security updates without a rebuild)" OFF)

if(FETCH_SANITIZE)
  # The sanitizer runtimes expect the shared C++ runtime.
  set(FETCH_STATIC_DEPS OFF)
  set(FETCH_STATIC_OPENSSL OFF)
endif()

if(FETCH_STATIC_DEPS)
  set(Boost_USE_STATIC_LIBS ON)
  set(FETCH_FMT_TARGET fmt::fmt-header-only)
  add_link_options(-static-libstdc++ -static-libgcc)
else()
  set(FETCH_FMT_TARGET fmt::fmt)
endif()
if(FETCH_STATIC_OPENSSL)
  set(OPENSSL_USE_STATIC_LIBS TRUE)
endif()

# c-ares through pkg-config: its static archive when linking statically.
function(fetch_find_cares)
  pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares>=1.16)
  add_library(fetch_cares INTERFACE)
  if(FETCH_STATIC_DEPS)
    find_library(FETCH_CARES_ARCHIVE NAMES libcares.a HINTS ${CARES_LIBRARY_DIRS} REQUIRED)
    target_include_directories(fetch_cares INTERFACE ${CARES_INCLUDE_DIRS})
    target_link_libraries(fetch_cares INTERFACE ${FETCH_CARES_ARCHIVE})
  else()
    target_link_libraries(fetch_cares INTERFACE PkgConfig::CARES)
  endif()
endfunction()
