# Per-target compiler settings: warnings, no GNU extensions, optional sanitizers.
function(fetch_apply_warnings target)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 misreads the operator new/delete pair of Asio's awaitable coroutine frames
  # (GCC bug 109224, fixed in GCC 13); the pairing is correct.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(FETCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(FETCH_SANITIZE)
  # Applied globally so that every object, including GoogleTest's main, is instrumented.
  # Without the vptr check: its runtime probes memory through a pipe(2), which fails when
  # descriptors run out, as some tests make them on purpose, and then reports every
  # object as having an "invalid vptr" (a false positive; ASan still checks the memory).
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
