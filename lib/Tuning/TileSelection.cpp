//===- TileSelection.cpp - tiling configs for a target --------------------===//
//
// The CPU choice: spread the widest parallel loop over the cores, then,
// for the families with a vector tile builder, choose the register tile
// (vector width) and the time chunk with an analytic model of one thread's
// tile: vector operations and exps at the target's rates, registers beyond
// the register file as spills, compulsory traffic at the DRAM bandwidth,
// rows that do not stay in L2 at memory latency, and the state reloads a
// chunk costs. The candidate predicted fastest wins.
// Per-head and per-channel work is independent and, at batch 1, plentiful
// (heads, value columns, channels), so one tile per core balances the load
// without splitting a reduction. A loop whose operands share a dimension by
// groups (GQA heads, Mamba groups) is split only by a size that is a
// multiple or a divisor of the group.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Tuning/TileSelection.h"

#include "seqmix/Conversion/SeqMixToGPU/SeqMixToGPU.h"
#include "seqmix/Dialect/SeqMix/Utils/RecurrenceView.h"

#include <limits>

using namespace mlir;
using namespace mlir::seqmix;

/// Whether a tile of `size` along `loop` keeps every grouped operand
/// dimension whole-grouped.
static bool respectsGroups(LoopStructureOpInterface op, unsigned loop,
                           int64_t size, int64_t extent) {
  for (auto [v, dims] :
       llvm::zip_equal(op->getOperands(), op.getOperandLoopDims()))
    for (auto [d, ld] : llvm::enumerate(dims)) {
      if (ld.loop != int64_t(loop) || !ld.grouped)
        continue;
      int64_t n = cast<ShapedType>(v.getType()).getDimSize(d);
      if (ShapedType::isDynamic(n) || n <= 0)
        return false;
      if (!tileFitsGroups(extent / n, size))
        return false;
    }
  return true;
}

