# How fetch links its libraries.
#
# A process that fetches 15 pages spends a third of its life in the dynamic loader: with
# Boost, c-ares, fmt and the C++ runtime as shared objects, ld.so resolves ~6 800 symbols
# before main (perf: 35% of `fetch --version`). Linking them statically removes that cost.
# OpenSSL stays shared by default so that a security update of the system's libssl reaches
# fetch without a rebuild; FETCH_STATIC_OPENSSL trades that for a little more start-up time.
option(FETCH_STATIC_DEPS
       "Link Boost, c-ares, zlib, brotli, zstd, fmt and the C++ runtime statically" ON)
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

# A library found through pkg-config `module`, as the interface target `target`: linked from
# its static archives (ARGN, in link order) when linking statically, else shared.
function(fetch_find_library target module)
  pkg_check_modules(${target}_pc REQUIRED IMPORTED_TARGET ${module})
  add_library(${target} INTERFACE)
  if(FETCH_STATIC_DEPS)
    set(archives)
    foreach(archive IN LISTS ARGN)
      find_library(${target}_${archive} NAMES ${archive} HINTS ${${target}_pc_LIBRARY_DIRS}
                   REQUIRED)
      list(APPEND archives ${${target}_${archive}})
    endforeach()
    target_include_directories(${target} INTERFACE ${${target}_pc_INCLUDE_DIRS})
    target_link_libraries(${target} INTERFACE ${archives})
  else()
    target_link_libraries(${target} INTERFACE PkgConfig::${target}_pc)
  endif()
endfunction()

# c-ares, from its static archive when linking statically.
function(fetch_find_cares)
  fetch_find_library(fetch_cares libcares>=1.16 libcares.a)
endfunction()
