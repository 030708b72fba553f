# SPDX-License-Identifier: BSL-1.0
# Builds test/install's consumer against awaitify, installed (MODE=find_package
# or, with nothing but `pkg-config --cflags --libs`, MODE=pkg_config) or as a
# subdirectory (MODE=add_subdirectory), and runs it. FLAVOUR=standalone uses
# awaitify::awaitify_standalone on the standalone Asio in ASIO_INCLUDE_DIR,
# with Boost not findable, and checks that no file of the consumer's or of
# the library's build included a Boost header.

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()

# Ninja records every header each object included.
function(check_boost_free build_dir)
  if(NOT GENERATOR MATCHES "Ninja")
    return()
  endif()
  execute_process(COMMAND ninja -C ${build_dir} -t deps OUTPUT_VARIABLE deps RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR deps STREQUAL "")
    message(FATAL_ERROR "no dependency record in ${build_dir}")
  endif()
  if(deps MATCHES "[^\n]*/boost/[^\n]*")
    message(FATAL_ERROR "the standalone flavour's build in ${build_dir} included a Boost header: ${CMAKE_MATCH_0}")
  endif()
endfunction()

if(NOT FLAVOUR)
  set(FLAVOUR boost)
endif()
set(flavour_args "")
if(FLAVOUR STREQUAL "standalone")
  set(flavour_args -DAWAITIFY_ASIO_INCLUDE_DIR=${ASIO_INCLUDE_DIR} -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON)
endif()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer_args -S ${SOURCE_DIR}/test/install -B ${WORK_DIR}/consumer -G ${GENERATOR}
  -DCMAKE_BUILD_TYPE=Release -DAWAITIFY_CONSUMER_FLAVOUR=${FLAVOUR} ${flavour_args})

if(MODE STREQUAL "find_package" OR MODE STREQUAL "pkg_config")
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/awaitify -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix
    -DAWAITIFY_BUILD_TESTS=OFF -DAWAITIFY_BUILD_EXAMPLES=OFF -DAWAITIFY_BUILD_BENCHMARKS=OFF
    -DAWAITIFY_BUILD_DOCS=OFF -DAWAITIFY_INSTALL=ON ${flavour_args})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/awaitify)
  run(${CMAKE_COMMAND} --install ${WORK_DIR}/awaitify)
  if(FLAVOUR STREQUAL "standalone")
    check_boost_free(${WORK_DIR}/awaitify)
  endif()
endif()

if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} ${consumer_args} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
elseif(MODE STREQUAL "add_subdirectory")
  run(${CMAKE_COMMAND} ${consumer_args}
    -DAWAITIFY_CONSUMER_MODE=add_subdirectory -DAWAITIFY_SOURCE_DIR=${SOURCE_DIR})
elseif(MODE STREQUAL "pkg_config")
  set(package awaitify)
  if(FLAVOUR STREQUAL "standalone")
    set(package awaitify_standalone)
  endif()
  file(GLOB pc_dirs ${WORK_DIR}/prefix/*/pkgconfig ${WORK_DIR}/prefix/*/*/pkgconfig)
  set(ENV{PKG_CONFIG_PATH} "${pc_dirs}")
  execute_process(COMMAND pkg-config --cflags --libs ${package}
    OUTPUT_VARIABLE pc_flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs ${package} failed (${rc}) in ${pc_dirs}")
  endif()
  separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
  file(MAKE_DIRECTORY ${WORK_DIR}/consumer)
  run(${CXX} -std=c++20 -MD -MF ${WORK_DIR}/consumer/consumer.d ${SOURCE_DIR}/test/install/consumer.cpp ${pc_flags}
    -o ${WORK_DIR}/consumer/consumer)
  if(FLAVOUR STREQUAL "standalone")
    file(READ ${WORK_DIR}/consumer/consumer.d deps)
    if(deps MATCHES "/boost/")
      message(FATAL_ERROR "the pkg-config consumer of the standalone flavour included a Boost header")
    endif()
  endif()
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

if(NOT MODE STREQUAL "pkg_config")
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
  if(FLAVOUR STREQUAL "standalone")
    check_boost_free(${WORK_DIR}/consumer)
  endif()
endif()
execute_process(COMMAND ${WORK_DIR}/consumer/consumer OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "consumer: 6 \\(errors: ok\\)")
  message(FATAL_ERROR "consumer failed (${rc}): ${out}")
endif()
message(STATUS "consumer via ${MODE}, ${FLAVOUR} flavour: ${out}")
