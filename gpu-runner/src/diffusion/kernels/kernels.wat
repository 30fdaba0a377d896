;; kernels: the samplers' per-value loops, two values at a time (WebAssembly SIMD, float64x2). Each loop does the
;; float64 operations of the JavaScript it stands for, in the same order, and rounds to float32 where that code
;; stores into a Float32Array: IEEE arithmetic gives the same bytes. Arguments are byte offsets of float32 arrays in
;; this module's memory (the result first) and a count of values n; a loop handles values in pairs, so with an odd n
;; it also writes the float after the last (kernels.ts keeps room for it).
(module
  (memory (export "memory") 1)

  ;; out = e_u + g (e_c - e_u)                                              (guidance.ts, combineGuidance)
  (func (export "guidance") (param $out i32) (param $uncond i32) (param $cond i32) (param $n i32) (param $g f64)
    (local $at i32) (local $end i32) (local $vg v128) (local $u v128)
    (local.set $vg (f64x2.splat (local.get $g)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $u (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $uncond) (local.get $at)))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $u)
              (f64x2.mul (local.get $vg)
                (f64x2.sub
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $cond) (local.get $at))))
                  (local.get $u))))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $pairs))))

  ;; out = keep xS + add z                                                  (forward-noise.ts, forwardNoise)
  (func (export "forwardNoise") (param $out i32) (param $xS i32) (param $z i32) (param $n i32)
    (param $keep f64) (param $add f64)
    (local $at i32) (local $end i32) (local $vkeep v128) (local $vadd v128)
    (local.set $vkeep (f64x2.splat (local.get $keep)))
    (local.set $vadd (f64x2.splat (local.get $add)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.mul (local.get $vkeep)
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $xS) (local.get $at)))))
              (f64x2.mul (local.get $vadd)
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $z) (local.get $at))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $pairs))))

  ;; Cycle-SDE's step above the clean level (cycle-sde.ts, cycleSdeStep):
  ;;   x0HatRec = (recT - cT eRec) / aT
  ;;   w = fround((recS - aS x0HatRec - dirCoeff eRec) / sigma)
  ;;   x0Hat = (x - cT e) / aT
  ;;   out = aS x0Hat + dirCoeff e + sigma w
  (func (export "cycleSdeStep")
    (param $out i32) (param $x i32) (param $e i32) (param $recT i32) (param $recS i32) (param $eRec i32)
    (param $n i32) (param $aT f64) (param $cT f64) (param $aS f64) (param $sigma f64) (param $dirCoeff f64)
    (local $at i32) (local $end i32)
    (local $vaT v128) (local $vcT v128) (local $vaS v128) (local $vsigma v128) (local $vdir v128)
    (local $ve v128) (local $veRec v128) (local $x0HatRec v128) (local $w v128) (local $x0Hat v128)
    (local.set $vaT (f64x2.splat (local.get $aT)))
    (local.set $vcT (f64x2.splat (local.get $cT)))
    (local.set $vaS (f64x2.splat (local.get $aS)))
    (local.set $vsigma (f64x2.splat (local.get $sigma)))
    (local.set $vdir (f64x2.splat (local.get $dirCoeff)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $veRec (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $eRec) (local.get $at)))))
        (local.set $ve (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $e) (local.get $at)))))
        (local.set $x0HatRec
          (f64x2.div
            (f64x2.sub
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $recT) (local.get $at))))
              (f64x2.mul (local.get $vcT) (local.get $veRec)))
            (local.get $vaT)))
        (local.set $w
          (f64x2.promote_low_f32x4
            (f32x4.demote_f64x2_zero
              (f64x2.div
                (f64x2.sub
                  (f64x2.sub
                    (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $recS) (local.get $at))))
                    (f64x2.mul (local.get $vaS) (local.get $x0HatRec)))
                  (f64x2.mul (local.get $vdir) (local.get $veRec)))
                (local.get $vsigma)))))
        (local.set $x0Hat
          (f64x2.div
            (f64x2.sub
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $at))))
              (f64x2.mul (local.get $vcT) (local.get $ve)))
            (local.get $vaT)))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $vaS) (local.get $x0Hat))
                (f64x2.mul (local.get $vdir) (local.get $ve)))
              (f64x2.mul (local.get $vsigma) (local.get $w)))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $pairs))))

  ;; x0Hat = (x - c e) / a;  out = a' x0Hat + c' e                      (eta-step.ts without noise; ddim-inversion.ts)
  (func (export "ddimStep") (param $out i32) (param $x i32) (param $e i32) (param $n i32)
    (param $a f64) (param $c f64) (param $aNext f64) (param $cNext f64)
    (local $at i32) (local $end i32) (local $va v128) (local $vc v128) (local $vaNext v128) (local $vcNext v128)
    (local $ve v128)
    (local.set $va (f64x2.splat (local.get $a)))
    (local.set $vc (f64x2.splat (local.get $c)))
    (local.set $vaNext (f64x2.splat (local.get $aNext)))
    (local.set $vcNext (f64x2.splat (local.get $cNext)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $ve (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $e) (local.get $at)))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.mul (local.get $vaNext)
                (f64x2.div
                  (f64x2.sub
                    (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $at))))
                    (f64x2.mul (local.get $vc) (local.get $ve)))
                  (local.get $va)))
              (f64x2.mul (local.get $vcNext) (local.get $ve)))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $pairs))))

  ;; x0Hat = (x - cT e) / aT;  out = aS x0Hat + dirCoeff e + sigma w                    (eta-step.ts with noise w)
  (func (export "etaStep") (param $out i32) (param $x i32) (param $e i32) (param $w i32) (param $n i32)
    (param $aT f64) (param $cT f64) (param $aS f64) (param $dirCoeff f64) (param $sigma f64)
    (local $at i32) (local $end i32) (local $vaT v128) (local $vcT v128) (local $vaS v128) (local $vdir v128)
    (local $vsigma v128) (local $ve v128)
    (local.set $vaT (f64x2.splat (local.get $aT)))
    (local.set $vcT (f64x2.splat (local.get $cT)))
    (local.set $vaS (f64x2.splat (local.get $aS)))
    (local.set $vdir (f64x2.splat (local.get $dirCoeff)))
    (local.set $vsigma (f64x2.splat (local.get $sigma)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $ve (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $e) (local.get $at)))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $vaS)
                  (f64x2.div
                    (f64x2.sub
                      (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $at))))
                      (f64x2.mul (local.get $vcT) (local.get $ve)))
                    (local.get $vaT)))
                (f64x2.mul (local.get $vdir) (local.get $ve)))
              (f64x2.mul (local.get $vsigma)
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $at))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $pairs))))

  ;; out = m x + (1 - m) kept, m the mask's value for each value of x        (mask-blend.ts, blendMask)
  (func (export "blendMask") (param $out i32) (param $x i32) (param $kept i32) (param $mask i32) (param $n i32)
    (local $at i32) (local $end i32) (local $vm v128) (local $one v128)
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $vm (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $mask) (local.get $at)))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $at))
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.mul (local.get $vm)
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $at)))))
              (f64x2.mul (f64x2.sub (local.get $one) (local.get $vm))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $kept) (local.get $at))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $pairs))))
)