namespace {

/// What the cost model knows of a family's register tile: per token and
/// per vector of channels, the vector operations it issues and the
/// registers it keeps live across the time loop; per token, the [B, T, D]
/// rows it streams; per chunk boundary, the state lanes it reloads.
struct RegisterTileProfile {
  unsigned loop;       // the loop the builder vectorizes
  double vectorOps;    // vector operations per token and vector
  double exps;         // of which exps (counted at the target's exp rate)
  int64_t liveVectors; // registers live across the time loop
  int64_t streams;     // [B, T, D] operands read or written per token
  int64_t laneLoads;   // state elements moved lane by lane per chunk
  bool rowOrder;       // walks rows in memory order (prefetch-friendly)
  // Whether threads may split the vectorized loop when another parallel
  // loop would do: false where each thread would redo per-token work
  // shared by the whole loop (linear attention prepares q, k and the gate
  // once per head for every value column).
  bool threadsOnVectorLoop = true;
  // The time chunk the builder reads (1: the recurrent form), if any.
  std::optional<int64_t> chunk = std::nullopt;
};

/// Vector operations of one inline exp (seqmix-approximate-math).
constexpr double kExpOps = 15;
/// Registers the exp and softplus constants occupy.
constexpr int64_t kConstantRegisters = 10;

std::optional<RegisterTileProfile> registerTileProfile(Operation *op) {
  if (auto scan = dyn_cast<SelectiveScanOp>(op)) {
    int64_t n = cast<ShapedType>(scan.getA().getType()).getDimSize(1);
    if (ShapedType::isDynamic(n))
      return std::nullopt;
    // Per state: exp, Δ A, Δ u B, the update and C h; per token: softplus
    // (exp, log1p), the D skip and silu(z).
    double perToken = 40 + (scan.getZ() ? 25 : 0);
    int64_t streams = 3 + (scan.getZ() ? 1 : 0);
    return RegisterTileProfile{1,
                               n * (kExpOps + 4) + perToken,
                               double(n + 2 + (scan.getZ() ? 1 : 0)),
                               2 * n + kConstantRegisters,
                               streams,
                               3 * n,
                               /*rowOrder=*/false};
  }
  if (isa<LinearAttentionOp, SSDOp>(op)) {
    // Additive rule, in register chunks of C tokens (C = 1: recurrent): per
    // element of the state a chunk costs one multiply by the decay (none
    // ungated) and 2 C FMAs, while preparing its C (C + 1) / 2 intra-chunk
    // scores (horizontal sums) costs about a quarter operation per element
    // and token for each token beyond the first (measured on the 2-core
    // AVX-512 machine: C = 2 ahead of 1 and 4 by 5-10%). Delta rule: C = 1
    // makes two passes over the state rows in L1 per token, each a load, a
    // store and two vector operations per row; a chunk of C makes two per
    // chunk (2 C FMAs; the decay, C FMAs and a store) and prepares two sets
    // of scores (measured on the same machine, gated delta rule K = V =
    // 128: C = 4 1.4x ahead of 1, 1.1x of 2, level with 8).
    // ssd runs as linear_attention with a scalar gate and a vk state.
    auto la = dyn_cast<LinearAttentionOp>(op);
    auto ssd = dyn_cast<SSDOp>(op);
    Value q = la ? la.getQ() : ssd.getC();
    int64_t K = cast<ShapedType>(q.getType()).getDimSize(3);
    if (ShapedType::isDynamic(K))
      return std::nullopt;
    bool gated = ssd || la.getLogDecay(), delta = la && la.getBeta();
    bool vk = ssd || la.getStateLayout() == StateLayout::vk;
    int64_t chunk = 1;
    double perElement = delta ? (gated ? 5 : 4) : (gated ? 3 : 2);
    for (int64_t c : {2, 4, 8}) {
      double cost = delta ? (3.0 * c + 2) / c + 0.15 * (c - 1)
                          : (gated ? (2.0 * c + 1) / c : 2.0) + 0.25 * (c - 1);
      if (cost < perElement) {
        perElement = cost;
        chunk = c;
      }
    }
    RegisterTileProfile p{2,
                          double(K) * (perElement + 0.5),
                          0,
                          2 * chunk + 20,
                          2,
                          vk ? K : 0,
                          /*rowOrder=*/true};
    p.threadsOnVectorLoop = false;
    p.chunk = chunk;
    return p;
  }
  if (auto conv = dyn_cast<CausalConv1dOp>(op)) {
    int64_t w = cast<ShapedType>(conv.getW().getType()).getDimSize(1);
    if (ShapedType::isDynamic(w))
      return std::nullopt;
    bool silu = conv.getActivation() == Activation::silu;
    return RegisterTileProfile{1,
                               w + (silu ? kExpOps + 12 : 0),
                               silu ? 1.0 : 0.0,
                               2 * w - 1 + kConstantRegisters,
                               2,
                               w,
                               /*rowOrder=*/true};
  }
  return std::nullopt;
}

/// Registers of the target's vector width (AVX-512 has 32, AVX2 16).
int64_t vectorRegisters(const CpuTargetInfo &t) {
  return t.vectorBits >= 512 ? 32 : 16;
}

/// Predicted nanoseconds per token of one thread's tile of `channels`
/// channels, in vectors of `width` lanes, with time chunks of `chunk`
/// tokens (0: none, the whole sequence per channel block).
double predictNsPerToken(const RegisterTileProfile &p, const CpuTargetInfo &t,
                         int64_t channels, int64_t width, int64_t chunk) {
  double vectors = double(channels) / width;
  // Narrower than the registers: the same operation count per vector, on
  // fewer lanes.
  double opsPerNs = t.peakGflopsPerCore / (2.0 * t.f32Lanes());
  double spills = std::max<int64_t>(0, p.liveVectors - vectorRegisters(t));
  double expNs = p.exps * vectors * width / t.expGPerSecPerCore;
  double opNs =
      (p.vectorOps - p.exps * kExpOps + 2 * spills) * vectors / opsPerNs;
  double compute = opNs + expNs;
  // Compulsory traffic of the streamed rows.
  double bytes = double(p.streams) * channels * 4;
  double memory = bytes / t.dramGBsPerCore;
  // A chunk's rows of every stream must stay in L2 while the channel
  // blocks sweep them; rows that do not are fetched with page-crossing
  // strides the prefetchers miss, at latency (~100 ns, ~10 in flight).
  double panel = bytes * double(chunk ? chunk : 1 << 16);
  double latency = !p.rowOrder && panel > t.l2Bytes * 3 / 4
                       ? double(p.streams) * vectors * 100 / 10
                       : 0;
  // Each chunk reloads the state and the per-channel operands lane by lane
  // (~0.3 ns per lane), and costs a loop and slices (~200 ns).
  double reload =
      chunk ? (0.3 * double(p.laneLoads) * vectors * width + 200) / chunk : 0;
  return std::max(compute, memory) + latency + reload;
}

} // namespace

