// A diagonal recurrence (Mamba-1's selective scan without the D skip, the
// gate and the softplus) written as a user-authored seqmix.scan: the state
// [D, N] per token, one linalg.generic for the update and one for the
// readout. bench/bench.py times it against selective_scan.
#d = affine_map<(d, n) -> (d)>
#n = affine_map<(d, n) -> (n)>
#dn = affine_map<(d, n) -> (d, n)>
func.func @main(%u: tensor<1x?x1536xf32>, %dt: tensor<1x?x1536xf32>, %A: tensor<1536x16xf32>, %B: tensor<1x?x16xf32>, %C: tensor<1x?x16xf32>, %h0: tensor<1x1536x16xf32>) -> (tensor<1x?x1536xf32>, tensor<1x1536x16xf32>) {
  %c1 = arith.constant 1 : index
  %T = tensor.dim %u, %c1 : tensor<1x?x1536xf32>
  %y0 = tensor.empty(%T) : tensor<1x?x1536xf32>
  %h, %y = seqmix.scan ins(%u, %dt, %B, %C : tensor<1x?x1536xf32>, tensor<1x?x1536xf32>, tensor<1x?x16xf32>, tensor<1x?x16xf32>)
                       init(%h0 : tensor<1x1536x16xf32>) outs(%y0 : tensor<1x?x1536xf32>) {
  ^bb0(%ut: tensor<1536xf32>, %dtt: tensor<1536xf32>, %bt: tensor<16xf32>, %ct: tensor<16xf32>, %ht: tensor<1536x16xf32>):
    %e = tensor.empty() : tensor<1536x16xf32>
    %hn = linalg.generic {indexing_maps = [#d, #d, #n, #dn, #dn, #dn], iterator_types = ["parallel", "parallel"]}
        ins(%ut, %dtt, %bt, %A, %ht : tensor<1536xf32>, tensor<1536xf32>, tensor<16xf32>, tensor<1536x16xf32>, tensor<1536x16xf32>) outs(%e : tensor<1536x16xf32>) {
    ^bb0(%uu: f32, %dd: f32, %bb: f32, %aa: f32, %hh: f32, %o: f32):
      %da = arith.mulf %dd, %aa : f32
      %decay = math.exp %da : f32
      %du = arith.mulf %dd, %uu : f32
      %dub = arith.mulf %du, %bb : f32
      %hd = arith.mulf %decay, %hh : f32
      %r = arith.addf %hd, %dub : f32
      linalg.yield %r : f32
    } -> tensor<1536x16xf32>
    %z = arith.constant 0.0 : f32
    %ey = tensor.empty() : tensor<1536xf32>
    %fy = linalg.fill ins(%z : f32) outs(%ey : tensor<1536xf32>) -> tensor<1536xf32>
    %yt = linalg.generic {indexing_maps = [#n, #dn, #d], iterator_types = ["parallel", "reduction"]}
        ins(%ct, %hn : tensor<16xf32>, tensor<1536x16xf32>) outs(%fy : tensor<1536xf32>) {
    ^bb0(%cc: f32, %hh: f32, %acc: f32):
      %p = arith.mulf %cc, %hh : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<1536xf32>
    seqmix.yield %hn, %yt : tensor<1536x16xf32>, tensor<1536xf32>
  } -> tensor<1x1536x16xf32>, tensor<1x?x1536xf32>
  return %y, %h : tensor<1x?x1536xf32>, tensor<1x1536x16xf32>
}
