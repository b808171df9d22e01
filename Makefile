# Convenience entry points; the build itself is CMake.
#   make demo   build, then convert the sample checkout in tests/data
#   make test   build and run the whole suite, normal and ASan+UBSan builds
JOBS ?= $(shell nproc)
SAMPLE ?= tests/data/deepseek-v3-tiny

.PHONY: all build demo test test-release test-sanitize clean

all: build

deps:
	@tools/bootstrap.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS)

demo: build
	@mkdir -p build/demo
	./build/hf2gguf convert $(SAMPLE) --outfile build/demo/ --outtype bf16 --force
	./build/hf2gguf inspect build/demo/*.gguf

test-release: build
	cd build && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHF2GGUF_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

test: test-release test-sanitize

clean:
	rm -rf build build-asan
