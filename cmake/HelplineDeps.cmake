# Third-party dependencies, all from Debian 12 packages (see scripts/setup).
# Each becomes an IMPORTED target so that our targets link only what they may use.
find_package(PkgConfig REQUIRED)

# hiredis 0.14.1: its CMake config is unusable; pkg-config works.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis>=0.14)

# RapidJSON is header-only. Schema patterns must use std::regex (the internal
# engine silently ignores \d and friends); this must be the same in every TU.
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
add_library(helpline_rapidjson INTERFACE)
target_include_directories(helpline_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
target_compile_definitions(helpline_rapidjson INTERFACE RAPIDJSON_SCHEMA_USE_INTERNALREGEX=0 RAPIDJSON_HAS_STDSTRING=1)

# libphonenumber ships no CMake config and no pkg-config file.
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
find_library(GEOCODING_LIBRARY geocoding REQUIRED)
add_library(helpline_phonenumber INTERFACE)
target_include_directories(helpline_phonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})
target_link_libraries(helpline_phonenumber INTERFACE ${GEOCODING_LIBRARY} ${PHONENUMBER_LIBRARY} ICU::i18n ICU::uc)

find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)

# Boost.Asio and Beast are header-only in Boost 1.74.
find_package(Boost 1.74 REQUIRED)

# libcurl: outbound sends (and the tests' HTTP client). FindCURL gives CURL::libcurl.
find_package(CURL REQUIRED)

# jemalloc 5.3 (Debian's libjemalloc-dev; the package then depends on
# libjemalloc2): the daemon's allocator in optimised builds. A signed
# webhook makes about 35 allocations; under glibc's malloc they were 7.5% of
# the daemon's instructions more than under jemalloc (docs/BENCHMARKS.md,
# rounds 4 and 6). Only the `helpline` executable links it (daemon/CMakeLists.txt);
# libraries and test binaries keep glibc's. Off by default in sanitizer and
# fuzzing builds (ASan and UBSan bring their own allocator) and in Debug
# builds; configure with -DHELPLINE_JEMALLOC=OFF for a valgrind memcheck run
# (memcheck sees only glibc's heap).
if(HELPLINE_SANITIZE OR HELPLINE_FUZZ OR CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(HELPLINE_JEMALLOC_DEFAULT OFF)
else()
  set(HELPLINE_JEMALLOC_DEFAULT ON)
endif()
option(HELPLINE_JEMALLOC "Link the helpline executable against jemalloc" ${HELPLINE_JEMALLOC_DEFAULT})
if(HELPLINE_JEMALLOC)
  if(HELPLINE_SANITIZE OR HELPLINE_FUZZ)
    message(FATAL_ERROR "HELPLINE_JEMALLOC cannot be combined with HELPLINE_SANITIZE or HELPLINE_FUZZ")
  endif()
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc>=5)
endif()
