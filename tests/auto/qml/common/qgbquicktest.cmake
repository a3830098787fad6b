# qgb_add_quick_test(<name>): a Qt Quick Test suite of the tst_*.qml files in
# the calling directory, run by qgbquicktestmain.cpp against real Python
# workers (qmlworker.py), registered in CTest. Included by each topic's
# CMakeLists.txt (imported targets are per directory, so no include guard).

find_package(Qt6 ${QT_MIN_VERSION} REQUIRED COMPONENTS Quick QuickTest)
set(QGB_QML_TEST_SHARED_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(_qgb_sanitized 0)
if(QGOBRIDGE_SANITIZE)
    set(_qgb_sanitized 1)
endif()

#   qgb_add_quick_test(<name> [RESOURCES <files>...])
# RESOURCES are compiled in under qrc:/tests/.
function(qgb_add_quick_test name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "RESOURCES")
    add_executable(${name} "${QGB_QML_TEST_SHARED_DIR}/qgbquicktestmain.cpp")
    if(arg_RESOURCES)
        foreach(file IN LISTS arg_RESOURCES)
            get_filename_component(alias "${file}" NAME)
            set_source_files_properties("${file}" PROPERTIES QT_RESOURCE_ALIAS "${alias}")
        endforeach()
        qt_add_resources(${name} "${name}_resources" PREFIX /tests FILES ${arg_RESOURCES})
    endif()
    target_link_libraries(${name} PRIVATE QGobridge::Qml Qt6::Quick Qt6::QuickTest)
    # qgbtestcerts.h, for the served workers of the remote pool tests.
    target_include_directories(${name} PRIVATE "${QGB_TEST_SHARED_DIR}")
    target_compile_definitions(${name} PRIVATE
        QGB_QUICK_TEST_NAME="${name}"
        QUICK_TEST_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
        QGB_QML_IMPORT_DIR="${QGOBRIDGE_QML_OUTPUT_DIR}"
        QGB_QML_WORKER="${QGB_QML_TEST_SHARED_DIR}/qmlworker.py"
        QGB_PYTHON_DIR="${QGOBRIDGE_PYTHON_SOURCE_DIR}"
        QGB_SANITIZED=${_qgb_sanitized})
    # The tests import GoBridge from the build tree: its plugin must be built.
    add_dependencies(${name} QGobridgeQmlplugin)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_QUICK_BACKEND=software"
        TIMEOUT 300)
endfunction()
