// A Quamba-style int8 Mamba-1 mixer tail: the selective scan on int8
// activations (per-tensor symmetric !quant.uniform), the Hadamard rotation of
// the scan output quantized to int8 for the int8 out_proj, then out_proj.
// Any number of tokens T (dynamic). Returns the output and the int8 rotated
// activations.
func.func @quamba_block(
    %u: tensor<1x?x48x!quant.uniform<i8:f32, 0.05>>,
    %dt: tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>,
    %A_log: tensor<48x8xf32>,
    %B: tensor<1x?x1x8x!quant.uniform<i8:f32, 0.03>>,
    %C: tensor<1x?x1x8x!quant.uniform<i8:f32, 0.03>>,
    %D: tensor<48xf32>,
    %z: tensor<1x?x48x!quant.uniform<i8:f32, 0.05>>,
    %dt_bias: tensor<48xf32>,
    %w_out: tensor<48x32xf32>)
    -> (tensor<1x?x32xf32>, tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  // T from the int8 storage of u (seqmix-lower-quant folds this storage cast
  // into the function boundary's, so no quantized value stays live)
  %u_i8 = quant.scast %u : tensor<1x?x48x!quant.uniform<i8:f32, 0.05>> to tensor<1x?x48xi8>
  %T = tensor.dim %u_i8, %c1 : tensor<1x?x48xi8>
  %A_e1 = tensor.empty() : tensor<48x8xf32>
  %A2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
       ins(%A_log : tensor<48x8xf32>) outs(%A_e1 : tensor<48x8xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %ex = math.exp %a : f32
    %r = arith.negf %ex : f32
    linalg.yield %r : f32
  } -> tensor<48x8xf32>
  // int8 scan: inputs dequantized inside the kernel, f32 state
  //   (outs: the output, and a zero initial state whose final value is unused)
  %y_e3 = tensor.empty(%T) : tensor<1x?x48xf32>
  %s_e3 = tensor.empty() : tensor<1x48x8xf32>
  %s0_3 = linalg.fill ins(%zero : f32) outs(%s_e3 : tensor<1x48x8xf32>) -> tensor<1x48x8xf32>
  %y3, %s3 = seqmix.selective_scan ins(%u, %dt, %A2, %B, %C : tensor<1x?x48x!quant.uniform<i8:f32, 0.05>>, tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>, tensor<48x8xf32>, tensor<1x?x1x8x!quant.uniform<i8:f32, 0.03>>, tensor<1x?x1x8x!quant.uniform<i8:f32, 0.03>>)
         D(%D : tensor<48xf32>) z(%z : tensor<1x?x48x!quant.uniform<i8:f32, 0.05>>) delta_bias(%dt_bias : tensor<48xf32>)
         outs(%y_e3, %s0_3 : tensor<1x?x48xf32>, tensor<1x48x8xf32>) {delta_softplus} -> tensor<1x?x48xf32>, tensor<1x48x8xf32>
  // Hadamard rotation of d_inner = 48 = 12 * 4 fused with int8 quantization
  %yq_e4 = tensor.empty(%T) : tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>
  %yq4 = seqmix.hadamard ins(%y3 : tensor<1x?x48xf32>) outs(%yq_e4 : tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>) -> tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>
  // out_proj takes the dequantized rotated activations (H^T fused into w_out offline)
  %yd5 = quant.dcast %yq4 : tensor<1x?x48x!quant.uniform<i8:f32, 0.02>> to tensor<1x?x48xf32>
  %out_in6 = tensor.collapse_shape %yd5 [[0, 1], [2]] : tensor<1x?x48xf32> into tensor<?x48xf32>
  %out_e7 = tensor.empty(%T) : tensor<?x32xf32>
  %out_z8 = linalg.fill ins(%zero : f32) outs(%out_e7 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %out_mm9 = linalg.matmul ins(%out_in6, %w_out : tensor<?x48xf32>, tensor<48x32xf32>) outs(%out_z8 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %out10 = tensor.expand_shape %out_mm9 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  return %out10, %yq4 : tensor<1x?x32xf32>, tensor<1x?x48x!quant.uniform<i8:f32, 0.02>>
}
