# Driver of the install_consumer test (cmake -P). Every step must succeed.
#   QGB_BUILD_DIR     the QGobridge build tree to install
#   QGB_CONSUMER_DIR  the consumer project's sources
#   QGB_WORK_DIR      scratch directory (emptied first)
#   QGB_CONFIG, QGB_GENERATOR, QGB_MAKE_PROGRAM, QGB_CXX_COMPILER, QGB_QT6_DIR,
#   QGB_SANITIZE (comma-separated), QGB_INSTALL_LIBDIR  copied from the QGobridge build
#   QGB_QML           1 if the QML module GoBridge was built: then its installed files,
#                     a C++ consumer of QGobridge::Qml and, with QGB_QMLTESTRUNNER, a
#                     QML test that imports the installed GoBridge are checked too
#   QGB_INSTALL_QMLDIR  where GoBridge is installed, relative to the prefix
cmake_minimum_required(VERSION 3.21)

set(prefix "${QGB_WORK_DIR}/prefix")
set(consumer_build "${QGB_WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${QGB_WORK_DIR}")
file(MAKE_DIRECTORY "${QGB_WORK_DIR}")

function(run_step name)
    message(STATUS "install_consumer: ${name}")
    execute_process(COMMAND ${ARGN}
        RESULT_VARIABLE rc
        OUTPUT_VARIABLE output
        ERROR_VARIABLE output)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "install_consumer: ${name} failed (${rc}):\n${output}")
    endif()
    set(step_output "${output}" PARENT_SCOPE)
endfunction()

# 1. Install the build into a scratch prefix.
set(config_args "")
if(QGB_CONFIG)
    set(config_args --config "${QGB_CONFIG}")
endif()
run_step("cmake --install" "${CMAKE_COMMAND}" --install "${QGB_BUILD_DIR}"
    --prefix "${prefix}" ${config_args})

# 2. The installed tree holds the headers, the CMake package and the Python package.
foreach(path IN ITEMS
        "include/QGobridge/QGbPool"
        "include/QGobridge/impl/qgbpool_impl.h"
        "${QGB_INSTALL_LIBDIR}/cmake/QGobridge/QGobridgeConfig.cmake"
        "share/qgobridge/python/gobridge/__init__.py"
        "share/qgobridge/python/gobridge/__pycache__")
    if(NOT EXISTS "${prefix}/${path}")
        message(FATAL_ERROR "install_consumer: ${prefix}/${path} was not installed")
    endif()
endforeach()

if(QGB_QML)
    foreach(path IN ITEMS
            "include/QGobridge/QGbQmlPool"
            "${QGB_INSTALL_QMLDIR}/GoBridge/qmldir"
            "${QGB_INSTALL_QMLDIR}/GoBridge/plugins.qmltypes"
            "${QGB_INSTALL_QMLDIR}/GoBridge/libQGobridgeQmlplugin.so"
            "${QGB_INSTALL_LIBDIR}/cmake/QGobridge/QGobridgeQmlTargets.cmake")
        if(NOT EXISTS "${prefix}/${path}")
            message(FATAL_ERROR "install_consumer: ${prefix}/${path} was not installed")
        endif()
    endforeach()
endif()

# 3. Configure and build the consumer against the installed tree only.
set(configure_args
    -S "${QGB_CONSUMER_DIR}" -B "${consumer_build}"
    -G "${QGB_GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${QGB_CXX_COMPILER}")
if(QGB_QT6_DIR)
    list(APPEND configure_args "-DQt6_DIR=${QGB_QT6_DIR}")
endif()
if(QGB_MAKE_PROGRAM)
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${QGB_MAKE_PROGRAM}")
endif()
if(QGB_CONFIG)
    list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${QGB_CONFIG}")
endif()
if(QGB_SANITIZE)
    # A library built with sanitizers needs their runtime in the program too.
    list(APPEND configure_args
        "-DCMAKE_CXX_FLAGS=-fsanitize=${QGB_SANITIZE}"
        "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${QGB_SANITIZE}")
endif()
if(QGB_QML)
    list(APPEND configure_args "-DCONSUMER_WITH_QML=ON")
endif()
run_step("configure consumer" "${CMAKE_COMMAND}" ${configure_args})
run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})

# 4. Run it with no hint where the Python package is: the installed library finds the
#    package installed beside it.
unset(ENV{PYTHONPATH})
unset(ENV{QGOBRIDGE_PYTHON_DIR})
find_program(consumer_exe consumer
    PATHS "${consumer_build}" "${consumer_build}/${QGB_CONFIG}" NO_DEFAULT_PATH REQUIRED)
run_step("run consumer" "${consumer_exe}")
message(STATUS "install_consumer: consumer printed:\n${step_output}")

if(NOT step_output MATCHES "(^|\n)7\r?\n")
    message(FATAL_ERROR "install_consumer: the consumer did not print 7")
endif()
file(REAL_PATH "${prefix}/share/qgobridge/python/gobridge/__init__.py" expected_package)
string(FIND "${step_output}" "gobridge: ${expected_package}" at)
if(at EQUAL -1)
    message(FATAL_ERROR
        "install_consumer: the worker did not import the installed package ${expected_package}")
endif()

# 5. The QML module: a C++ consumer of QGobridge::Qml (find_package(... COMPONENTS
#    Qml)), then a QML test that imports GoBridge from the installed tree only
#    (its plugin finds the libraries through its RUNPATH).
if(QGB_QML)
    find_program(consumer_qml_exe consumer_qml
        PATHS "${consumer_build}" "${consumer_build}/${QGB_CONFIG}" NO_DEFAULT_PATH REQUIRED)
    run_step("run consumer_qml" "${consumer_qml_exe}")
    if(NOT step_output MATCHES "(^|\n)GbPool: 7\r?\n")
        message(FATAL_ERROR "install_consumer: consumer_qml did not print 'GbPool: 7':\n${step_output}")
    endif()
    if(QGB_QMLTESTRUNNER)
        set(ENV{QT_QPA_PLATFORM} offscreen)
        unset(ENV{QML_IMPORT_PATH})
        unset(ENV{QML2_IMPORT_PATH})
        run_step("qmltestrunner on the installed GoBridge" "${QGB_QMLTESTRUNNER}"
            -import "${prefix}/${QGB_INSTALL_QMLDIR}"
            -input "${QGB_CONSUMER_DIR}/tst_installed_gobridge.qml")
        message(STATUS "install_consumer: qmltestrunner printed:\n${step_output}")
    else()
        message(STATUS "install_consumer: no qmltestrunner, the QML test is skipped")
    endif()
endif()
message(STATUS "install_consumer: passed (QML module checked: ${QGB_QML})")
