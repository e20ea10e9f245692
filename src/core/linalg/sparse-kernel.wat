;; The sparse scoring kernel (sparse-matmul.ts): one query row against an inverted index.
;; WebAssembly because the same loop in JavaScript costs about 2.5x as much per multiply-add
;; (bounds checks on three typed arrays; docs/benchmarks.md, "Scoring backends").
;;
;; Exactness: sums[c] accumulates q_t * value in float64 over the row's non-zero dimensions t in
;; ascending order, the float32 factors promoted first, the total demoted to float32 at the end:
;; the very IEEE operations, in the same order, of the JavaScript kernels (jsMatmul), so every score
;; is theirs bit for bit.
;;
;; Rebuild the embedded binary after editing: npm run build:wasm (scripts/build-wasm.ts).
(module
  (memory (export "memory") 1)
  ;; start: int32[dim + 1] posting offsets; candidate: int32 / value: float32 postings;
  ;; dims: int32[nonZero] and weights: float64[nonZero], the row's non-zero dimensions ascending;
  ;; sums: float64[candidates] scratch; out: float32[candidates], the row's scores.
  (func (export "scoreRow")
    (param $start i32) (param $candidate i32) (param $value i32)
    (param $dims i32) (param $weights i32) (param $nonZero i32)
    (param $sums i32) (param $candidates i32) (param $out i32)
    (local $i i32) (local $q f64) (local $p i32) (local $end i32) (local $at i32) (local $c i32)
    (memory.fill (local.get $sums) (i32.const 0) (i32.shl (local.get $candidates) (i32.const 3)))
    (block $dimsDone (loop $eachDim
      (br_if $dimsDone (i32.ge_u (local.get $i) (local.get $nonZero)))
      (local.set $q (f64.load (i32.add (local.get $weights) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $at (i32.add (local.get $start) (i32.shl (i32.load (i32.add (local.get $dims) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
      (local.set $p (i32.load (local.get $at)))
      (local.set $end (i32.load offset=4 (local.get $at)))
      (block $postingsDone (loop $eachPosting
        (br_if $postingsDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $at (i32.add (local.get $sums)
          (i32.shl (i32.load (i32.add (local.get $candidate) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3))))
        (f64.store (local.get $at)
          (f64.add (f64.load (local.get $at))
            (f64.mul (local.get $q) (f64.promote_f32 (f32.load (i32.add (local.get $value) (i32.shl (local.get $p) (i32.const 2))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $eachPosting)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $eachDim)))
    (block $outDone (loop $eachCandidate
      (br_if $outDone (i32.ge_u (local.get $c) (local.get $candidates)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $sums) (i32.shl (local.get $c) (i32.const 3))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $eachCandidate)))
  )
)
