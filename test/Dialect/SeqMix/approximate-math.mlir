// RUN: seqmix-opt %s --seqmix-approximate-math | FileCheck %s --enable-var-scope

// exp becomes inline arithmetic on vectors and scalars alike: a clamp, the
// rounding of x log2(e) by adding 1.5 * 2^23 + 126, the two-part ln2
// reduction, six FMAs of the polynomial and the scale 2^(k-1) built with
// one shift. No call, no round instruction.
// CHECK-LABEL: func @exp
// CHECK-NOT: math.exp
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: arith.minimumf
// CHECK: math.fma
// CHECK: arith.subf
// CHECK-COUNT-8: math.fma
// CHECK: arith.bitcast %{{.+}} : vector<16xf32> to vector<16xi32>
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.+}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.mulf
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : f32
// CHECK-NOT: math.exp
// CHECK: return
func.func @exp(%x: vector<16xf32>, %y: f32) -> (vector<16xf32>, f32) {
  %0 = math.exp %x : vector<16xf32>
  %1 = math.exp %y : f32
  return %0, %1 : vector<16xf32>, f32
}

// log1p (softplus), tanh and bf16 exp (through f32) are approximated too;
// f64 is left alone.
// CHECK-LABEL: func @others
// CHECK-NOT: math.log1p
// CHECK-NOT: math.tanh
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: math.exp %{{.+}} : f64
func.func @others(%x: vector<8xf32>, %b: bf16, %d: f64) -> (vector<8xf32>, vector<8xf32>, bf16, f64) {
  %0 = math.log1p %x : vector<8xf32>
  %1 = math.tanh %x : vector<8xf32>
  %2 = math.exp %b : bf16
  %3 = math.exp %d : f64
  return %0, %1, %2, %3 : vector<8xf32>, vector<8xf32>, bf16, f64
}
