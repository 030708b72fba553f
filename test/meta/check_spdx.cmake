# SPDX-License-Identifier: BSL-1.0
# Fails, naming them, if any source file lacks its SPDX licence line.

file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}
  ${SOURCE_DIR}/include/*.hpp ${SOURCE_DIR}/src/*.cpp
  ${SOURCE_DIR}/test/*.cpp ${SOURCE_DIR}/test/*.hpp ${SOURCE_DIR}/test/*.cmake ${SOURCE_DIR}/test/*CMakeLists.txt
  ${SOURCE_DIR}/example/*.cpp ${SOURCE_DIR}/example/*.hpp ${SOURCE_DIR}/example/*CMakeLists.txt
  ${SOURCE_DIR}/bench/*.cpp ${SOURCE_DIR}/bench/*.hpp ${SOURCE_DIR}/bench/*.py ${SOURCE_DIR}/bench/CMakeLists.txt
  ${SOURCE_DIR}/scripts/* ${SOURCE_DIR}/cmake/* ${SOURCE_DIR}/docs/* ${SOURCE_DIR}/.ci/run
  ${SOURCE_DIR}/CMakeLists.txt)
set(missing "")
foreach(f IN LISTS files)
  if(f MATCHES "\\.(md|svg|txt\\.in|html)$" AND NOT f MATCHES "CMakeLists\\.txt$")
    continue()
  endif()
  file(READ ${SOURCE_DIR}/${f} head LIMIT 200)
  if(NOT head MATCHES "SPDX-License-Identifier: BSL-1\\.0")
    list(APPEND missing ${f})
  endif()
endforeach()
list(LENGTH files count)
if(missing)
  list(JOIN missing "\n  " text)
  message(FATAL_ERROR "no SPDX-License-Identifier line in:\n  ${text}")
endif()
message(STATUS "SPDX line present in all ${count} source files")
