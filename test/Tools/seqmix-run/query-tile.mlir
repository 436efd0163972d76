// The query tile of windowed attention is the config's `query`: every
// supported shape matches the reference pipeline, including 9 image rows
// (a tail row after blocks of 2, 3 or 4), an rpb and GQA, and 1-D sliding
// windows with 1 to 8 query rows per block.
// RUN: for t in "1, 16" "2, 16" "3, 16" "4, 16"; do \
// RUN:   seqmix-run %s --entry=na2d --random-inputs=3 --check=reference --rtol=1e-4 --atol=1e-5 \
// RUN:     --tile="seqmix.neighborhood_attention=#seqmix.cpu_tiling<threads = [0, 0, 0, 2], vector = [0, 0, 0, 16], query = [$t]>"; \
// RUN: done | FileCheck %s --check-prefix=NA
// NA-COUNT-4: check: max_abs_err={{.+}} PASS
// RUN: for t in 1 3 8; do \
// RUN:   seqmix-run %s --entry=swa --random-inputs=3 --check=reference --rtol=1e-4 --atol=1e-5 \
// RUN:     --tile="seqmix.sliding_window_attention=#seqmix.cpu_tiling<vector = [0, 0, 16], query = [$t]>"; \
// RUN: done | FileCheck %s --check-prefix=SWA
// SWA-COUNT-3: check: max_abs_err={{.+}} PASS

func.func @na2d(%q: tensor<1x9x20x4x16xf32>, %k: tensor<1x9x20x2x16xf32>, %v: tensor<1x9x20x2x16xf32>, %rpb: tensor<4x5x9xf32>) -> tensor<1x9x20x4x16xf32> {
  %o0 = tensor.empty() : tensor<1x9x20x4x16xf32>
  %o = seqmix.neighborhood_attention ins(%q, %k, %v : tensor<1x9x20x4x16xf32>, tensor<1x9x20x2x16xf32>, tensor<1x9x20x2x16xf32>) rpb(%rpb : tensor<4x5x9xf32>) outs(%o0 : tensor<1x9x20x4x16xf32>) {kernel_size = array<i64: 3, 5>, scale = 0.25 : f32} -> tensor<1x9x20x4x16xf32>
  return %o : tensor<1x9x20x4x16xf32>
}

func.func @swa(%q: tensor<1x45x2x32xf32>) -> tensor<1x45x2x32xf32> {
  %o0 = tensor.empty() : tensor<1x45x2x32xf32>
  %o = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x45x2x32xf32>, tensor<1x45x2x32xf32>, tensor<1x45x2x32xf32>) outs(%o0 : tensor<1x45x2x32xf32>) {window_left = 20 : i64, window_right = 3 : i64, scale = 0.25 : f32} -> tensor<1x45x2x32xf32>
  return %o : tensor<1x45x2x32xf32>
}
