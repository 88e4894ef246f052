/* Output files written atomically: each file is written under a temporary name in its final folder and renamed
 * into place only when complete, so a crash or an error never leaves a half-written output behind
 * (rename(2) within one file system is atomic). */
#ifndef CASCADE_OUTPUT_H
#define CASCADE_OUTPUT_H

#include "status.h"

#include <stdbool.h>
#include <stdio.h>

#define OUTPUT_PATH_MAX 4096

typedef struct OutFile {
    FILE *fp;                          /* write through this (fprintf, fputs, ...) */
    char final_path[OUTPUT_PATH_MAX];
    char temp_path[OUTPUT_PATH_MAX];
} OutFile;

/* Creates `dir` and its parents if missing (mode 0777 & umask). STATUS_IO with errno set on failure. */
Status output_make_dir(const char *dir);
/* Opens dir/name for writing under the temporary name dir/.name.tmp.<pid>. STATUS_IO or STATUS_RANGE (path too
 * long) on failure. */
Status output_open(OutFile *f, const char *dir, const char *name);
/* Flushes, closes and renames into place; STATUS_IO (and the temporary removed) if any write failed. */
Status output_commit(OutFile *f);
/* Closes and deletes the temporary file; the final path is untouched. Safe on a file never opened. */
void output_abort(OutFile *f);

#endif