RegisterTileChoice mlir::seqmix::selectRegisterTile(LoopStructureOpInterface op,
                                                    const CpuTargetInfo &target,
                                                    int64_t channels,
                                                    bool chunkable) {
  RegisterTileChoice best;
  std::optional<RegisterTileProfile> p = registerTileProfile(op);
  if (!p)
    return best;
  double bestNs = std::numeric_limits<double>::infinity();
  int64_t lanes = target.f32Lanes();
  for (int64_t width : {lanes, lanes / 2}) {
    if (width < 4 || width > channels)
      continue;
    for (int64_t chunk : {0, 16, 32, 64, 128, 256, 512}) {
      if (chunk && !chunkable)
        continue;
      double ns = predictNsPerToken(*p, target, channels, width, chunk);
      if (ns < bestNs * 0.999) {
        bestNs = ns;
        best = {width, chunk, ns};
      }
    }
  }
  return best;
}

/// The matmul micro-kernel: MR x NR accumulators plus NR / width loads of
/// B and one broadcast of A fit the register file (32 with AVX-512: 8 x 2
/// vectors; 16 with AVX2: 4 x 3).
static std::pair<int64_t, int64_t>
matmulRegisterTile(const CpuTargetInfo &target) {
  bool wide = vectorRegisters(target) >= 32;
  return {wide ? 8 : 4, (wide ? 2 : 3) * target.f32Lanes()};
}

