# VoiceQA: two commands do all the set-up.
#   make demo   installs what is missing, builds in release mode, analyses the bundled demo call
#   make test   runs the whole test suite
SWIFT ?= swift
DEMO_CALL ?= Fixtures/calls/devcall2_en_00.wav
APT_PACKAGES = libsndfile1-dev libfftw3-dev libsqlite3-dev pkg-config

.PHONY: demo deps build test bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product voiceqa

demo: build
	.build/release/voiceqa analyze --format text $(DEMO_CALL)
	@echo
	@echo "JSON report: .build/release/voiceqa analyze $(DEMO_CALL)"

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product voiceqa-bench
	.build/release/voiceqa-bench

clean:
	rm -rf .build
