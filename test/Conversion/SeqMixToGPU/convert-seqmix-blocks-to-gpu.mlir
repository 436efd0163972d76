// RUN: seqmix-opt %s -split-input-file --convert-seqmix-blocks-to-gpu --verify-diagnostics | FileCheck %s --enable-var-scope

// A grid of 2 x ceil(10 / 4) blocks of 32 threads. The buffer the block
// allocates outside its thread loops becomes shared memory (a workgroup
// attribution); a thread loop becomes the thread's own points, from its id
// by the block's size, then a barrier; the uniform loop around the phases
// runs on every thread.
// CHECK-LABEL: func @reverse_rows
// CHECK-SAME: %[[IN:[a-z0-9]+]]: memref<2x10x64xf32>, %[[OUT:[a-z0-9]+]]: memref<2x10x64xf32>
// CHECK-NOT: scf.parallel
// CHECK: %[[GY:.+]] = arith.ceildivui %{{.+}}, %c4
// CHECK: gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in (%{{.+}} = %{{.+}}, %{{.+}} = %[[GY]], %{{.+}} = %c1{{[_0-9]*}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c32{{[_0-9]*}}, %{{.+}} = %c1{{[_0-9]*}}, %{{.+}} = %c1{{[_0-9]*}})
// CHECK-SAME: workgroup(%[[TILE:[a-z0-9]+]] : memref<64xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[ROW0:.+]] = arith.muli %[[BY]], %c4
// CHECK: scf.for %[[R:.+]] = %c0 to %c4 step %c1 {
// CHECK: scf.for %[[I:.+]] = %[[TX]] to %c64 step %c32 {
// CHECK: memref.load %[[IN]]
// CHECK: memref.store %{{.+}}, %[[TILE]][%[[I]]] : memref<64xf32, #gpu.address_space<workgroup>>
// CHECK: }
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for %[[J:.+]] = %[[TX]] to %c64 step %c32 {
// CHECK: arith.subi %c63, %[[J]]
// CHECK: memref.load %[[TILE]]
// CHECK: memref.store %{{.+}}, %[[OUT]]
// CHECK: }
// CHECK-NEXT: gpu.barrier
// CHECK: gpu.terminator
func.func @reverse_rows(%in: memref<2x10x64xf32>, %out: memref<2x10x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %c32 = arith.constant 32 : index
  %c63 = arith.constant 63 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%b, %r0) = (%c0, %c0) to (%c2, %c10) step (%c1, %c4) {
    scf.execute_region no_inline {
      %tile = memref.alloca() : memref<64xf32>
      scf.for %dr = %c0 to %c4 step %c1 {
        %r = arith.addi %r0, %dr : index
        %inside = arith.cmpi ult, %r, %c10 : index
        scf.if %inside {
          scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
            scf.for %i = %t to %c64 step %c32 {
              %x = memref.load %in[%b, %r, %i] : memref<2x10x64xf32>
              memref.store %x, %tile[%i] : memref<64xf32>
            }
            scf.reduce
          } {seqmix.block_threads = 32 : i64}
          scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
            scf.for %j = %t to %c64 step %c32 {
              %from = arith.subi %c63, %j : index
              %x = memref.load %tile[%from] : memref<64xf32>
              memref.store %x, %out[%b, %r, %j] : memref<2x10x64xf32>
            }
            scf.reduce
          } {seqmix.block_threads = 32 : i64}
        }
      }
      scf.yield
    } {seqmix.block_threads = 32 : i64}
    scf.reduce
  }
  return
}

// -----

// Without a grid loop (canonicalization removed a grid of one block): a
// launch of one block.
// CHECK-LABEL: func @one_block
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c1{{[_0-9]*}}, %{{.+}} = %c1{{[_0-9]*}}, %{{.+}} = %c1{{[_0-9]*}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c128{{[_0-9]*}},
// CHECK: scf.for %{{.+}} = %[[TX]] to %c8 step %c128
// CHECK: gpu.barrier
func.func @one_block(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  %f = arith.constant 1.0 : f32
  scf.execute_region no_inline {
    scf.parallel (%t) = (%c0) to (%c128) step (%c1) {
      scf.for %i = %t to %c8 step %c128 {
        memref.store %f, %out[%i] : memref<8xf32>
      }
      scf.reduce
    } {seqmix.block_threads = 128 : i64}
    scf.yield
  } {seqmix.block_threads = 128 : i64}
  return
}

// -----

func.func @uniform_store(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  // expected-error @below {{a block's code outside its thread loops may not write memory}}
  scf.execute_region no_inline {
    memref.store %f, %out[%c0] : memref<8xf32>
    scf.yield
  } {seqmix.block_threads = 32 : i64}
  return
}

// -----

func.func @grid_store(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%b) = (%c0) to (%c8) step (%c1) {
    // expected-error @below {{a grid loop around a block region may compute only views and indices outside it, not 'memref.store'}}
    memref.store %f, %out[%b] : memref<8xf32>
    scf.execute_region no_inline {
      scf.yield
    } {seqmix.block_threads = 32 : i64}
    scf.reduce
  }
  return
}

