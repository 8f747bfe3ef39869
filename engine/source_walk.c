#include "source_walk.h"

#include "in_dir_names.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One folder being listed: its entries in name order, and the next one. */
struct walk_folder {
    char *dir;
    struct dirent **ents;
    int n, next;
};

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int source_check(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return 0;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        if (!dir) {
            snprintf(err, errlen, "%s: cannot read folder: %s", path,
                     strerror(errno));
            return -1;
        }
        closedir(dir);
        return 0;
    }
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void source_walk_init(struct source_walk *w, char *const *paths, size_t n)
{
    memset(w, 0, sizeof(*w));
    w->roots = xcalloc(n ? n : 1, sizeof(*w->roots));
    for (size_t i = 0; i < n; i++)
        w->roots[i] = xstrdup(paths[i]);
    w->nroots = n;
}

static const char *set_path(struct source_walk *w, const char *dir,
                            const char *name)
{
    size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    w->path = xgrow(w->path, &w->path_cap, len, 1);
    if (dir)
        snprintf(w->path, len, "%s/%s", dir, name);
    else
        memcpy(w->path, name, len);
    return w->path;
}

/* Start listing the folder w->path; a folder that cannot be listed is
 * reported and passed over. */
static void enter(struct source_walk *w, struct diag *d)
{
    struct dirent **ents;
    int n = scandir(w->path, &ents, NULL, by_name);
    if (n < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot read folder: %s", strerror(errno));
        diag_skip(d, SKIP_READ_ERROR, w->path, NULL, 0, why);
        return;
    }
    w->stack = xgrow(w->stack, &w->cap, w->depth + 1, sizeof(*w->stack));
    w->stack[w->depth++] = (struct walk_folder){xstrdup(w->path), ents, n, 0};
}

static void leave(struct source_walk *w)
{
    struct walk_folder *f = &w->stack[--w->depth];
    for (int i = f->next; i < f->n; i++)
        free(f->ents[i]);
    free(f->ents);
    xfree(f->dir);
}

/* The type of the entry e at w->path: from the folder itself, stat only
 * when the file system does not say, or for a symbolic link. */
static unsigned char entry_type(const struct source_walk *w,
                                const struct dirent *e)
{
    struct stat st;
    if (e->d_type != DT_UNKNOWN && e->d_type != DT_LNK)
        return e->d_type;
    return stat(w->path, &st) != 0 ? DT_UNKNOWN
           : S_ISDIR(st.st_mode)   ? DT_DIR
           : S_ISREG(st.st_mode)   ? DT_REG
                                   : DT_UNKNOWN;
}

const char *source_walk_next(struct source_walk *w, struct diag *d)
{
    for (;;) {
        if (w->depth == 0) {
            struct stat st;
            if (w->root >= w->nroots)
                return NULL;
            const char *r = w->roots[w->root++];
            set_path(w, NULL, r);
            if (strcmp(r, "-") == 0 || stat(r, &st) != 0 || !S_ISDIR(st.st_mode))
                return w->path; /* named: read whatever its name */
            enter(w, d);
            continue;
        }
        struct walk_folder *f = &w->stack[w->depth - 1];
        if (f->next >= f->n) {
            leave(w);
            continue;
        }
        struct dirent *e = f->ents[f->next++];
        int file = 0;
        if (e->d_name[0] != '.') {
            set_path(w, f->dir, e->d_name);
            unsigned char type = entry_type(w, e);
            if (type == DT_DIR && !in_dir_folder_passed(e->d_name))
                enter(w, d); /* f may have moved */
            else if (type == DT_REG && in_dir_name_wanted(e->d_name))
                file = 1;
            else
                d->files_passed++;
        }
        free(e);
        if (file)
            return w->path;
    }
}

void source_walk_rewind(struct source_walk *w)
{
    while (w->depth)
        leave(w);
    w->root = 0;
}

int source_walk_single(const struct source_walk *w)
{
    struct stat st;
    return w->nroots == 1 && (strcmp(w->roots[0], "-") == 0 ||
                              stat(w->roots[0], &st) != 0 || !S_ISDIR(st.st_mode));
}

int source_walk_stdin(const struct source_walk *w)
{
    for (size_t i = 0; i < w->nroots; i++)
        if (strcmp(w->roots[i], "-") == 0)
            return 1;
    return 0;
}

void source_walk_free(struct source_walk *w)
{
    source_walk_rewind(w);
    for (size_t i = 0; i < w->nroots; i++)
        xfree(w->roots[i]);
    xfree(w->roots);
    xfree(w->stack);
    xfree(w->path);
    memset(w, 0, sizeof(*w));
}
