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
