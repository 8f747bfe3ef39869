# ctinsights — one GNU Makefile.
#   make            build build/ctinsights
#   make test       install missing packages (as root), build, run every test
#   make demo       generate a small organisation's logs and score them
#   make test-asan  the same tests under AddressSanitizer + UBSan (build-san/)
#   make quality    the detection-quality benchmark (10 seeds, a few minutes)
#   make fuzz       the fast extractor against jansson under libFuzzer
#                   (clang; FUZZ_SECONDS, default 120)
#   make SANITIZE=1 any target with sanitizers

APT_PKGS := build-essential pkg-config libjansson-dev libgsl-dev libsqlite3-dev \
            libyaml-dev zlib1g-dev libdeflate-dev libcmocka-dev libmicrohttpd-dev python3 jq \
            libcurl4-openssl-dev libssl-dev prometheus-alertmanager curl clang libclang-rt-14-dev
PKGS     := jansson gsl sqlite3 yaml-0.1 zlib libdeflate libmicrohttpd libcurl libcrypto

ifeq ($(SANITIZE),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD    ?= build
SANFLAGS :=
endif

CC       ?= cc
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wshadow -Wno-unused-parameter
WERROR   ?= -Werror
# Evaluated lazily, so that `make deps` can install pkg-config first.
CFLAGS   = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) $(SANFLAGS) -MMD -MP \
           -pthread $(ENGINE_INC) -Imodels $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# engine/ holds one folder per pipeline stage; headers are included by
# name from every one of them.
ENGINE_DIRS := core input parse stream insight out alert state cmd
ENGINE_INC  := $(patsubst %,-Iengine/%,$(ENGINE_DIRS))
ENGINE_SRC := $(filter-out engine/cmd/main.c,$(wildcard $(patsubst %,engine/%/*.c,$(ENGINE_DIRS))))
MODEL_SRC  := $(wildcard models/*.c)
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(ENGINE_SRC) $(MODEL_SRC))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN   := $(BUILD)/tests/input_driver
# The differential check of the fast extractor, also with its scalar
# string scanner (fastrec built with -DCTI_SCALAR).
SCALAR_OBJ := $(filter-out $(BUILD)/engine/parse/fastrec.o,$(LIB_OBJ)) $(BUILD)/engine/parse/fastrec-scalar.o
DIFF_BIN   := $(BUILD)/tests/fastdiff $(BUILD)/tests/fastdiff-scalar

.PHONY: all deps test check unit golden data-check test-asan demo quality fuzz clean
all: $(BUILD)/ctinsights

# Install what is missing when root; otherwise print the exact line to run.
deps:
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(BUILD)/ctinsights: $(BUILD)/engine/cmd/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/engine/parse/fastrec-scalar.o: engine/parse/fastrec.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DCTI_SCALAR -c -o $@ $<

$(BUILD)/tests/fastdiff: tests/tools/fastdiff.c $(BUILD)/tests/tools/fastcmp.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/fastdiff-scalar: tests/tools/fastdiff.c $(BUILD)/tests/tools/fastcmp.o $(SCALAR_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(TEST_LIBS) $(LDLIBS)

$(BUILD)/tests/input_driver: tests/tools/input_driver.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

test: deps
	@$(MAKE) --no-print-directory check

check: $(BUILD)/ctinsights $(UNIT_BIN) $(TOOL_BIN) $(DIFF_BIN)
	@BUILD=$(BUILD) sh tests/run_all.sh

test-asan: deps
	@$(MAKE) --no-print-directory SANITIZE=1 check

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/ctinsights
	@sh benchmarks/demo.sh $(BUILD)/ctinsights

quality: deps
	@$(MAKE) --no-print-directory $(BUILD)/ctinsights
	@python3 benchmarks/quality.py --engine $(BUILD)/ctinsights $(QUALITY_ARGS)

# libFuzzer: every engine source but main, with clang and sanitizers.
FUZZ_DIR     := build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -pthread $(ENGINE_INC) -Imodels -Itests/tools \
                $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
$(FUZZ_DIR)/fuzz_fastrec: tests/fuzz/fuzz_fastrec.c tests/tools/fastcmp.c $(ENGINE_SRC) $(MODEL_SRC)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz_fastrec
	@sh tests/fuzz/run.sh $(CURDIR)/$(FUZZ_DIR)/fuzz_fastrec $(FUZZ_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf build build-san build-fuzz demo-out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