Attribute mlir::seqmix::selectCpuTiling(LoopStructureOpInterface op,
                                        const CpuTargetInfo &target,
                                        unsigned cores) {
  if (isa<DispatchOp>(op))
    return {};
  OpBuilder b(op->getContext());
  SmallVector<utils::IteratorType> kinds = op.getLoopKinds();
  SmallVector<OpFoldResult> sizes = op.getLoopSizes(b);
  SmallVector<int64_t> threads(kinds.size(), 0), cache, vector, query;
  std::optional<RegisterTileProfile> profile = registerTileProfile(op);
  std::optional<unsigned> vloop =
      profile ? std::optional<unsigned>(profile->loop) : std::nullopt;
  std::optional<int64_t> vextent =
      vloop ? getConstantIntValue(sizes[*vloop]) : std::nullopt;
  const int64_t lanes = target.f32Lanes();
  auto config = [&]() -> Attribute {
    auto nonzero = [](ArrayRef<int64_t> v) {
      return llvm::any_of(v, [](int64_t s) { return s != 0; });
    };
    if (!nonzero(threads) && !nonzero(cache) && !nonzero(vector))
      return {};
    return CpuTilingAttr::get(
        op->getContext(), nonzero(threads) ? threads : ArrayRef<int64_t>(),
        nonzero(cache) ? cache : ArrayRef<int64_t>(),
        nonzero(vector) ? vector : ArrayRef<int64_t>(), query,
        nonzero(vector) && profile ? profile->chunk : std::nullopt);
  };
  // The register tile, chosen by the cost model for the channels one
  // thread gets; the time loop is chunked only where it may be sliced.
  unsigned timeLoop = kinds.size() - 1;
  auto chooseRegisterTile = [&](int64_t channels, bool chunkable) {
    if (!vloop || channels < 4)
      return;
    RegisterTileChoice c = selectRegisterTile(op, target, channels, chunkable);
    if (!c.width)
      return;
    vector.assign(kinds.size(), 0);
    vector[*vloop] = c.width;
    if (c.chunk) {
      cache.assign(kinds.size(), 0);
      cache[timeLoop] = c.chunk;
    }
  };

  // One tile per core; on the vectorized loop, whole vectors per tile.
  auto threadTile = [&](int64_t extent, int64_t multiple) {
    int64_t tile = (extent + cores - 1) / cores;
    return (tile + multiple - 1) / multiple * multiple;
  };
  // An empty operand (a W = 1 conv's [N, 0, D] state) cannot be sliced:
  // upstream rejects any offset into a dimension of size 0.
  bool sliceable = true;
  for (Value v : op->getOperands())
    if (llvm::is_contained(cast<ShapedType>(v.getType()).getShape(), 0))
      sliceable = false;
  int64_t best = -1, bestExtent = 1;
  auto pickThreadLoop = [&](bool vectorLoopToo) {
    for (auto [l, size] : llvm::enumerate(sizes)) {
      std::optional<int64_t> extent = getConstantIntValue(size);
      bool isVectorLoop = vloop && *vloop == l;
      if (cores < 2 || !sliceable || !extent || *extent < 2 ||
          kinds[l] != utils::IteratorType::parallel || !op.isLoopTileable(l) ||
          (isVectorLoop && !vectorLoopToo))
        continue;
      int64_t tile = threadTile(*extent, isVectorLoop ? lanes : 1);
      bool splits = tile<*extent, wider = *extent> bestExtent;
      if (splits && wider && respectsGroups(op, l, tile, *extent)) {
        best = l;
        bestExtent = *extent;
      }
    }
  };
  // The vectorized loop only if no other will do, where the family asks.
  bool vectorLoopLast = profile && !profile->threadsOnVectorLoop;
  pickThreadLoop(!vectorLoopLast);
  if (best < 0 && vectorLoopLast)
    pickThreadLoop(true);
  if (best >= 0)
    threads[best] =
        threadTile(bestExtent, vloop && *vloop == unsigned(best) ? lanes : 1);
  if (vextent)
    chooseRegisterTile(threads[*vloop] ? threads[*vloop] : *vextent,
                       sliceable && op.isLoopTileable(timeLoop));
  // hadamard's butterflies run along the transform axis, which is not a
  // loop: their vector width sits on the last row loop.
  if (auto h = dyn_cast<HadamardOp>(op.getOperation())) {
    int64_t n = cast<ShapedType>(h.getX().getType()).getShape().back();
    if (!ShapedType::isDynamic(n) && hadamardFactors(n).second >= lanes) {
      vector.assign(kinds.size(), 0);
      vector.back() = lanes;
    }
  }
  // Windowed attention walks keys in tiles one vector wide, or, for
  // neighborhoods with a last-axis kernel that fits one vector, vectors of
  // queries (dilated ones included); the width sits on its last loop h
  // (keys are no loop of it).
  auto na = dyn_cast<NeighborhoodAttentionOp>(op.getOperation());
  bool naTiles = na && (llvm::all_of(na.getDilationOrDefault(),
                                     [](int64_t d) { return d == 1; }) ||
                        na.getKernelSize().back() <= int64_t(lanes));
  if (isa<SlidingWindowAttentionOp>(op.getOperation()) || naTiles) {
    auto q = cast<ShapedType>(op->getOperand(0).getType());
    auto v = cast<ShapedType>(op->getOperand(2).getType());
    int64_t d = q.getDimSize(q.getRank() - 1),
            dv = v.getDimSize(v.getRank() - 1);
    // Lanes over keys hold Dv / lanes accumulators per row; lanes over
    // queries take any Dv (its accumulators are lanes of queries).
    bool queryLanes = na && na.getKernelSize().back() <= int64_t(lanes);
    if (!ShapedType::isDynamic(d) && !ShapedType::isDynamic(dv) && d <= 256 &&
        (queryLanes ? dv <= 256 : dv % lanes == 0 && dv / lanes <= 16)) {
      vector.assign(kinds.size(), 0);
      vector.back() = lanes;
      // The query tile. Lanes over keys: up to 4 query rows along the last
      // axis, as many as the 16 output accumulators allow (Dv / lanes
      // each). Lanes over queries: a vector of queries along the last
      // axis, on two rows of the axis before it (sharing their key rows'
      // loads; more rows measured no faster), one where that axis is
      // dilated.
      int64_t spatial = q.getRank() - 3;
      query.assign(spatial, 1);
      if (!queryLanes) {
        query.back() = std::min<int64_t>(4, 16 / (dv / lanes));
      } else {
        query.back() = lanes;
        if (spatial >= 2 && na.getDilationOrDefault()[spatial - 2] == 1)
          query[spatial - 2] = 2;
      }
    }
  }
  // route's register tile is a vector of tokens (loop t), whatever M is.
  if (auto route = dyn_cast<RouteOp>(op.getOperation())) {
    int64_t m = cast<ShapedType>(route.getLogits().getType()).getDimSize(2);
    if (!ShapedType::isDynamic(m) && m <= 64) {
      vector = {0, lanes};
      if (threads[1])
        threads[1] = threadTile(*getConstantIntValue(sizes[1]), lanes);
    }
  }
  // segment_matmul runs the matmul kernel per segment: NR columns on its
  // loop c (its rows, taken whole, get the kernel's MR).
  if (auto sm = dyn_cast<SegmentMatmulOp>(op.getOperation())) {
    auto p = cast<ShapedType>(sm.getPacked().getType());
    if (p.getElementType().isF32()) {
      int64_t nr = matmulRegisterTile(target).second;
      vector = {0, nr};
      // Whole panels per thread where the columns are split.
      if (threads[1])
        threads[1] = threadTile(*getConstantIntValue(sizes[1]), nr);
    }
  }
  // combine's lanes run over its last feature dimension (rows are
  // contiguous); its threads split the features, never the packed rows,
  // which add into shared tokens.
  if (auto combine = dyn_cast<CombineOp>(op.getOperation())) {
    auto p = cast<ShapedType>(combine.getPacked().getType());
    int64_t f = p.getShape().back();
    if (p.getRank() >= 2 && !ShapedType::isDynamic(f) && f >= lanes) {
      vector.assign(kinds.size(), 0);
      vector.back() = lanes;
      if (threads.back())
        threads.back() = threadTile(f, lanes);
    } else {
      // Fewer features than a vector: the rows' loop taken whole is
      // cheaper than threads over a few features each.
      threads.assign(kinds.size(), 0);
    }
  }
  // A register tile narrower than the full width can leave the thread
  // tile a non-multiple of it; keep the thread tile whole-vectored.
  if (best >= 0 && vloop && unsigned(best) == *vloop && !vector.empty())
    threads[best] = threadTile(bestExtent, vector[*vloop]);
  return config();
}

