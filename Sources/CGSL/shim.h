#ifndef SUBCAST_CGSL_SHIM_H
#define SUBCAST_CGSL_SHIM_H

/* Umbrella header for the parts of GSL that Subcast uses. This module provides no
   stable Swift API; SubcastStochastics wraps it. */

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_result.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_eigen.h>

/* Swift 6 rejects mutable C globals as not concurrency-safe; read them through accessors. */
static inline const char *subcast_gsl_version(void) { return gsl_version; }
static inline const gsl_multimin_fminimizer_type *subcast_multimin_nmsimplex2(void) {
    return gsl_multimin_fminimizer_nmsimplex2;
}
static inline const gsl_root_fsolver_type *subcast_root_fsolver_brent(void) { return gsl_root_fsolver_brent; }

#endif
