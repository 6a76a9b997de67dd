cmake_minimum_required(VERSION 3.25)  # policies of today: quoted names are not variables
# Installs the build into a fresh PREFIX and checks what lands there. Run by ctest as
#   cmake -DBUILD_DIR=... -DPREFIX=... -DBINDIR=bin -DMANDIR=share/man -DDATADIR=share
#         -P check_install.cmake
# (the last three: the GNUInstallDirs directories the install rules use, relative to PREFIX)
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${status}):\n${out}")
endif()

set(binary ${PREFIX}/${BINDIR}/fetch)
set(man_page ${PREFIX}/${MANDIR}/man1/fetch.1)
set(bash_completion ${PREFIX}/${DATADIR}/bash-completion/completions/fetch)
set(zsh_completion ${PREFIX}/${DATADIR}/zsh/site-functions/_fetch)
foreach(path IN ITEMS ${binary} ${man_page} ${bash_completion} ${zsh_completion})
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "cmake --install did not install ${path}:\n${out}")
  endif()
endforeach()

execute_process(COMMAND ${binary} --version RESULT_VARIABLE status OUTPUT_VARIABLE version)
if(NOT status EQUAL 0 OR NOT version MATCHES "^fetch [0-9]")
  message(FATAL_ERROR "the installed ${binary} does not run: ${status} ${version}")
endif()

# The man page: rendered by groff with every warning on, and by man itself, when they are
# installed; else at least well-formed (every request line a known man macro).
find_program(GROFF groff)
find_program(MAN man)
if(GROFF)
  execute_process(COMMAND ${GROFF} -man -Tutf8 -ww -z ${man_page}
                  RESULT_VARIABLE status ERROR_VARIABLE warnings)
  if(NOT status EQUAL 0 OR NOT warnings STREQUAL "")
    message(FATAL_ERROR "groff finds fault with ${man_page}:\n${warnings}")
  endif()
endif()
if(MAN)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env MANWIDTH=80 ${MAN} -l ${man_page}
                  RESULT_VARIABLE status OUTPUT_VARIABLE rendered ERROR_VARIABLE warnings)
  if(NOT status EQUAL 0 OR NOT rendered MATCHES "SYNOPSIS" OR NOT rendered MATCHES "EXAMPLES")
    message(FATAL_ERROR "man -l ${man_page} failed (${status}):\n${warnings}${rendered}")
  endif()
endif()
file(STRINGS ${man_page} requests REGEX "^[.']")
set(known_macros TH SH SS PP IP TP RS RE B I BR BI IB RB IR RI nf fi nh)
foreach(line IN LISTS requests)
  if(line MATCHES "^[.']\\\\\"")
    continue()  # a comment
  endif()
  string(REGEX MATCH "^[.']([^ ]*)" _ "${line}")
  list(FIND known_macros "${CMAKE_MATCH_1}" known)
  if(known EQUAL -1)
    message(FATAL_ERROR "${man_page}: unknown request '${CMAKE_MATCH_1}' in: ${line}")
  endif()
endforeach()

# The bash completion, sourced and asked as bash asks it.
find_program(BASH bash)
if(BASH)
  execute_process(
    COMMAND ${BASH} --norc -c "source '${bash_completion}' && complete -p fetch &&
      COMP_WORDS=(fetch --outp) COMP_CWORD=1 && _fetch && echo \"[\${COMPREPLY[*]}]\" &&
      COMP_WORDS=(fetch --format t) COMP_CWORD=2 && _fetch && echo \"[\${COMPREPLY[*]}]\""
    RESULT_VARIABLE status OUTPUT_VARIABLE completed ERROR_VARIABLE errors)
  if(NOT status EQUAL 0 OR NOT completed MATCHES "\\[--output-dir\\]"
     OR NOT completed MATCHES "\\[text tsv\\]")
    message(FATAL_ERROR "the bash completion does not complete (${status}):\n${completed}${errors}")
  endif()
endif()
# zsh is seldom installed where this runs: its completion is at least a completion function.
file(READ ${zsh_completion} zsh)
if(NOT zsh MATCHES "^#compdef fetch\n")
  message(FATAL_ERROR "${zsh_completion} does not start with #compdef fetch")
endif()
find_program(ZSH zsh)
if(ZSH)
  execute_process(COMMAND ${ZSH} -n ${zsh_completion} RESULT_VARIABLE status ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "zsh -n ${zsh_completion}:\n${errors}")
  endif()
  # Completed as a user would: a TAB typed into an interactive zsh.
  get_filename_component(site_functions ${zsh_completion} DIRECTORY)
  foreach(typed_expected IN ITEMS "fetch --outp|fetch --output-dir" "fetch --format j|fetch --format json"
                                  "fetch -w '%{time_st|fetch -w '%{time_starttransfer}")
    string(REPLACE "|" ";" pair "${typed_expected}")
    list(GET pair 0 typed)
    list(GET pair 1 expected)
    execute_process(COMMAND ${ZSH} -f ${CMAKE_CURRENT_LIST_DIR}/zsh_completes.zsh ${site_functions}
                            "${typed}"
                    TIMEOUT 20 RESULT_VARIABLE status OUTPUT_VARIABLE screen ERROR_VARIABLE errors)
    string(FIND "${screen}" "${expected}" found)
    if(NOT status EQUAL 0 OR found EQUAL -1)
      message(FATAL_ERROR "zsh does not complete '${typed}' to '${expected}' (${status}):\n"
                          "${screen}${errors}")
    endif()
  endforeach()
endif()
message(STATUS "installed into ${PREFIX}: ${binary}, ${man_page}, ${bash_completion}, "
               "${zsh_completion}")
