# Workbench: build, test, fixtures and benchmarks. `make test` works on a fresh Debian machine
# that has only Swift: it installs the system libraries it needs when run as root.

APT_PACKAGES := libopenblas-dev libdnnl-dev libpng-dev zlib1g-dev dataset-fashion-mnist pkg-config
VENV := .venv
PYTHON := $(VENV)/bin/python
SWIFT_RELEASE := swift build -c release

.PHONY: all deps build test test-scaffold run fixtures venv bench bench-swift bench-experiment mpi-deps mpi test-mpi run-mpi bench-mpi tensorboard-proto clean

all: build

# Installs missing Debian packages (as root), or prints the exact command and stops.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
	  else \
	    echo "Missing system packages. Install them with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT_RELEASE)

# Tests run in release mode: the numeric kernels are 10-50x slower in debug builds.
test: deps
	swift build -c release --build-tests
	swift test -c release --skip-build
# Fixtures that no unit test uses: the verifier must read their configs, not rely on the tests.
	.build/release/workbench verify Tests/Fixtures/unseen
	.build/release/workbench verify papers/*/fixtures
# Every fixture again under each OpenBLAS kernel the CPU can run (their rounding differs).
	scripts/verify-kernels.sh

# `workbench new` into a copy of the package (.build/scaffold-test): builds it, runs the new
# paper's tests, a quick run and the refusals. Not part of `make test` (CI runs both): the first
# run builds the whole copy (6 min of CPU time), later runs compile only what changed.
test-scaffold: deps
	swift build -c release --product workbench
	scripts/test-scaffold.sh

# Data-parallel training on Open MPI (docs/DISTRIBUTED.md): an optional package in WorkbenchMPI/,
# kept out of `build` and `test` so that those need no MPI.
MPI_APT_PACKAGES := libopenmpi-dev openmpi-bin
MPIRUN := mpirun $(if $(filter 0,$(shell id -u)),--allow-run-as-root) -x OPENBLAS_NUM_THREADS=1
NP ?= 2

mpi-deps: deps
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(MPI_APT_PACKAGES)"

mpi: mpi-deps
	cd WorkbenchMPI && $(SWIFT_RELEASE)

# The multi-process checks: bucketed allreduce, sharding, bit-identical replicas, and the loss
# curve of a small CNN against one-process training on the same global batches.
test-mpi: mpi
	$(MPIRUN) -np $(NP) WorkbenchMPI/.build/release/workbench-mpi-check

# GoogLeNet's quick preset on $(NP) processes of one BLAS thread each, over loopback.
run-mpi: mpi
	$(MPIRUN) -np $(NP) WorkbenchMPI/.build/release/workbench-mpi run inception --preset quick

# Allreduce time for buffers of 0.25-100 MB across $(NP) processes.
bench-mpi: mpi
	$(MPIRUN) -np $(NP) WorkbenchMPI/.build/release/workbench-mpi-check --bench

# The first thing to try: GoogLeNet's quick preset on the real Fashion-MNIST (a few minutes on 2 cores).
run: deps
	swift build -c release --product workbench
	.build/release/workbench run inception --preset quick

# A Python virtual environment with PyTorch, used only to write fixtures and run the peer.
venv: $(PYTHON)
$(PYTHON):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q torch safetensors numpy

# Regenerates every committed fixture (deterministic: unchanged code gives the same tensors; safetensors
# may write the metadata keys in another order, so compare tensors rather than file hashes).
fixtures: $(PYTHON)
	$(PYTHON) Tests/Fixtures/make_op_fixtures.py
	$(PYTHON) Tests/Fixtures/make_test_fixtures.py
	$(PYTHON) Tests/Fixtures/make_module_fixtures.py
	for script in papers/*/reference/make_fixtures.py; do $(PYTHON) $$script || exit 1; done
	scripts/make-template-fixture.sh $(PYTHON)
	$(VENV)/bin/pip install -q gymnasium minatar
	$(PYTHON) papers/dqn/reference/make_traces.py
	$(PYTHON) papers/alphago-zero/reference/make_traces.py

# Every workload of docs/BENCHMARKS.md, Swift and PyTorch interleaved, one ratio table (JSON under runs/).
bench: deps $(PYTHON)
	swift build -c release --product workbench-bench
	$(PYTHON) Benchmarks/compare.py

# Time to accuracy: one epoch of the GoogLeNet Fashion-MNIST recipe in Swift, then in PyTorch (about 6
# minutes on 2 idle cores); prints seconds per phase, the ratio and each side's test accuracy.
bench-experiment: deps $(PYTHON)
	swift build -c release --product workbench
	$(PYTHON) Benchmarks/experiment.py

# The Swift side alone (no PyTorch needed).
bench-swift: deps
	swift build -c release --product workbench-bench
	python3 Benchmarks/compare.py --swift-only

# Regenerates Sources/WorkbenchRun/TensorBoard/tensorboard_event.pb.swift from its .proto (committed;
# builds need neither protoc nor the plugin): protoc from Debian, protoc-gen-swift from the
# swift-protobuf checkout the package resolved.
tensorboard-proto: deps
	@$(MAKE) --no-print-directory deps APT_PACKAGES="protobuf-compiler"
	swift package resolve
	swift build -c release --package-path .build/checkouts/swift-protobuf --product protoc-gen-swift
	cd Sources/WorkbenchRun/TensorBoard && protoc --plugin=protoc-gen-swift=$(CURDIR)/.build/checkouts/swift-protobuf/.build/release/protoc-gen-swift \
	  --swift_out=. --swift_opt=Visibility=Public tensorboard_event.proto

clean:
	rm -rf .build WorkbenchMPI/.build
