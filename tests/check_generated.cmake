# Checks that a generated document in the repository matches what the program prints now.
# -DCMD="prog;args" -DFILE=path
execute_process(COMMAND ${CMD} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${CMD} exited with ${rc}")
endif()
file(READ "${FILE}" expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "${FILE} is out of date: regenerate it with `${CMD} > ${FILE}`")
endif()