// -----

func.func @dynamic_shared(%n: index, %out: memref<8xf32>) {
  // expected-error @below {{a block's shared buffer must have a static shape and be only loaded and stored}}
  scf.execute_region no_inline {
    %tile = memref.alloca(%n) : memref<?xf32>
    scf.yield
  } {seqmix.block_threads = 32 : i64}
  return
}

// -----

func.func @four_dims(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  // expected-error @below {{a grid of more than three dimensions}}
  scf.parallel (%a, %b, %c, %d) = (%c0, %c0, %c0, %c0) to (%c2, %c2, %c2, %c2) step (%c1, %c1, %c1, %c1) {
    scf.execute_region no_inline {
      scf.yield
    } {seqmix.block_threads = 32 : i64}
    scf.reduce
  }
  return
}

// -----

func.func @results() -> i32 {
  // expected-error @below {{a block region has one block and no results}}
  %r = scf.execute_region -> i32 no_inline {
    %c = arith.constant 0 : i32
    scf.yield %c : i32
  } {seqmix.block_threads = 32 : i64}
  return %r : i32
}

// -----

// A thread-private buffer [threads, n], each thread at its own index,
// becomes the thread's own [n] buffer, kept across phases.
// CHECK-LABEL: func @private_rows
// CHECK: gpu.launch
// CHECK-SAME: threads(%[[TX:[a-z0-9]+]],
// CHECK: %[[OWN:.+]] = memref.alloca() : memref<4xf32>
// CHECK: memref.store %{{.+}}, %[[OWN]][%{{.+}}] : memref<4xf32>
// CHECK: gpu.barrier
// CHECK: memref.load %[[OWN]][%{{.+}}] : memref<4xf32>
// CHECK: gpu.barrier
func.func @private_rows(%in: memref<32x4xf32>, %out: memref<32x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  scf.execute_region no_inline {
    %own = memref.alloca() {seqmix.thread_private} : memref<32x4xf32>
    scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
      scf.for %c = %c0 to %c4 step %c1 {
        %x = memref.load %in[%t, %c] : memref<32x4xf32>
        memref.store %x, %own[%t, %c] : memref<32x4xf32>
      }
      scf.reduce
    } {seqmix.block_threads = 32 : i64}
    scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
      scf.for %c = %c0 to %c4 step %c1 {
        %x = memref.load %own[%t, %c] : memref<32x4xf32>
        memref.store %x, %out[%t, %c] : memref<32x4xf32>
      }
      scf.reduce
    } {seqmix.block_threads = 32 : i64}
    scf.yield
  } {seqmix.block_threads = 32 : i64}
  return
}

// -----

func.func @private_other_index(%out: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %f = arith.constant 1.0 : f32
  scf.execute_region no_inline {
    // expected-error @below {{a thread-private buffer must be only loaded and stored, at the thread's own index}}
    %own = memref.alloca() {seqmix.thread_private} : memref<32x1xf32>
    scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
      memref.store %f, %own[%c0, %c0] : memref<32x1xf32>
      scf.reduce
    } {seqmix.block_threads = 32 : i64}
    scf.yield
  } {seqmix.block_threads = 32 : i64}
  return
}

// -----

