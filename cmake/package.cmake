# package.cmake - the Debian package, with CPack's DEB generator:
#
#   cmake --build build && (cd build && cpack -G DEB)   ->  hf2gguf_<ver>_amd64.deb
#
# One package holding everything `cmake --install` installs, under /usr: the
# program, its manual page and completions, and the library with its headers,
# pkg-config and CMake files (Debian would split the last into -dev packages;
# one file is simpler to hand around). Depends names the run-time packages
# of the four libraries the program and libhf2gguf.so link; where Debian
# renamed one (libarchive13t64 since trixie), the name installed on the build
# machine is used.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hf2gguf)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "hf2gguf developers <hf2gguf@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "convert Hugging Face DeepSeek checkouts to GGUF, byte for byte as llama.cpp")
set(CPACK_PACKAGE_DESCRIPTION
    "hf2gguf converts a Hugging Face checkout of a DeepSeek-family model into the GGUF file llama.cpp's converter writes, without Python, streaming on all cores; it also inspects, verifies and compares GGUF files. Includes libhf2gguf.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON) # the package carries no debug information
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(NOT CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
  endif()
endif()

# hf2gguf_deb_name(OUT CANDIDATES...): the first candidate installed here,
# else the first one.
function(hf2gguf_deb_name out)
  set(name ${ARGV1})
  foreach(candidate ${ARGN})
    execute_process(COMMAND dpkg-query -W -f=\${Status} ${candidate}
                    OUTPUT_VARIABLE status ERROR_QUIET)
    if(status MATCHES "install ok installed")
      set(name ${candidate})
      break()
    endif()
  endforeach()
  set(${out} ${name} PARENT_SCOPE)
endfunction()
hf2gguf_deb_name(deb_cjson libcjson1)
hf2gguf_deb_name(deb_zlib zlib1g)
hf2gguf_deb_name(deb_archive libarchive13 libarchive13t64)
hf2gguf_deb_name(deb_yaml libyaml-0-2)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, ${deb_cjson}, ${deb_zlib}, ${deb_archive}, ${deb_yaml}")
include(CPack)
