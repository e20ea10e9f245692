;; The sparse kernels (sparse-matmul.ts): scoring one query row against an inverted index, and a
;; block of mostly-zero rows times a dense matrix. WebAssembly because the scoring loop in JavaScript
;; costs about 2.5x as much per multiply-add (bounds checks on three typed arrays; docs/benchmarks.md,
;; "Scoring backends"), and JavaScript has no SIMD for the product.
;;
;; Scoring exactness: sums[c] accumulates q_t * value in float64 over the row's non-zero dimensions t in
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

  ;; out (rows x width, zeroed by the caller) += x · matrix for a block of mostly-zero rows x given
  ;; by matrix row: entries starts[t] .. starts[t + 1] are the (row, weight) pairs of x's non-zero
  ;; values in column t. Looping over t outside reads each matrix row once for every row of the
  ;; block that needs it. Each output is a float32 sum over t ascending, sixteen, then four, then one
  ;; column a turn: the same numbers wherever it runs (WebAssembly's f32x4 has no fused multiply-add).
  (func (export "sparseTimesDense")
    (param $starts i32) (param $entryRows i32) (param $entryWeights i32) (param $inner i32)
    (param $matrix i32) (param $width i32) (param $out i32)
    (local $t i32) (local $p i32) (local $end i32) (local $w f32) (local $wide v128)
    (local $row i32) (local $target i32) (local $a i32) (local $b i32) (local $stop i32)
    (block $columnsDone (loop $eachColumn
      (br_if $columnsDone (i32.ge_u (local.get $t) (local.get $inner)))
      (local.set $p (i32.load (i32.add (local.get $starts) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $end (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $row (i32.add (local.get $matrix) (i32.shl (i32.mul (local.get $t) (local.get $width)) (i32.const 2))))
      (block $entriesDone (loop $eachEntry
        (br_if $entriesDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $w (f32.load (i32.add (local.get $entryWeights) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $wide (f32x4.splat (local.get $w)))
        (local.set $target (i32.add (local.get $out)
          (i32.shl (i32.mul (i32.load (i32.add (local.get $entryRows) (i32.shl (local.get $p) (i32.const 2)))) (local.get $width)) (i32.const 2))))
        (local.set $a (local.get $target))
        (local.set $b (local.get $row))
        (local.set $stop (i32.add (local.get $target) (i32.shl (i32.and (local.get $width) (i32.const -16)) (i32.const 2))))
        (block $sixteensDone (loop $eachSixteen
          (br_if $sixteensDone (i32.ge_u (local.get $a) (local.get $stop)))
          (v128.store offset=0 (local.get $a) (f32x4.add (v128.load offset=0 (local.get $a)) (f32x4.mul (local.get $wide) (v128.load offset=0 (local.get $b)))))
          (v128.store offset=16 (local.get $a) (f32x4.add (v128.load offset=16 (local.get $a)) (f32x4.mul (local.get $wide) (v128.load offset=16 (local.get $b)))))
          (v128.store offset=32 (local.get $a) (f32x4.add (v128.load offset=32 (local.get $a)) (f32x4.mul (local.get $wide) (v128.load offset=32 (local.get $b)))))
          (v128.store offset=48 (local.get $a) (f32x4.add (v128.load offset=48 (local.get $a)) (f32x4.mul (local.get $wide) (v128.load offset=48 (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 64)))
          (local.set $b (i32.add (local.get $b) (i32.const 64)))
          (br $eachSixteen)))
        (local.set $stop (i32.add (local.get $target) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
        (block $foursDone (loop $eachFour
          (br_if $foursDone (i32.ge_u (local.get $a) (local.get $stop)))
          (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a)) (f32x4.mul (local.get $wide) (v128.load (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (br $eachFour)))
        (local.set $stop (i32.add (local.get $target) (i32.shl (local.get $width) (i32.const 2))))
        (block $onesDone (loop $eachOne
          (br_if $onesDone (i32.ge_u (local.get $a) (local.get $stop)))
          (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.mul (local.get $w) (f32.load (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 4)))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (br $eachOne)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $eachEntry)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $eachColumn)))
  )
)
