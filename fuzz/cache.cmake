# Initial cache for the fuzz build: cmake -S . -B build-fuzz -C fuzz/cache.cmake
# The whole project is built with clang and instrumented for libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, so that fetch_core's code is covered and checked too. No NDEBUG
# anywhere: assertions in fetch, Asio, Beast and Boost.URL stay on.
set(CMAKE_CXX_COMPILER clang++ CACHE STRING "")
set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "")
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g" CACHE STRING "")
# -fno-sanitize=function: clang 14 cannot emit that check's prologue in split coroutine
# functions ("error: Cannot represent a difference across sections").
set(CMAKE_CXX_FLAGS
    "-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=all -fno-omit-frame-pointer"
    CACHE STRING "")
set(CMAKE_EXE_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "")
set(FETCH_FUZZ ON CACHE BOOL "")
set(FETCH_BUILD_TESTS OFF CACHE BOOL "")
# The sanitizer runtimes replace operator new and friends: keep the C++ runtime shared.
set(FETCH_STATIC_DEPS OFF CACHE BOOL "")
