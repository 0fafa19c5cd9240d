# chophien: the two commands a fresh Debian 12 machine needs are `make run` and `make test`.
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
SOURCES = $(shell git ls-files '*.h' '*.cc' 2>/dev/null)

.PHONY: deps build run test test-dev test-asan format-check format bench fuzz fuzz-xlsx fuzz-http clean

deps:
	@./scripts/deps.sh

build/release/Makefile: deps
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF $(CMAKE_FLAGS)

build: deps
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build build/release -j $(JOBS) --target chophien

run: build
	./scripts/run-demo.sh build/release/app/chophien
	@mkdir -p out
	./build/release/app/chophien serve --db out/demo.db --demo --listen $${CHOPHIEN_LISTEN:-127.0.0.1:8080}

format-check: deps
	@echo "Checking formatting against .clang-format"
	@clang-format --dry-run --Werror $(SOURCES)

format:
	clang-format -i $(SOURCES)

# The tests' optimised build: -O2 like the product, without debug information, which makes the
# compilation a third faster; the sanitizer build below keeps the debug information for its reports.
test-dev: deps
	cmake -S . -B build/dev -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" $(CMAKE_FLAGS)
	cmake --build build/dev -j $(JOBS)
	cd build/dev && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCHOPHIEN_SANITIZE=ON -DCHOPHIEN_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build build/asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE no_asan

test: format-check test-dev test-asan
	@echo "All checks passed."

bench: deps
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build build/release -j $(JOBS)
	./scripts/bench.sh build/release
	./scripts/bench-http.sh build/release

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCHOPHIEN_FUZZ=ON -DCHOPHIEN_BENCH=OFF -DBUILD_TESTING=OFF $(CMAKE_FLAGS)
	cmake --build build/fuzz -j $(JOBS) --target fuzz_decode
	mkdir -p build/fuzz/corpus && cp tests/fuzz/corpus/decode/* build/fuzz/corpus/
	./build/fuzz/tests/fuzz_decode -max_total_time=$${FUZZ_SECONDS:-60} -max_len=1024 build/fuzz/corpus

# The XLSX reader (core/xlsx_reader.h) under libFuzzer; new inputs it finds go to build/fuzz/corpus-xlsx.
fuzz-xlsx: deps
	CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCHOPHIEN_FUZZ=ON -DCHOPHIEN_BENCH=OFF -DBUILD_TESTING=OFF $(CMAKE_FLAGS)
	cmake --build build/fuzz -j $(JOBS) --target fuzz_xlsx
	mkdir -p build/fuzz/corpus-xlsx && cp tests/fuzz/corpus/xlsx/* build/fuzz/corpus-xlsx/
	./build/fuzz/tests/fuzz_xlsx -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 -rss_limit_mb=2048 build/fuzz/corpus-xlsx

# The front door's request-head parser (storefront/request_head.h) under libFuzzer.
fuzz-http: deps
	CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DCHOPHIEN_FUZZ=ON -DCHOPHIEN_BENCH=OFF -DBUILD_TESTING=OFF $(CMAKE_FLAGS)
	cmake --build build/fuzz -j $(JOBS) --target fuzz_request_head
	mkdir -p build/fuzz/corpus-http && cp tests/fuzz/corpus/request_head/* build/fuzz/corpus-http/
	./build/fuzz/tests/fuzz_request_head -max_total_time=$${FUZZ_SECONDS:-60} -max_len=20000 build/fuzz/corpus-http

clean:
	rm -rf build out
