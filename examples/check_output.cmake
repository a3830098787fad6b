# Runs PROGRAM (with the arguments in the list ARGS) and checks that it exits with 0 and that its standard output matches
# every regular expression in the list EXPECTED. Square brackets in it must be balanced,
# or CMake does not split the list at the semicolons after them.
execute_process(COMMAND "${PROGRAM}" ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} exited with ${rc}")
endif()
foreach(regex IN LISTS EXPECTED)
    if(NOT out MATCHES "${regex}")
        message(FATAL_ERROR "the output does not match: ${regex}")
    endif()
endforeach()
