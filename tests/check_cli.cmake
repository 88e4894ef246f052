# Runs one `cascade` command line and checks its exit code and (optionally) a regular expression in its output.
#   cmake -DCMD="path;arg;arg" -DEXPECT_RC=2 -DEXPECT_OUT="regex" -P check_cli.cmake
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_RC}\nstdout: ${out}\nstderr: ${err}")
endif()
if(DEFINED EXPECT_OUT AND NOT "${out}${err}" MATCHES "${EXPECT_OUT}")
  message(FATAL_ERROR "output does not match '${EXPECT_OUT}'\nstdout: ${out}\nstderr: ${err}")
endif()
