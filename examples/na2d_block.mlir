// A 2-D neighborhood attention block (NAT / DiNAT style): a feature map of
// any height and width (dynamic, at least the 5x5 window) with 32 channels,
// 2 heads of 16, 5x5 windows with relative position bias, q/k/v and output
// projections.
// The projections contract the channel axis in place (a linalg.generic over
// [B, H, W, C]) instead of collapse_shape -> matmul -> expand_shape: expanding
// [H*W, C] back to [1, H, W, C] puts two dynamic sizes in one group, which
// upstream's expand-strided-metadata does not lower yet.
#x_map = affine_map<(b, h, w, d, c) -> (b, h, w, c)>
#w_map = affine_map<(b, h, w, d, c) -> (c, d)>
#o_map = affine_map<(b, h, w, d, c) -> (b, h, w, d)>
#proj = {indexing_maps = [#x_map, #w_map, #o_map],
         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
func.func @na2d_block(
    %x: tensor<1x?x?x32xf32>,
    %w_q: tensor<32x32xf32>,
    %w_k: tensor<32x32xf32>,
    %w_v: tensor<32x32xf32>,
    %rpb: tensor<2x9x9xf32>,
    %w_o: tensor<32x32xf32>)
    -> (tensor<1x?x?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  // the feature map's height and width
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %Hs = tensor.dim %x, %c1 : tensor<1x?x?x32xf32>
  %Ws = tensor.dim %x, %c2 : tensor<1x?x?x32xf32>
  // q, k, v projections: p[b,h,w,d] = sum_c x[b,h,w,c] W[c,d], into zeros
  %e = tensor.empty(%Hs, %Ws) : tensor<1x?x?x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x?x?x32xf32>) -> tensor<1x?x?x32xf32>
  %q = linalg.generic #proj ins(%x, %w_q : tensor<1x?x?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<1x?x?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x?x?x32xf32>
  %k = linalg.generic #proj ins(%x, %w_k : tensor<1x?x?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<1x?x?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x?x?x32xf32>
  %v = linalg.generic #proj ins(%x, %w_v : tensor<1x?x?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<1x?x?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x?x?x32xf32>
  // split the channels into 2 heads of 16
  %qh = tensor.expand_shape %q [[0], [1], [2], [3, 4]] output_shape [1, %Hs, %Ws, 2, 16] : tensor<1x?x?x32xf32> into tensor<1x?x?x2x16xf32>
  %kh = tensor.expand_shape %k [[0], [1], [2], [3, 4]] output_shape [1, %Hs, %Ws, 2, 16] : tensor<1x?x?x32xf32> into tensor<1x?x?x2x16xf32>
  %vh = tensor.expand_shape %v [[0], [1], [2], [3, 4]] output_shape [1, %Hs, %Ws, 2, 16] : tensor<1x?x?x32xf32> into tensor<1x?x?x2x16xf32>
  // 5x5 neighborhood with relative position bias, dilation 1
  %o_e = tensor.empty(%Hs, %Ws) : tensor<1x?x?x2x16xf32>
  %o = seqmix.neighborhood_attention ins(%qh, %kh, %vh : tensor<1x?x?x2x16xf32>, tensor<1x?x?x2x16xf32>, tensor<1x?x?x2x16xf32>)
         rpb(%rpb : tensor<2x9x9xf32>) outs(%o_e : tensor<1x?x?x2x16xf32>)
         {kernel_size = array<i64: 5, 5>, scale = 0.25 : f32} -> tensor<1x?x?x2x16xf32>
  %om = tensor.collapse_shape %o [[0], [1], [2], [3, 4]] : tensor<1x?x?x2x16xf32> into tensor<1x?x?x32xf32>
  // output projection
  %out = linalg.generic #proj ins(%om, %w_o : tensor<1x?x?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<1x?x?x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x?x?x32xf32>
  return %out : tensor<1x?x?x32xf32>
}
