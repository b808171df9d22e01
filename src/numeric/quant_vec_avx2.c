/*
 * numeric/quant_vec_avx2.c - the lane-parallel quantizer kernels with 8
 * float lanes. CMakeLists.txt compiles this file alone with -mavx2 (never
 * -mfma: a fused multiply-add would change the bits) plus the quantizers'
 * -ffp-contract=off; quantize.c calls into it only after cpuid said the CPU
 * and the OS support AVX2. quant_lanes.h says how the lanes stay
 * bit-identical with the scalar kernels.
 */
#include "numeric/quant_internal.h"

#ifdef __FMA__
#error "quant_vec_avx2.c must be built without FMA (-mavx2 only): a fused a*b+c changes the bits"
#endif

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_vec_avx2)

#ifdef H2G_QUANT_X86
#ifndef __AVX2__
#error "quant_vec_avx2.c needs -mavx2 (see CMakeLists.txt)"
#endif
#define QV_N 8
#define QV_NAME "avx2"
#define QV_KERNELS h2g_qk_avx2
#include "numeric/quant_lanes.h"
#endif
