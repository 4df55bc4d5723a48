# Checks the direction of dependencies between components (docs/ARCHITECTURE.md,
# "Components and their direction") in every #include of the product's sources.
#
#   cmake -DROOT=<source tree> [-DSTAMP=<file>] -P cmake/CheckIncludeDirection.cmake
#
# Every target includes from the project root, so the compiler alone would let
# common/ include daemon/. This script is the rule instead: the build runs it
# (a custom command every library depends on, rerun whenever a source changes),
# and a violation stops the build with `file:line: message`. Tests, fuzz
# harnesses and benchmarks may include anything and are not scanned.
#
# Quoted includes "<component>/..." a folder may use (longest folder wins):
#   common/         common
#   redis/          common redis
#   directory/      common redis directory
#   gateway/        common gateway
#   daemon/engine/  common directory daemon/engine   (the engine does no I/O)
#   daemon/         everything above
# Third-party headers kept behind one component:
#   <hiredis/...>   redis/ only
#   <openssl/...>   common/crypto.cc only (the one OpenSSL wrapper)
# On success, STAMP (if given) is touched so the build can depend on it.

cmake_minimum_required(VERSION 3.25)
if(NOT ROOT)
  message(FATAL_ERROR "CheckIncludeDirection: -DROOT=<source tree> is required")
endif()

# folder -> allowed quoted prefixes
set(_folders daemon/engine daemon gateway directory redis common)
set(_allow_daemon/engine common directory daemon/engine)
set(_allow_daemon common redis directory gateway daemon)
set(_allow_gateway common gateway)
set(_allow_directory common redis directory)
set(_allow_redis common redis)
set(_allow_common common)
set(_components common redis directory gateway daemon)

set(_violations "")
foreach(top common redis directory gateway daemon)
  file(GLOB_RECURSE _sources RELATIVE "${ROOT}" "${ROOT}/${top}/*.cc" "${ROOT}/${top}/*.h")
  foreach(rel ${_sources})
    # The folder this file belongs to: the longest listed prefix.
    set(folder "")
    foreach(f ${_folders})
      string(LENGTH "${f}/" _len)
      string(SUBSTRING "${rel}" 0 ${_len} _head)
      if(_head STREQUAL "${f}/")
        set(folder "${f}")
        break()
      endif()
    endforeach()
    file(STRINGS "${ROOT}/${rel}" _lines REGEX "^[ \t]*#[ \t]*include")
    file(STRINGS "${ROOT}/${rel}" _all)
    foreach(line ${_lines})
      set(_what "")
      if(line MATCHES "#[ \t]*include[ \t]*\"([a-z_]+)/([a-z_]+/)?")
        set(_first "${CMAKE_MATCH_1}")
        set(_second "${CMAKE_MATCH_2}")
        if(_first IN_LIST _components)
          set(_target "${_first}")
          if(_first STREQUAL "daemon" AND _second STREQUAL "engine/")
            set(_target "daemon/engine")
          endif()
          set(_ok FALSE)
          foreach(a ${_allow_${folder}})
            if(_target STREQUAL a OR (a STREQUAL "daemon" AND _target STREQUAL "daemon/engine"))
              set(_ok TRUE)
            endif()
          endforeach()
          if(NOT _ok)
            set(_what "${folder}/ may not include ${_target}/ (allowed: ${_allow_${folder}})")
          endif()
        endif()
      elseif(line MATCHES "#[ \t]*include[ \t]*<hiredis/" AND NOT folder STREQUAL "redis")
        set(_what "hiredis is private to redis/")
      elseif(line MATCHES "#[ \t]*include[ \t]*<openssl/" AND NOT rel STREQUAL "common/crypto.cc")
        set(_what "OpenSSL is included only by common/crypto.cc (the one wrapper)")
      endif()
      if(_what)
        # The line number: the first line equal to this include.
        list(FIND _all "${line}" _index)
        math(EXPR _number "${_index} + 1")
        string(APPEND _violations "${rel}:${_number}: ${_what}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(_violations)
  message(FATAL_ERROR "include direction (docs/ARCHITECTURE.md):\n${_violations}")
endif()
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