// A warp product (BlockEmitter::warpMatmul's form): c = a b^T over two
// k steps, then c += a2 b2 with b2 read transposed ([k, n] in memory).
// Each lane (g = lane / 4, t = lane % 4) loads its fragments (PTX ISA,
// mma.m16n8k16): a's pairs at rows g, g + 8 and columns 2t, 2t + 8 (one
// 32-bit load each, the pairs being adjacent), b's at row g and columns 2t,
// 2t + 8; the first product starts from zeros, the second from the first's
// fragments, the third from c's: rows g, g + 8 at column 2t; the result
// is stored the same way. The region's code runs on every lane.
// CHECK-LABEL: func @warp_products
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%[[A:[a-z0-9]+]] : memref<16x32xbf16, #gpu.address_space<workgroup>>, %[[B:[a-z0-9]+]] : memref<8x32xbf16, #gpu.address_space<workgroup>>, %[[BT:[a-z0-9]+]] : memref<16x8xbf16, #gpu.address_space<workgroup>>, %[[C:[a-z0-9]+]] : memref<16x8xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: gpu.warp_execute_on_lane_0
// CHECK: %[[LANE:.+]] = arith.remui %[[TX:[a-z0-9]+]], %c32
// CHECK: %[[G:.+]] = arith.divui %[[LANE]], %c4
// CHECK: %[[T:.+]] = arith.remui %[[LANE]], %c4
// CHECK: %[[A0:.+]] = vector.load %[[A]][%{{.+}}, %{{.+}}] {alignment = 4 : i64} : memref<16x32xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: vector.bitcast %[[A0]] : vector<2xbf16> to vector<1xi32>
// CHECK-COUNT-3: vector.load %[[A]]
// CHECK-COUNT-2: vector.load %[[B]]
// CHECK: %[[P0:.+]] = nvvm.mma.sync A[{{.+}}] B[{{.+}}] C[%[[Z:.+]], %[[Z]], %[[Z]], %[[Z]]]
// CHECK-SAME: layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK-COUNT-4: llvm.extractvalue %[[P0]]
// CHECK: nvvm.mma.sync
// CHECK: vector.load %[[C]][{{.+}}] {alignment = 8 : i64} : memref<16x8xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK: vector.load %[[C]]
// The transposed b: two 16-bit loads per pair, at rows 2t and 2t + 1.
// CHECK: memref.load %[[BT]]
// CHECK: memref.load %[[BT]]
// CHECK: vector.from_elements
// CHECK: nvvm.mma.sync
// CHECK: vector.store %{{.+}}, %[[C]][%{{.+}}, %{{.+}}] {alignment = 8 : i64}
// CHECK: vector.store %{{.+}}, %[[C]][%{{.+}}, %{{.+}}] {alignment = 8 : i64}
// CHECK: gpu.barrier
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
#kn = affine_map<(d0, d1) -> (d1, d0)>
func.func @warp_products() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.execute_region no_inline {
    %a = memref.alloca() : memref<16x32xbf16>
    %b = memref.alloca() : memref<8x32xbf16>
    %bt = memref.alloca() : memref<16x8xbf16>
    %c = memref.alloca() : memref<16x8xf32>
    scf.parallel (%tid) = (%c0) to (%c64) step (%c1) {
      scf.for %i = %tid to %c64 step %c64 {
        %lane = arith.remui %tid, %c32 : index
        gpu.warp_execute_on_lane_0(%lane)[32] {
          %z = arith.constant 0.0 : bf16
          %zf = arith.constant 0.0 : f32
          %zero = arith.constant dense<0.0> : vector<16x8xf32>
          %a0 = vector.transfer_read %a[%c0, %c0], %z {in_bounds = [true, true]} : memref<16x32xbf16>, vector<16x16xbf16>
          %b0 = vector.transfer_read %b[%c0, %c0], %z {in_bounds = [true, true]} : memref<8x32xbf16>, vector<8x16xbf16>
          %a0f = arith.extf %a0 : vector<16x16xbf16> to vector<16x16xf32>
          %b0f = arith.extf %b0 : vector<8x16xbf16> to vector<8x16xf32>
          %p0 = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a0f, %b0f, %zero : vector<16x16xf32>, vector<8x16xf32> into vector<16x8xf32>
          %a1 = vector.transfer_read %a[%c0, %c16], %z {in_bounds = [true, true]} : memref<16x32xbf16>, vector<16x16xbf16>
          %b1 = vector.transfer_read %b[%c0, %c16], %z {in_bounds = [true, true]} : memref<8x32xbf16>, vector<8x16xbf16>
          %a1f = arith.extf %a1 : vector<16x16xbf16> to vector<16x16xf32>
          %b1f = arith.extf %b1 : vector<8x16xbf16> to vector<8x16xf32>
          %p1 = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a1f, %b1f, %p0 : vector<16x16xf32>, vector<8x16xf32> into vector<16x8xf32>
          vector.transfer_write %p1, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
          %b2 = vector.transfer_read %bt[%c0, %c0], %z {in_bounds = [true, true], permutation_map = #kn} : memref<16x8xbf16>, vector<8x16xbf16>
          %b2f = arith.extf %b2 : vector<8x16xbf16> to vector<8x16xf32>
          %acc = vector.transfer_read %c[%c0, %c0], %zf {in_bounds = [true, true]} : memref<16x8xf32>, vector<16x8xf32>
          %p2 = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a0f, %b2f, %acc : vector<16x16xf32>, vector<8x16xf32> into vector<16x8xf32>
          vector.transfer_write %p2, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
        }
      }
      scf.reduce
    } {seqmix.block_threads = 64 : i64}
    scf.yield
  } {seqmix.block_threads = 64 : i64}
  return
}

