#!/usr/bin/env bash
# Every fixture under every OpenBLAS kernel this CPU can run, with 1 and 2 BLAS threads, then with
# every convolution on oneDNN under each instruction set (AVX2, AVX-512) and on im2col: the
# committed fixtures through `workbench verify`, and the test-only ones (module fixtures, PyTorch
# checkpoints, paper fixture tests, literals/) through the release test binary. One line per kernel and
# thread count; the worst ratio of each fixture across all of them goes to
# .build/kernel-matrix.txt, the five worst are printed. `make test` runs it after the test suite.
#
# Kernels round differently (AVX-512 sums in another order than AVX2), so a fixture that passes
# on one machine and fails on another shows up here on either machine. A kernel is forced only
# when /proc/cpuinfo lists every instruction set it uses: forcing one the CPU lacks is SIGILL.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/workbench
[ -x "$bin" ] || { echo "verify-kernels: $bin is missing; run 'make test' (it builds it)" >&2; exit 1; }

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
kernels=()
# kernel name, then the cpuinfo flags its code needs
while read -r kernel needs; do
  ok=1
  for f in $needs; do [[ "$flags" == *" $f "* ]] || ok=0; done
  [ "$ok" = 1 ] && kernels+=("$kernel")
done <<'EOF'
Prescott pni
Core2 pni ssse3
Atom pni ssse3
Penryn pni ssse3 sse4_1
Dunnington pni ssse3 sse4_1
Nehalem pni ssse3 sse4_1 sse4_2
Barcelona pni sse4a
Bobcat pni ssse3 sse4a
Opteron 3dnow 3dnowext
Bulldozer avx fma4 xop
Piledriver avx fma fma4 xop
Steamroller avx fma fma4 xop
Excavator avx avx2 fma fma4 xop
Sandybridge avx
Haswell avx avx2 fma
Zen avx avx2 fma
SkylakeX avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl
Cooperlake avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl avx512_bf16
EOF

dirs=(Tests/Fixtures/ops Tests/Fixtures/unseen Tests/Fixtures/optim papers/*/fixtures)
tests='FixtureTests|ModuleFixtureTests|CheckpointTorchTests|crossEntropyReductionNoneMatchesPyTorch|bilinearResizeMatchesPyTorch'
ratios=$(mktemp)
trap 'rm -f "$ratios"' EXIT
failed=0
# One line of the matrix: every fixture under the environment set by the caller.
check() {
  out=$("$bin" verify "${dirs[@]}" 2>&1) && verdict=ok || verdict=FAILED
  # "PASS id  (N tensors; worst KEY: ... ; R of tolerance)" -> "id R"
  sed -n 's/^\(PASS\|FAIL\) \([^ ]*\) .* \([0-9.e+-]*\) of tolerance)$/\2 \3/p' <<<"$out" >>"$ratios"
  summary=$(tail -n 1 <<<"$out")
  swift test -c release --skip-build --filter "$tests" >/dev/null 2>&1 && t=passed || { t=FAILED; verdict=FAILED; }
  printf '%-34s threads %s: verify %s; fixture tests %s\n' "$1" "$OPENBLAS_NUM_THREADS" "$summary" "$t"
  if [ "$verdict" != ok ]; then failed=1; grep '^FAIL' <<<"$out" | cut -c1-300 || true; fi
}
# Convolutions with 16+ input channels run on oneDNN, the rest on im2col + OpenBLAS.
for kernel in "${kernels[@]}"; do
  for threads in 1 2; do
    export OPENBLAS_CORETYPE=$kernel OPENBLAS_NUM_THREADS=$threads
    check "$kernel"
  done
done
unset OPENBLAS_CORETYPE
# oneDNN's rounding depends on the instruction set its JIT code uses, not on the OpenBLAS kernel:
# every convolution forced onto oneDNN under AVX2 and, where the CPU has it, AVX-512; then every
# convolution forced onto im2col, which the default leaves to small ones.
isas=(AVX2)
[[ "$flags" == *" avx512f "* && "$flags" == *" avx512bw "* && "$flags" == *" avx512vl "* && "$flags" == *" avx512dq "* ]] && isas+=(AVX512_CORE)
for isa in "${isas[@]}"; do
  for threads in 1 2; do
    export WORKBENCH_CONV=onednn ONEDNN_MAX_CPU_ISA=$isa OPENBLAS_NUM_THREADS=$threads
    check "conv onednn $isa"
  done
done
unset ONEDNN_MAX_CPU_ISA
for threads in 1 2; do
  export WORKBENCH_CONV=im2col OPENBLAS_NUM_THREADS=$threads
  check "conv im2col"
done
unset WORKBENCH_CONV OPENBLAS_NUM_THREADS

mkdir -p .build
awk '!($1 in worst) || $2 + 0 > worst[$1] { worst[$1] = $2 + 0 } END { for (f in worst) printf "%s %.4f\n", f, worst[f] }' \
  "$ratios" | sort -k2,2gr >.build/kernel-matrix.txt
echo "kernels: ${kernels[*]}; oneDNN ISAs: ${isas[*]}; worst ratio of each fixture across them in .build/kernel-matrix.txt; the five worst:"
head -n 5 .build/kernel-matrix.txt | sed 's/^/  /'
exit "$failed"
