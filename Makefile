# Convenience entry points; the build itself is CMake.
#   make          build (checks the dependencies; never installs anything)
#   make deps     install the missing Debian packages (apt-get; sudo when not root)
#   make demo     deps, build, then convert the sample checkout in tests/data
#   make test     deps, build and run the whole suite, normal and ASan+UBSan builds
#   make install  cmake --install build (PREFIX=/usr/local)
#   make deb      build/hf2gguf_<version>_<arch>.deb (CPack)
JOBS ?= $(shell nproc)
SAMPLE ?= tests/data/deepseek-v3-tiny
PREFIX ?= /usr/local

.PHONY: all deps check-deps build demo test test-release test-sanitize install deb clean

all: build

deps:
	@tools/bootstrap.sh

check-deps:
	@tools/bootstrap.sh --check

build: check-deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS)

# demo and test install what is missing first (make deps), so that the
# README's two commands work on a fresh machine.
demo: deps build
	@mkdir -p build/demo
	./build/hf2gguf convert $(SAMPLE) --outfile build/demo/ --outtype bf16 --force
	./build/hf2gguf inspect build/demo/*.gguf

test-release: deps build
	cd build && ctest --output-on-failure --no-tests=error -j $(JOBS)

test-sanitize: deps check-deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHF2GGUF_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure --no-tests=error -j $(JOBS)

test: test-release test-sanitize

install: build
	cmake --install build --prefix $(PREFIX)

deb: build
	cd build && cpack -G DEB

clean:
	rm -rf build build-asan
