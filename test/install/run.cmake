# SPDX-License-Identifier: BSL-1.0
# Builds test/install's consumer against awaitify, installed (MODE=find_package)
# or as a subdirectory (MODE=add_subdirectory), and runs it.

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(consumer_args -S ${SOURCE_DIR}/test/install -B ${WORK_DIR}/consumer -G ${GENERATOR}
  -DCMAKE_BUILD_TYPE=Release)

if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/awaitify -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix
    -DAWAITIFY_BUILD_TESTS=OFF -DAWAITIFY_BUILD_EXAMPLES=OFF -DAWAITIFY_INSTALL=ON)
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/awaitify)
  run(${CMAKE_COMMAND} --install ${WORK_DIR}/awaitify)
  run(${CMAKE_COMMAND} ${consumer_args} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
elseif(MODE STREQUAL "add_subdirectory")
  run(${CMAKE_COMMAND} ${consumer_args}
    -DAWAITIFY_CONSUMER_MODE=add_subdirectory -DAWAITIFY_SOURCE_DIR=${SOURCE_DIR})
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
execute_process(COMMAND ${WORK_DIR}/consumer/consumer OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "consumer: 6")
  message(FATAL_ERROR "consumer failed (${rc}): ${out}")
endif()
message(STATUS "consumer via ${MODE}: ${out}")
