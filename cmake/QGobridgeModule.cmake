# qgb_add_module(): one QGobridge module (Core, Qml, ...) in one call.
#
#   qgb_add_module(<Name>
#       SOURCES <.cpp and private _p.h files>
#       PUBLIC_HEADERS <installed headers>
#       IMPL_HEADERS <installed detail headers>   # what the public headers' templates
#                                                 # need; installed under QGobridge/impl/
#       FORWARDING_HEADERS <Class:header.h> ...   # camel-case headers: #include <QGbPool>
#       LINK_PUBLIC <targets> LINK_PRIVATE <targets>)
#
# Makes:
#   - the shared library QGobridge<Name>, alias QGobridge::<Name>, built with
#     QGOBRIDGE_BUILD_<NAME> defined (the module's export macro exports then);
#   - QGobridge::<Name>Private, an interface target for code of this project
#     (tests, the inspector, other modules) that uses the module's _p.h
#     classes: it links the library and adds its source directory;
#   - install rules for the library, its headers and the export set
#     QGobridge<Name>Targets.cmake, read by find_package(QGobridge COMPONENTS <Name>).
include_guard(GLOBAL)
include(GNUInstallDirs)

if(NOT QGOBRIDGE_INCLUDE_DIR)
    set(QGOBRIDGE_INCLUDE_DIR "${PROJECT_BINARY_DIR}/include")
endif()

function(qgb_add_module name)
    cmake_parse_arguments(PARSE_ARGV 1 arg ""  ""
        "SOURCES;PUBLIC_HEADERS;IMPL_HEADERS;FORWARDING_HEADERS;LINK_PUBLIC;LINK_PRIVATE")
    set(target QGobridge${name})
    string(TOUPPER "${name}" upper)

    set(fwd_dir "${QGOBRIDGE_INCLUDE_DIR}/QGobridge")
    set(fwd_files "")
    foreach(pair IN LISTS arg_FORWARDING_HEADERS)
        string(REPLACE ":" ";" pair "${pair}")
        list(GET pair 0 class)
        list(GET pair 1 header)
        file(CONFIGURE OUTPUT "${fwd_dir}/${class}" CONTENT "#include \"${header}\"\n")
        list(APPEND fwd_files "${fwd_dir}/${class}")
    endforeach()

    add_library(${target} SHARED ${arg_PUBLIC_HEADERS} ${arg_IMPL_HEADERS} ${arg_SOURCES})
    add_library(QGobridge::${name} ALIAS ${target})
    target_compile_definitions(${target} PRIVATE
        QGOBRIDGE_BUILD_${upper}
        QT_NO_CAST_FROM_ASCII
        QT_NO_CAST_TO_ASCII
        QT_NO_URL_CAST_FROM_STRING
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT)
    target_include_directories(${target} PUBLIC
        "$<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>"
        "$<BUILD_INTERFACE:${fwd_dir}>"
        "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/QGobridge>")
    target_link_libraries(${target} PUBLIC ${arg_LINK_PUBLIC} PRIVATE ${arg_LINK_PRIVATE})
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME ${target}
        EXPORT_NAME ${name}
        VERSION ${PROJECT_VERSION}
        SOVERSION ${PROJECT_VERSION_MAJOR}
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON)
    target_compile_options(${target} PRIVATE -Wall -Wextra)

    add_library(${target}Private INTERFACE)
    add_library(QGobridge::${name}Private ALIAS ${target}Private)
    target_link_libraries(${target}Private INTERFACE ${target})
    target_include_directories(${target}Private INTERFACE
        "$<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>")

    install(TARGETS ${target} EXPORT QGobridge${name}Targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(FILES ${arg_PUBLIC_HEADERS} ${fwd_files}
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/QGobridge)
    if(arg_IMPL_HEADERS)
        install(FILES ${arg_IMPL_HEADERS}
            DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/QGobridge/impl)
    endif()
    install(EXPORT QGobridge${name}Targets
        NAMESPACE QGobridge::
        FILE QGobridge${name}Targets.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/QGobridge)
    set_property(GLOBAL APPEND PROPERTY QGOBRIDGE_MODULES ${name})
endfunction()