// -----

// Warp-level code is matrix products, or vector code that spreads over the
// lanes: a scalar store does not.
func.func @warp_store(%out: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %f = arith.constant 1.0 : f32
  scf.execute_region no_inline {
    scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
      // expected-error @below {{warp-level code that does not spread over the lanes: 'memref.store'}}
      gpu.warp_execute_on_lane_0(%t)[32] {
        memref.store %f, %out[%c0] : memref<32xf32>
      }
      scf.reduce
    } {seqmix.block_threads = 32 : i64}
    scf.yield
  } {seqmix.block_threads = 32 : i64}
  return
}

// -----

// f32 tiles (tensor cores take 16-bit ones here).
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @warp_f32_product(%x: memref<16x16xf32>, %y: memref<8x16xf32>, %out: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  scf.execute_region no_inline {
    scf.parallel (%t) = (%c0) to (%c32) step (%c1) {
      gpu.warp_execute_on_lane_0(%t)[32] {
        %zf = arith.constant 0.0 : f32
        %zero = arith.constant dense<0.0> : vector<16x8xf32>
        %a = vector.transfer_read %x[%c0, %c0], %zf {in_bounds = [true, true]} : memref<16x16xf32>, vector<16x16xf32>
        %b = vector.transfer_read %y[%c0, %c0], %zf {in_bounds = [true, true]} : memref<8x16xf32>, vector<8x16xf32>
        // expected-error @below {{warp-level code in a block is 16x8x16 matrix products of bf16 or f16 tiles read from and written to memory (warpMatmul), not 'vector.contract'}}
        %p = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %zero : vector<16x16xf32>, vector<8x16xf32> into vector<16x8xf32>
        vector.transfer_write %p, %out[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
      }
      scf.reduce
    } {seqmix.block_threads = 32 : i64}
    scf.yield
  } {seqmix.block_threads = 32 : i64}
  return
}

// -----

// Row-wise warp code (BlockEmitter::warpRows: an l2 norm of rows of 64):
// upstream's vector distribution gives each lane 2 elements of the row;
// the sum of squares is the lane's partial sum, then xor shuffles at
// distances 1 to 16; the row is scaled and stored back by the same lanes.
// CHECK-LABEL: func @warp_row_norm
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%[[ROWS:[a-z0-9]+]] : memref<4x64xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: gpu.warp_execute_on_lane_0
// CHECK: %[[LANE:.+]] = arith.remui %{{.+}}, %c32
// CHECK: scf.for %[[ROW:.+]] = %{{.+}} to %c4 step %c2
// CHECK: %[[X:.+]] = vector.load %[[ROWS]][%[[ROW]], %{{.+}}] : memref<4x64xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK: %[[SQ:.+]] = arith.mulf %[[X]], %[[X]] : vector<2xf32>
// CHECK: %[[PART:.+]] = vector.reduction <add>, %[[SQ]] : vector<2xf32> into f32
// CHECK: gpu.shuffle  xor %[[PART]], %c1_i32, %c32_i32 : f32
// CHECK-COUNT-4: gpu.shuffle  xor
// CHECK: math.sqrt
// CHECK: vector.store %{{.+}}, %[[ROWS]][%[[ROW]], %{{.+}}] : memref<4x64xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK: gpu.barrier
func.func @warp_row_norm() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.execute_region no_inline {
    %rows = memref.alloca() : memref<4x64xf32>
    scf.parallel (%tid) = (%c0) to (%c64) step (%c1) {
      scf.for %i = %tid to %c64 step %c64 {
        %lane = arith.remui %tid, %c32 : index
        %warp = arith.divui %tid, %c32 : index
        scf.for %row = %warp to %c4 step %c2 {
          gpu.warp_execute_on_lane_0(%lane)[32] {
            %z = arith.constant 0.0 : f32
            %one = arith.constant 1.0 : f32
            %x = vector.transfer_read %rows[%row, %c0], %z {in_bounds = [true]} : memref<4x64xf32>, vector<64xf32>
            %sq = arith.mulf %x, %x : vector<64xf32>
            %ss = vector.reduction <add>, %sq : vector<64xf32> into f32
            %norm = math.sqrt %ss : f32
            %inv = arith.divf %one, %norm : f32
            %b = vector.broadcast %inv : f32 to vector<64xf32>
            %y = arith.mulf %x, %b : vector<64xf32>
            vector.transfer_write %y, %rows[%row, %c0] {in_bounds = [true]} : vector<64xf32>, memref<4x64xf32>
          }
        }
      }
      scf.reduce
    } {seqmix.block_threads = 64 : i64}
    scf.yield
  } {seqmix.block_threads = 64 : i64}
  return
}
