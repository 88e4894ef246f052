#include "output.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static Status make_one_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return STATUS_OK;
    return STATUS_IO;
}

Status output_make_dir(const char *dir)
{
    char path[OUTPUT_PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) return STATUS_RANGE;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (path[i] != '/') continue;
        path[i] = '\0';
        if (make_one_dir(path) != STATUS_OK) return STATUS_IO;
        path[i] = '/';
    }
    Status s = make_one_dir(path);
    struct stat st;
    if (s == STATUS_OK && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))) return STATUS_IO;
    return s;
}

Status output_open(OutFile *f, const char *dir, const char *name)
{
    memset(f, 0, sizeof *f);
    int a = snprintf(f->final_path, sizeof f->final_path, "%s/%s", dir, name);
    int b = snprintf(f->temp_path, sizeof f->temp_path, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    if (a < 0 || b < 0 || (size_t)a >= sizeof f->final_path || (size_t)b >= sizeof f->temp_path) {
        return STATUS_RANGE;
    }
    f->fp = fopen(f->temp_path, "w");
    return f->fp ? STATUS_OK : STATUS_IO;
}

Status output_commit(OutFile *f)
{
    if (!f->fp) return STATUS_IO;
    bool failed = ferror(f->fp) != 0;
    failed |= fclose(f->fp) != 0;
    f->fp = NULL;
    if (!failed && rename(f->temp_path, f->final_path) == 0) return STATUS_OK;
    int saved = errno;
    remove(f->temp_path);
    errno = saved;
    return STATUS_IO;
}

void output_abort(OutFile *f)
{
    if (!f->fp) return;
    fclose(f->fp);
    f->fp = NULL;
    remove(f->temp_path);
}
