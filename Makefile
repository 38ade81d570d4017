# VoiceQA: two commands do all the set-up.
#   make demo   installs what is missing, builds in release mode, analyses the bundled demo call and
#               writes its coaching page
#   make test   runs the whole test suite
# Hostile input (README "Input you should not trust"):
#   make sanitize   the test suite under AddressSanitizer, then ThreadSanitizer
#   make fuzz       libFuzzer over decode + analysis for FUZZ_SECONDS (default 600)
SWIFT ?= swift
DEMO_CALL ?= Fixtures/calls/devcall2_en_00.wav
APT_PACKAGES = libsndfile1-dev libfftw3-dev libsqlite3-dev libpq-dev pkg-config
# What the tests drive for real: a browser (coaching pages) with CJK fonts; the Kubernetes schema
# validator (PyPI, in a venv under .build) for the deploy/kubernetes manifests. Slurm and PostgreSQL
# are installed and started by Tests/Services/with-services.sh.
TEST_APT_PACKAGES = chromium fonts-noto-cjk
K8S_VALIDATE_VENV = .build/kubernetes-validate

.PHONY: demo deps test-deps build test bench bench-scale sanitize sanitize-tests fuzz clean

# Installs the Debian packages in $(1) that are missing (with sudo when not root).
define apt_install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_install_missing,$(APT_PACKAGES))

# The browser test fails without Chromium unless VOICEQA_SKIP_BROWSER=1.
test-deps: deps
	$(call apt_install_missing,$(TEST_APT_PACKAGES))
	@[ -x $(K8S_VALIDATE_VENV)/bin/kubernetes-validate ] || { echo "installing kubernetes-validate into $(K8S_VALIDATE_VENV)"; \
	  python3 -m venv $(K8S_VALIDATE_VENV) && $(K8S_VALIDATE_VENV)/bin/pip install -q kubernetes-validate==1.37.0; }

build: deps
	$(SWIFT) build -c release --product voiceqa

demo: build
	.build/release/voiceqa analyze --format text --language en $(DEMO_CALL)
	@echo
	@echo "JSON report: .build/release/voiceqa analyze --language en $(DEMO_CALL)"
	@printf "Coaching page (open it in a browser): "
	@.build/release/voiceqa report --language en -o .build/demo $(DEMO_CALL)

# The tests run with the real services they drive (a one-node Slurm, a throw-away PostgreSQL on
# loopback), started and stopped around them by Tests/Services/with-services.sh.
SERVICES = Tests/Services/with-services.sh

test: test-deps
	$(SWIFT) build --build-tests
	$(SERVICES) $(SWIFT) test --skip-build

# The floor program (Bench/floor.c: decode + one r2c and one c2r per frame, issue 18) is C built -O2
# beside the Swift binaries, so nothing of Swift's runtime is in the floor. valgrind (callgrind)
# counts the instructions per stage.
CC ?= cc
FLOOR = .build/release/voiceqa-floor

bench: deps
	$(call apt_install_missing,valgrind)
	$(SWIFT) build -c release --product voiceqa-bench
	$(SWIFT) build -c release --product voiceqa
	$(CC) -O2 -o $(FLOOR) Bench/floor.c -lsndfile -lfftw3f -lm
	.build/release/voiceqa-bench

# The shared-queue benchmark against a throw-away PostgreSQL (files/s with 1, 2 and 4 workers).
bench-scale: deps
	$(SWIFT) build -c release --product voiceqa-bench
	$(SWIFT) build -c release --product voiceqa
	$(SERVICES) .build/release/voiceqa-bench --queue

# The whole suite (which includes the bad-input corpus and the CLI tests, whose binary is built with
# the same sanitizer) under AddressSanitizer, then ThreadSanitizer. Swift 6.3 on Linux rejects
# -sanitize=undefined ("unsupported option"); Swift's own overflow, bounds and exclusivity checks
# trap in the debug builds used here instead. Scratch folders of their own, so these builds never
# invalidate the debug build. VOICEQA_SANITIZER tells the accuracy sweeps to run on a few of their
# inputs or not at all (Tests/TestSupport/Sanitizer.swift): the sanitizers need each path once, and
# every figure is asserted on all inputs in `make test`.
sanitize: test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build/asan
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build/tsan
	$(SERVICES) $(MAKE) --no-print-directory sanitize-tests

sanitize-tests:
	VOICEQA_SANITIZER=address LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp $(SWIFT) test --skip-build --sanitize=address --scratch-path .build/asan
	VOICEQA_SANITIZER=thread $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build/tsan

# libFuzzer + ASan, optimised (about 250 inputs/s on one core). The corpus grows in .build/fuzz-work/corpus
# across runs; a crash, leak or slow input (> 10 s) is saved to .build/fuzz-work/artifacts/ and fails
# the target. Replay one with: .build/fuzz/release/voiceqa-fuzz <file>. Make each finding a test by
# adding the file to Fuzz/regressions/ (BadInputCorpusTests.fuzzerRegressions runs them all).
FUZZ_SECONDS ?= 600
FUZZ_WORK = .build/fuzz-work
FUZZ_BINARY = .build/fuzz/release/voiceqa-fuzz

fuzz: deps
	mkdir -p $(FUZZ_WORK)/corpus $(FUZZ_WORK)/artifacts
	@echo "building $(FUZZ_BINARY) (log: $(FUZZ_WORK)/build.log)"
	@$(SWIFT) build -c release --scratch-path .build/fuzz --product voiceqa-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING > $(FUZZ_WORK)/build.log 2>&1 \
	  || { grep -v "Cannot export local symbol" $(FUZZ_WORK)/build.log | tail -40; exit 1; }
	$(FUZZ_BINARY) --write-seeds $(FUZZ_WORK)/seeds
	@echo "fuzzing for $(FUZZ_SECONDS) s (log: $(FUZZ_WORK)/fuzz.log)"
	@LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp $(FUZZ_BINARY) -max_total_time=$(FUZZ_SECONDS) \
	  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_WORK)/artifacts/ \
	  $(FUZZ_WORK)/corpus $(FUZZ_WORK)/seeds Fuzz/regressions > $(FUZZ_WORK)/fuzz.log 2>&1 \
	  || { grep -v "^Note: \|^Warning: \|^\[src/\|NEW_FUNC" $(FUZZ_WORK)/fuzz.log | tail -80; \
	       echo "fuzz: FAILED; input saved in $(FUZZ_WORK)/artifacts/"; exit 1; }
	@grep "^stat::\|^Done" $(FUZZ_WORK)/fuzz.log; echo "fuzz: no crash, leak or hang"

clean:
	rm -rf .build
