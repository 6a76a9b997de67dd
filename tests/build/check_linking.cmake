# Fails when the fetch binary loads a shared library that FETCH_STATIC_DEPS (and
# FETCH_STATIC_OPENSSL) promise to link in statically. Run by ctest as
#   cmake -DBINARY=... -DSTATIC_DEPS=ON|OFF -DSTATIC_OPENSSL=ON|OFF -P check_linking.cmake
execute_process(COMMAND ldd ${BINARY} OUTPUT_VARIABLE loaded RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "ldd ${BINARY} failed (${status})")
endif()
set(forbidden)
if(STATIC_DEPS)
  list(APPEND forbidden libstdc\\+\\+ libgcc_s libboost_ libcares libfmt libz libbrotli libzstd libnghttp2)
endif()
if(STATIC_OPENSSL)
  list(APPEND forbidden libssl libcrypto)
endif()
foreach(library IN LISTS forbidden)
  if(loaded MATCHES "${library}[^ ]*\\.so")
    message(FATAL_ERROR "${BINARY} loads ${CMAKE_MATCH_0} although it should be linked "
                        "statically:\n${loaded}")
  endif()
endforeach()
message(STATUS "shared libraries of ${BINARY}:\n${loaded}")
