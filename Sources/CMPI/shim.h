#ifndef SUBCAST_CMPI_SHIM_H
#define SUBCAST_CMPI_SHIM_H

/* Umbrella header for the parts of MPI that Subcast uses (only with the package trait MPI:
   `swift build --traits MPI`; the default build never reads this file). Found through
   pkg-config `ompi-c` (Debian/Ubuntu: apt-get install libopenmpi-dev openmpi-bin).

   Open MPI defines its predefined handles (MPI_COMM_WORLD, MPI_BYTE, MPI_MAX, ...) as macros
   that expand to casts of global objects, which Swift cannot import; read them through these
   accessors instead. */

#include <mpi.h>

static inline MPI_Comm subcast_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype subcast_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype subcast_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype subcast_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op subcast_mpi_max(void) { return MPI_MAX; }
static inline MPI_Status *subcast_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int subcast_mpi_success(void) { return MPI_SUCCESS; }
static inline int subcast_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

#endif