Attribute mlir::seqmix::selectCpuMatmulTiling(Operation *matmul,
                                              const CpuTargetInfo &target,
                                              unsigned cores) {
  auto types = llvm::to_vector(matmul->getOperandTypes());
  if (types.size() != 3 || !llvm::all_of(types, [](Type t) {
        auto st = dyn_cast<ShapedType>(t);
        return st && st.getRank() == 2 && st.getElementType().isF32();
      }))
    return {};
  // A K block of 256 keeps the B panel (256 x NR floats) in L1.
  auto [mr, nr] = matmulRegisterTile(target);
  int64_t kc = std::max<int64_t>(
      16, std::min<int64_t>(256, target.l1Bytes / 2 / (nr * 4)));
  // Row blocks for the threads: one per core when M is known, else blocks
  // of 8 micro-kernels that the OpenMP schedule deals out.
  int64_t m = cast<ShapedType>(types[2]).getDimSize(0);
  int64_t mb = 8 * mr;
  if (!ShapedType::isDynamic(m) && cores > 1)
    mb = std::max<int64_t>(mr, (m + cores - 1) / cores);
  SmallVector<int64_t> threads = {mb, 0, 0}, cache = {0, 0, kc},
                       vector = {mr, nr, 0};
  return CpuTilingAttr::get(matmul->getContext(), threads, cache, vector,
                            /*query=*/{}, std::nullopt);
}

