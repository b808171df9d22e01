/*
 * numeric/quant_vec_sse2.c - the lane-parallel quantizer kernels with 4
 * float lanes: SSE2, which every x86-64 CPU has (quant_lanes.h says how
 * they stay bit-identical with the scalar ones). Compiled like every
 * quantizer source with -ffp-contract=off; elsewhere than x86-64 this file
 * is empty and the scalar kernels run.
 */
#include "numeric/quant_internal.h"

H2G_QUANT_CONTRACT_PROBE(h2g_quant_probe_vec_sse2)

#ifdef H2G_QUANT_X86
#define QV_N 4
#define QV_NAME "sse2"
#define QV_KERNELS h2g_qk_sse2
#include "numeric/quant_lanes.h"
#endif
