cmake_minimum_required(VERSION 3.25)  # policies of today: quoted names are not variables
# Every option --help lists is documented: in the man page, in the README's options table, and
# in both completions. Run by ctest as
#   cmake -DBINARY=... -DSOURCE_DIR=... -P check_options_documented.cmake
execute_process(COMMAND ${BINARY} --help RESULT_VARIABLE status OUTPUT_VARIABLE help)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${BINARY} --help failed (${status})")
endif()
# "  -j,--concurrency N=50   ..." and "  --color,--colour WHEN...": every name of every option.
string(REGEX MATCHALL "\n  (-[-a-zA-Z0-9.,]+)" listed "${help}")
set(options)
foreach(entry IN LISTS listed)
  string(STRIP "${entry}" entry)
  string(REPLACE "," ";" names "${entry}")
  list(APPEND options ${names})
endforeach()
list(REMOVE_DUPLICATES options)
list(LENGTH options count)
if(count LESS 20)
  message(FATAL_ERROR "found only ${count} options in --help: ${options}")
endif()

file(READ ${SOURCE_DIR}/src/app/fetch.1 man)
string(REPLACE "\\-" "-" man "${man}")  # the roff spelling of a hyphen
file(READ ${SOURCE_DIR}/README.md readme)
string(REGEX MATCH "\n\\| option \\| default \\| meaning \\|.*\n\n" table "${readme}")
file(READ ${SOURCE_DIR}/src/app/fetch.bash bash)
file(READ ${SOURCE_DIR}/src/app/fetch.zsh zsh)
set(missing)
foreach(option IN LISTS options)
  # Bounded on both sides, so that --color is not found inside --colour.
  string(REPLACE "." "\\." literal "${option}")  # --http1.1
  set(pattern "(^|[^-a-zA-Z0-9])${literal}([^-a-zA-Z0-9]|$)")
  foreach(document IN ITEMS man table bash zsh)
    if(NOT "${${document}}" MATCHES "${pattern}")
      if(NOT (document STREQUAL "table" AND option MATCHES "^(-h|--help|--version)$"))
        list(APPEND missing "${option} (${document})")
      endif()
    endif()
  endforeach()
endforeach()
if(missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  message(FATAL_ERROR "options of --help not documented:\n  ${missing}")
endif()
message(STATUS "${count} options, each in the man page, the README and both completions")
