# crossview_library(NAME SOURCES ... DEPS ... [TORCH])
#   One static library per folder under src/crossview. TORCH marks a target that includes
#   libtorch headers: it reuses the shared precompiled torch header.
function(crossview_library name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS" ${ARGN})
  add_library(crossview_${name} STATIC ${ARG_SOURCES})
  add_library(crossview::${name} ALIAS crossview_${name})
  target_include_directories(crossview_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(crossview_${name} PUBLIC ${ARG_DEPS})
  crossview_warnings(crossview_${name})
  if(ARG_TORCH)
    crossview_use_torch_pch(crossview_${name})
  endif()
endfunction()

# crossview_test(NAME SOURCES ... DEPS ... [TORCH] [LABELS ...])
#   A GoogleTest executable registered with CTest (one CTest entry per TEST()).
function(crossview_test name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT CROSSVIEW_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} crossview::testing GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    CROSSVIEW_SHARED_DIR="${CROSSVIEW_SHARED_DIR}"
    CROSSVIEW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CROSSVIEW_BINARY_DIR="${PROJECT_BINARY_DIR}")
  crossview_warnings(${name})
  if(ARG_TORCH)
    crossview_use_torch_pch(${name})
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120
    PROPERTIES LABELS "${ARG_LABELS}" ENVIRONMENT "CROSSVIEW_TEST_TMP=${PROJECT_BINARY_DIR}/test_tmp")
endfunction()

function(crossview_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# One precompiled libtorch header, built once and reused by every torch target.
function(crossview_use_torch_pch target)
  if(NOT TARGET crossview_torch_pch)
    message(FATAL_ERROR "crossview_torch_pch must be defined before ${target}")
  endif()
  target_link_libraries(${target} PUBLIC crossview_torch_pch)
  target_precompile_headers(${target} REUSE_FROM crossview_torch_pch)
endfunction()