Attribute mlir::seqmix::selectGpuTiling(LoopStructureOpInterface op,
                                        const GpuTargetInfo &target) {
  OpBuilder b(op->getContext());
  SmallVector<utils::IteratorType> kinds = op.getLoopKinds();
  SmallVector<OpFoldResult> sizes = op.getLoopSizes(b);
  const int64_t maxThreads = 128;
  auto tileable = [&](unsigned l) {
    return kinds[l] == utils::IteratorType::parallel && op.isLoopTileable(l);
  };
  std::optional<unsigned> threadLoop;
  if (std::optional<RegisterTileProfile> p = registerTileProfile(op))
    if (tileable(p->loop))
      threadLoop = p->loop;
  for (unsigned l = kinds.size(); !threadLoop && l-- > 0;)
    if (tileable(l))
      threadLoop = l;
  if (!threadLoop)
    return {};
  SmallVector<int64_t> blocks(kinds.size(), 0);
  // Windowed attention: a thread per query, up to 128 queries per block
  // (64 on tensor cores), innermost axis first. Its query loops cannot be
  // sliced (the window depends on the position), so the scalar lowering
  // spreads them over the grid and the threads itself (seqmix-tile leaves
  // such an op whole).
  if (isa<NeighborhoodAttentionOp, SlidingWindowAttentionOp>(op)) {
    unsigned heads = kinds.size() - 1;
    // On tensor cores (bf16/f16) up to 64 queries: their q rows, output
    // accumulators and a key tile's scores share the static shared memory.
    int64_t maxQueries =
        windowedAttentionMmaKeyTile(op->getOperand(0), op->getOperand(1),
                                    op->getOperand(2), heads - 1, 64)
            ? 64
            : maxThreads;
    int64_t threads = 1;
    for (unsigned l = heads; l-- > 1;) {
      std::optional<int64_t> extent = getConstantIntValue(sizes[l]);
      int64_t left = maxQueries / threads;
      blocks[l] = extent ? std::clamp<int64_t>(*extent, 1, left) : left;
      threads *= blocks[l];
    }
    blocks[0] = blocks[heads] = 1;
    int64_t warps = (threads + target.warpSize - 1) / target.warpSize;
    return GpuTilingAttr::get(op->getContext(), blocks, {}, warps, std::nullopt,
                              std::nullopt);
  }
  // Linear attention (both rules) and ssd, one sequence per batch row,
  // a static key size: a block per (row, head, value tile) of 4 warps
  // working through the chunks together, the largest value tile (up to 64)
  // and then chunk (up to 64) whose tiles fit the static shared memory
  // (with bf16/f16 inputs, on tensor cores where they fit), chunks of 8
  // only where no value tile fits chunks of 16.
  auto la = dyn_cast<LinearAttentionOp>(op.getOperation());
  auto ssd = dyn_cast<SSDOp>(op.getOperation());
  if ((la || ssd) && hasGpuBlockBuilder(op)) {
    RecurrenceView view = la ? RecurrenceView::of(la) : RecurrenceView::of(ssd);
    int64_t gateRank = view.gateRank();
    int64_t K = cast<ShapedType>(view.q.getType()).getDimSize(3);
    int64_t gateCols = gateRank == 4 ? K : gateRank ? 1 : 0;
    std::optional<int64_t> V = getConstantIntValue(sizes[2]);
    // Tensor cores (bf16/f16) first: their tiles take chunks of 16 up and
    // value tiles of 8 up; then f32 on the threads.
    int64_t mmaBytes = chunkedRecurrenceMmaBytes(view);
    for (auto [bytes, minChunk] :
         {std::pair<int64_t, int64_t>{mmaBytes, 16}, {0, 16}, {0, 8}})
      for (int64_t vt : {64, 32, 16, 8}) {
        int64_t tile = V ? std::min(vt, *V) : vt;
        if (bytes && tile % 8)
          continue;
        for (int64_t chunk = 64; chunk >= minChunk; chunk /= 2)
          if (chunkedRecurrenceSharedBytes(chunk, K, tile, gateCols, bytes,
                                           bool(view.beta)) <=
              kStaticSharedMemoryBytes)
            return GpuTilingAttr::get(op->getContext(), {1, 1, tile, 0}, {}, 4,
                                      std::nullopt, chunk);
      }
  }
  // One point per block keeps any groups whole; a loop the op cannot be
  // sliced along but whose points are independent (segment_matmul's rows)
  // is spread over the grid by the scalar lowering.
  for (unsigned l = 0; l < kinds.size(); ++l)
    if (tileable(l) ||
        (kinds[l] == utils::IteratorType::parallel && op.isLoopSpreadable(l)))
      blocks[l] = 1;
  // Up to 128 threads on the thread loop, whole warps where it is wider
  // than one; a grouped loop keeps its groups whole.
  std::optional<int64_t> extent = getConstantIntValue(sizes[*threadLoop]);
  int64_t width = extent ? std::min(*extent, maxThreads) : maxThreads;
  if (width > int64_t(target.warpSize))
    width = width / target.warpSize * target.warpSize;
  if (extent && !respectsGroups(op, *threadLoop, width, *extent))
    width = 1;
  blocks[*threadLoop] = width;
  if (llvm::all_of(blocks, [](int64_t s) { return s == 0; }))
    return {};
  int64_t warps = (width + target.warpSize - 1) / target.warpSize;
  return GpuTilingAttr::get(op->getContext(), blocks, {}, warps, std::nullopt,
                            std::nullopt);
}
