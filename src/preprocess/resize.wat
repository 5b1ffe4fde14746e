;; Pillow's two resampling passes in WebAssembly SIMD: the same integer arithmetic as cpu.ts
;; (22-bit fixed-point taps, int32 sums that wrap as JavaScript's `| 0` does, an arithmetic shift,
;; each pass clamped to 0…255), four lanes at a time. Compiled by scripts/build-wasm.ts into
;; resize-wasm.ts; run by wasm.ts, which lays out the memory (every address below is a byte offset
;; in it) and keeps the JavaScript passes where WebAssembly SIMD is missing.
(module
  (memory (export "memory") 1)

  ;; Horizontal pass over `n` rows of RGBA pixels: row y starts at pixel `base + y·w` of `px`;
  ;; output pixel j of a row reads `count[j]` pixels from `start[j]` with weights
  ;; `weights[j·ksize …]`, and is written as 3 bytes (R, G, B) at `tmp` onwards. The store of a
  ;; pixel writes a 4th byte that the next one overwrites: `tmp` needs one spare byte at its end.
  (func (export "hpass")
    (param $px i32) (param $base i32) (param $w i32) (param $S i32)
    (param $start i32) (param $count i32) (param $weights i32) (param $ksize i32)
    (param $tmp i32) (param $n i32)
    (local $y i32) (local $j i32) (local $row i32) (local $p i32) (local $k i32) (local $end i32)
    (local $acc v128) (local $o i32)
    (local.set $o (local.get $tmp))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $y) (local.get $n)))
        (local.set $row
          (i32.add (local.get $px)
            (i32.shl (i32.add (local.get $base) (i32.mul (local.get $y) (local.get $w))) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $S)))
            (local.set $k
              (i32.add (local.get $weights) (i32.shl (i32.mul (local.get $j) (local.get $ksize)) (i32.const 2))))
            (local.set $end
              (i32.add (local.get $k)
                (i32.shl (i32.load (i32.add (local.get $count) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))
            (local.set $p
              (i32.add (local.get $row)
                (i32.shl (i32.load (i32.add (local.get $start) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))
            ;; 1 << 21: half of one in 22-bit fixed point, so that the shift rounds
            (local.set $acc (i32x4.splat (i32.const 2097152)))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $k) (local.get $end)))
                (local.set $acc
                  (i32x4.add (local.get $acc)
                    (i32x4.mul
                      (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                      (v128.load32_splat (local.get $k)))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $taps)))
            ;; >> 22, then the two saturating narrowings clamp to 0…255 as clip8 does
            (local.set $acc (i32x4.shr_s (local.get $acc) (i32.const 22)))
            (local.set $acc (i16x8.narrow_i32x4_s (local.get $acc) (local.get $acc)))
            (v128.store32_lane 0 (local.get $o) (i8x16.narrow_i16x8_u (local.get $acc) (local.get $acc)))
            (local.set $o (i32.add (local.get $o) (i32.const 3)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))

  ;; Vertical pass: output row i (S·3 bytes) sums `count[i]` rows of `tmp` from row
  ;; `start[i] - rowFirst`, 16 bytes at a time. The last 16 bytes of a row may reach past it: the
  ;; next row's pass overwrites them, and `tmp` and `out` need 16 spare bytes at their ends.
  (func (export "vpass")
    (param $tmp i32) (param $start i32) (param $count i32) (param $weights i32) (param $ksize i32)
    (param $rowFirst i32) (param $S i32) (param $out i32)
    (local $stride i32) (local $i i32) (local $j i32) (local $k i32) (local $end i32) (local $kk i32)
    (local $rowBase i32) (local $p i32) (local $v v128) (local $lo v128) (local $hi v128) (local $wv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $stride (i32.mul (local.get $S) (i32.const 3)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $S)))
        (local.set $k
          (i32.add (local.get $weights) (i32.shl (i32.mul (local.get $i) (local.get $ksize)) (i32.const 2))))
        (local.set $end
          (i32.add (local.get $k)
            (i32.shl (i32.load (i32.add (local.get $count) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
        (local.set $rowBase
          (i32.add (local.get $tmp)
            (i32.mul
              (i32.sub (i32.load (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowFirst))
              (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $chunks_done
          (loop $chunks
            (br_if $chunks_done (i32.ge_u (local.get $j) (local.get $stride)))
            (local.set $a0 (i32x4.splat (i32.const 2097152)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $p (i32.add (local.get $rowBase) (local.get $j)))
            (local.set $kk (local.get $k))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $kk) (local.get $end)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $wv (v128.load32_splat (local.get $kk)))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $wv))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $wv))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $wv))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $wv))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
                (br $taps)))
            (v128.store
              (i32.add (local.get $out) (i32.add (i32.mul (local.get $i) (local.get $stride)) (local.get $j)))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $a0) (i32.const 22))
                  (i32x4.shr_s (local.get $a1) (i32.const 22)))
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $a2) (i32.const 22))
                  (i32x4.shr_s (local.get $a3) (i32.const 22)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $chunks)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
