/*
 * numeric/quant_search.h - the three scale searches the K types run on each
 * sub-block (quantization-reference.md §3.3 - §3.5). Private to the
 * quantizer sources.
 */
#ifndef HF2GGUF_NUMERIC_QUANT_SEARCH_H
#define HF2GGUF_NUMERIC_QUANT_SEARCH_H

#include <stdint.h>

/* Parameters of S1 (the table of §3.3). */
typedef struct qf_s1_params {
    int nmax;     /* levels 0..nmax */
    float rmin;   /* first trial offset */
    float rdelta; /* offset step */
    int nstep;    /* trials k = 0..nstep */
    int mad;      /* 1: absolute error, 0: squared error */
} qf_s1_params;

/* S1: asymmetric scale + min fit of n values x with weights w. Writes the
 * levels L[0..n-1] (0..nmax) and *negmin (= -min, >= 0 or -0.0); returns
 * the scale. */
float h2g_search_s1(int n, const float *x, const float *w, const qf_s1_params *p, uint8_t *L,
                    float *negmin);

/* S2: symmetric fit with x^2 weights and 18 trial scales. Levels L in
 * 0..2*nmax-1 (offset +nmax); returns the signed scale (0 for a block
 * below EPS, L all 0). */
float h2g_search_s2(int n, int nmax, const float *x, uint8_t *L);

/* S3: symmetric fit refined by coordinate descent (Q3_K: n 16, nmax 4).
 * Levels L in 0..2*nmax-1 (offset +nmax, but all 0 for a block below EPS);
 * returns the signed scale. */
float h2g_search_s3(int n, int nmax, const float *x, uint8_t *L);

#endif
