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

/* Swift 6 rejects mutable C globals as not concurrency-safe; read them through accessors. */
static inline const char *subcast_gsl_version(void) { return gsl_version; }

#endif
