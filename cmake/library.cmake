# library.cmake - libhf2gguf, from HF2GGUF_LIB_SOURCES (CMakeLists.txt).
#
# The sources are compiled once (hf2gguf_objects) and packed twice:
#   hf2gguf_core    libhf2gguf.a: what the command line, the tests and the
#                   tools link (they may use src/'s private headers); installed
#                   when HF2GGUF_BUILD_STATIC.
#   hf2gguf_shared  libhf2gguf.so.MAJOR.MINOR (SONAME libhf2gguf.so.MAJOR.MINOR
#                   while the major version is 0, as every 0.x release may
#                   change the ABI), exporting only the public API (the
#                   version script cmake/exports.cmake writes).
include(GNUInstallDirs)
include(cmake/exports.cmake)

# The git revision --version names, refreshed at every build (cmake/revision.cmake).
set(HF2GGUF_REVISION_SOURCE ${PROJECT_BINARY_DIR}/generated/revision.c)
add_custom_target(hf2gguf_revision
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${HF2GGUF_REVISION_SOURCE}
          -DREV=${HF2GGUF_GIT_REVISION} -P ${PROJECT_SOURCE_DIR}/cmake/revision.cmake
  BYPRODUCTS ${HF2GGUF_REVISION_SOURCE}
  COMMENT "" VERBATIM)

add_library(hf2gguf_objects OBJECT ${HF2GGUF_LIB_SOURCES} ${HF2GGUF_REVISION_SOURCE})
add_dependencies(hf2gguf_objects hf2gguf_revision)
set_target_properties(hf2gguf_objects PROPERTIES POSITION_INDEPENDENT_CODE ${HF2GGUF_BUILD_SHARED})
target_include_directories(hf2gguf_objects PRIVATE include src)
target_compile_definitions(hf2gguf_objects PRIVATE HF2GGUF_VERSION="${PROJECT_VERSION}")
target_link_libraries(hf2gguf_objects PRIVATE PkgConfig::CJSON PkgConfig::ZLIB
                      PkgConfig::LIBARCHIVE PkgConfig::YAML Threads::Threads)

set(HF2GGUF_PUBLIC_INCLUDE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

add_library(hf2gguf_core STATIC $<TARGET_OBJECTS:hf2gguf_objects>)
set_target_properties(hf2gguf_core PROPERTIES OUTPUT_NAME hf2gguf EXPORT_NAME hf2gguf_static)
target_include_directories(hf2gguf_core PUBLIC ${HF2GGUF_PUBLIC_INCLUDE})
target_link_libraries(hf2gguf_core PUBLIC PkgConfig::CJSON PkgConfig::ZLIB PkgConfig::LIBARCHIVE
                      PkgConfig::YAML Threads::Threads m)

if(HF2GGUF_BUILD_SHARED)
  file(GLOB HF2GGUF_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/hf2gguf/*.h)
  set(HF2GGUF_VERSION_SCRIPT ${PROJECT_BINARY_DIR}/generated/hf2gguf.map)
  hf2gguf_write_version_script(${HF2GGUF_VERSION_SCRIPT} ${HF2GGUF_PUBLIC_HEADERS})
  if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(HF2GGUF_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  else()
    set(HF2GGUF_SOVERSION ${PROJECT_VERSION_MAJOR})
  endif()
  add_library(hf2gguf_shared SHARED $<TARGET_OBJECTS:hf2gguf_objects>)
  set_target_properties(hf2gguf_shared PROPERTIES OUTPUT_NAME hf2gguf EXPORT_NAME hf2gguf_shared
                        VERSION ${PROJECT_VERSION} SOVERSION ${HF2GGUF_SOVERSION}
                        LINK_DEPENDS ${HF2GGUF_VERSION_SCRIPT})
  target_link_options(hf2gguf_shared PRIVATE -Wl,--version-script=${HF2GGUF_VERSION_SCRIPT}
                      -Wl,--no-undefined)
  target_include_directories(hf2gguf_shared PUBLIC ${HF2GGUF_PUBLIC_INCLUDE})
  # cJSON appears in the public headers (checkout.h); the rest is private.
  target_link_libraries(hf2gguf_shared PUBLIC PkgConfig::CJSON PRIVATE PkgConfig::ZLIB
                        PkgConfig::LIBARCHIVE PkgConfig::YAML Threads::Threads m)
endif()
