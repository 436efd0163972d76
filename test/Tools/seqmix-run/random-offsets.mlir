// --random-inputs fills an integer argument that feeds cu_seqlens or the
// offsets of seqmix.segment_matmul with offsets splitting T (R) evenly;
// other integer arguments stay zero and i8 ones are in [-127, 127].

// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: seqmix-run %s --entry=conv --random-inputs=3 --dim=10 --save-inputs=%t/conv --check=reference | FileCheck %s --check-prefix=CONV
// RUN: seqmix-run %s --entry=segments --random-inputs=3 --dim=10 --save-inputs=%t/seg --output-dir=%t/seg-out | FileCheck %s --check-prefix=SEG
// RUN: %python -c "import numpy as np; print('cu', np.load('%t/conv/in3.npy').tolist(), 'other', np.load('%t/conv/in4.npy').tolist(), 'i8', int(np.load('%t/conv/in5.npy').min()) >= -127)" | FileCheck %s --check-prefix=CONV-IN
// RUN: %python -c "import numpy as np; p, w, off, out = (np.load('%t/' + f) for f in ('seg/in0.npy', 'seg/in1.npy', 'seg/in2.npy', 'seg-out/out0.npy')); ref = np.concatenate([p[off[s]:off[s + 1]] @ w[s] for s in range(4)]); print('offsets', off.tolist(), 'ok', bool(np.allclose(out, ref, rtol=1e-5, atol=1e-5)))" | FileCheck %s --check-prefix=SEG-IN

// CONV: out0: tensor<1x10x16xf32>
// CONV-NEXT: check: {{.*}} PASS
// CONV-IN: cu [0, 5, 10] other [0, 0] i8 True
// SEG: out0: tensor<10x8xf32>
// SEG-IN: offsets [0, 2, 5, 7, 10] ok True

func.func @conv(%x: tensor<1x?x16xf32>, %w: tensor<16x4xf32>,
                %b: tensor<16xf32>, %cu: tensor<3xi32>, %unused: tensor<2xi64>,
                %q: tensor<8xi8>) -> tensor<1x?x16xf32> {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x16xf32>
  %y0 = tensor.empty(%T) : tensor<1x?x16xf32>
  %e = tensor.empty() : tensor<2x3x16xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x16xf32>)
      -> tensor<2x3x16xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x?x16xf32>, tensor<16x4xf32>)
         bias(%b : tensor<16xf32>) cu_seqlens(%cu : tensor<3xi32>)
         outs(%y0, %s0 : tensor<1x?x16xf32>, tensor<2x3x16xf32>)
         {activation = #seqmix.activation<silu>}
         -> tensor<1x?x16xf32>, tensor<2x3x16xf32>
  return %y : tensor<1x?x16xf32>
}

func.func @segments(%p: tensor<?x4xf32>, %w: tensor<4x4x8xf32>,
                    %off: tensor<5xi64>) -> tensor<?x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %R = tensor.dim %p, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%R) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>)
      -> tensor<?x8xf32>
  %o = seqmix.segment_matmul ins(%p, %w, %off
                                 : tensor<?x4xf32>, tensor<4x4x8xf32>, tensor<5xi64>)
         outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %o : tensor<?x8xf32>
}
