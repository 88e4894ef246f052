# Fails when the suites compiled into cascade-tests differ from the ctest list in CMakeLists.txt,
# so that a suite added to one list and forgotten in the other cannot silently stop running.
execute_process(COMMAND ${RUNNER} --list OUTPUT_VARIABLE listed RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cascade-tests --list failed: ${rc}")
endif()
string(STRIP "${listed}" listed)
string(REPLACE "\n" ";" listed "${listed}")
if(NOT "${listed}" STREQUAL "${EXPECTED}")
  message(FATAL_ERROR "suite lists differ:\n  runner: ${listed}\n  ctest:  ${EXPECTED}")
endif()
