# install.cmake - what `cmake --install build --prefix P` puts under P:
#
#   bin/hf2gguf                          the command line (libhf2gguf linked in)
#   share/man/man1/hf2gguf.1             the manual page
#   share/bash-completion/completions/hf2gguf
#   share/zsh/site-functions/_hf2gguf    (vendor-completions when P is /usr,
#                                         where Debian's zsh looks)
#   share/doc/hf2gguf/                   README.md, LICENSE
#   lib/libhf2gguf.so*, lib/libhf2gguf.a (HF2GGUF_BUILD_SHARED/_STATIC)
#   include/hf2gguf/*.h                  the public API
#   lib/pkgconfig/hf2gguf.pc, lib/cmake/hf2gguf/   pkg-config and find_package
#
# and the Debian package made of the same files (cmake/package.cmake).
include(CMakePackageConfigHelpers)

# Installing (and cpack, which installs) never builds: `cmake --install` never
# did, and a build started by the .deb test could relink the program under
# the other tests running at the same time. Build first (make install/deb do).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS hf2gguf RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES src/cli/hf2gguf.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES src/cli/completions/hf2gguf.bash DESTINATION
        ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME hf2gguf)
# zsh: the folder depends on the prefix chosen at install time (cmake
# --install --prefix, or /usr when packaging), hence decided then.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL \"${PROJECT_SOURCE_DIR}/src/cli/completions/_hf2gguf\" DESTINATION \"\${zsh_dir}\")
")
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(HF2GGUF_LIB_TARGETS)
if(HF2GGUF_BUILD_STATIC)
  list(APPEND HF2GGUF_LIB_TARGETS hf2gguf_core)
endif()
if(HF2GGUF_BUILD_SHARED)
  list(APPEND HF2GGUF_LIB_TARGETS hf2gguf_shared)
endif()
install(TARGETS ${HF2GGUF_LIB_TARGETS} EXPORT hf2gguf-targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/hf2gguf DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

# pkg-config: the prefix relative to the .pc file, so that the file stays
# right whatever --prefix (or DESTDIR) the install is given.
file(RELATIVE_PATH HF2GGUF_PC_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" HF2GGUF_PC_PREFIX "${HF2GGUF_PC_PREFIX}")
configure_file(cmake/hf2gguf.pc.in ${PROJECT_BINARY_DIR}/generated/hf2gguf.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/generated/hf2gguf.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# find_package(hf2gguf): targets, config and version files. 0.x releases are
# compatible within one minor version only, as the SONAME says.
set(HF2GGUF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hf2gguf)
install(EXPORT hf2gguf-targets NAMESPACE hf2gguf:: DESTINATION ${HF2GGUF_CMAKE_DIR})
configure_package_config_file(cmake/hf2gguf-config.cmake.in
  ${PROJECT_BINARY_DIR}/generated/hf2gguf-config.cmake INSTALL_DESTINATION ${HF2GGUF_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/generated/hf2gguf-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/generated/hf2gguf-config.cmake
        ${PROJECT_BINARY_DIR}/generated/hf2gguf-config-version.cmake DESTINATION ${HF2GGUF_CMAKE_DIR})

# The package is hf2gguf's own: a project that builds hf2gguf inside it keeps
# its CPack settings.
if(HF2GGUF_TOP_LEVEL)
  include(cmake/package.cmake)
endif()
