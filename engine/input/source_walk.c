#include "source_walk.h"

#include "in_dir_names.h"
#include "source.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Folders deeper than this are listed without keeping a descriptor on
 * them (their entries are looked up by path), so that a deep tree does not
 * run out of descriptors. */
#define FD_DEPTH 64

/* One entry of a folder: its name, type and inode number as the folder
 * says. */
struct walk_ent {
    char *name;
    unsigned char type; /* DT_* */
    ino_t ino;
};

/* One folder being listed: its entries in name order, and the next one. */
struct walk_folder {
    char *dir;
    struct walk_ent *ents;
    size_t n, next;
    int fd;        /* the folder, to look entries up in; -1: by path */
    dev_t dev;     /* its identity, to know a loop back to it */
    ino_t ino;
    int dino;      /* whether its entries' inode numbers are their files':
                      -1 not known yet, 0 no (stat each), 1 yes */
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct walk_ent *)a)->name,
                  ((const struct walk_ent *)b)->name);
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
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: %s, neither a regular file nor a folder "
                 "(give - to read standard input)", path, source_kind(st.st_mode));
        return -1;
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

/* Report w->path: a read error (skip) or passed over, to the hook or d. */
static void note(struct source_walk *w, struct diag *d, int skip, int reason,
                 const char *detail)
{
    if (w->on_note)
        w->on_note(w->ctx, skip, reason, w->path, detail);
    else if (skip)
        diag_skip(d, (enum skip_reason)reason, w->path, NULL, 0, detail);
    else
        diag_pass(d, (enum pass_reason)reason, w->path, detail);
}

static void note_errno(struct source_walk *w, struct diag *d, const char *what)
{
    char why[256];
    snprintf(why, sizeof why, "%s: %s", what, strerror(errno));
    note(w, d, 1, SKIP_READ_ERROR, why);
}

/* The folder of the walk with identity st, or NULL: a loop back to it. */
static const struct walk_folder *on_path(const struct source_walk *w,
                                         const struct stat *st)
{
    for (size_t i = 0; i < w->depth; i++)
        if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino)
            return &w->stack[i];
    return NULL;
}

/* Whether the folder at w->path (identity st) is to be entered: new to
 * the walk (if not, it is reported as passed over) and not refused by the
 * on_folder hook. */
static int folder_new(struct source_walk *w, struct diag *d,
                      const struct stat *st)
{
    char why[512];
    if (st->st_ino == 0) /* no identity to go by */
        return !w->on_folder || w->on_folder(w->ctx, w->path) == 0;
    const struct walk_folder *f = on_path(w, st);
    if (f) {
        snprintf(why, sizeof why, "leads back to %s, a folder the walk is in",
                 f->dir);
        note(w, d, 0, PASS_LOOP, why);
        return 0;
    }
    if (idset_has(&w->folders, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) {
        note(w, d, 0, PASS_SAME_FOLDER, "a folder walked already");
        return 0;
    }
    if (w->on_folder && w->on_folder(w->ctx, w->path) != 0)
        return 0;
    idset_add(&w->folders, (uint64_t)st->st_dev, (uint64_t)st->st_ino);
    return 1;
}

/* The entries of the open folder dir, hidden ones left out, sorted by
 * name.  Returns 0, or -1 (errno) with nothing kept. */
static int list(DIR *dir, struct walk_folder *f)
{
    size_t cap = 0;
    struct dirent *e;
    f->ents = NULL;
    f->n = f->next = 0;
    for (errno = 0; (e = readdir(dir)) != NULL; errno = 0) {
        if (e->d_name[0] == '.')
            continue;
        f->ents = xgrow(f->ents, &cap, f->n + 1, sizeof *f->ents);
        f->ents[f->n++] = (struct walk_ent){xstrdup(e->d_name), e->d_type, e->d_ino};
    }
    if (errno) {
        int err = errno;
        for (size_t i = 0; i < f->n; i++)
            xfree(f->ents[i].name);
        xfree(f->ents);
        errno = err;
        return -1;
    }
    if (f->n)
        qsort(f->ents, f->n, sizeof *f->ents, by_name);
    return 0;
}

/* Start listing the folder w->path, when it is new to the walk; one that
 * cannot be listed is reported and passed over. */
static void enter(struct source_walk *w, struct diag *d)
{
    struct stat st;
    struct walk_folder f = {0};
    int fd = open(w->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        note_errno(w, d, "cannot read folder");
        if (fd >= 0)
            close(fd);
        return;
    }
    if (!folder_new(w, d, &st)) {
        close(fd);
        return;
    }
    int keep = w->depth < FD_DEPTH ? dup(fd) : -1;
    DIR *dir = fdopendir(fd);
    if (!dir || list(dir, &f) != 0) {
        note_errno(w, d, "cannot read folder");
        if (dir)
            closedir(dir);
        else
            close(fd);
        if (keep >= 0)
            close(keep);
        return;
    }
    closedir(dir);
    f.dir = xstrdup(w->path);
    f.fd = keep;
    f.dev = st.st_dev;
    f.ino = st.st_ino;
    f.dino = -1;
    w->stack = xgrow(w->stack, &w->cap, w->depth + 1, sizeof(*w->stack));
    w->stack[w->depth++] = f;
}

static void leave(struct source_walk *w)
{
    struct walk_folder *f = &w->stack[--w->depth];
    for (size_t i = 0; i < f->n; i++)
        xfree(f->ents[i].name);
    xfree(f->ents);
    if (f->fd >= 0)
        close(f->fd);
    xfree(f->dir);
}

/* Whether the regular file at w->path, identity (dev, ino), is to be
 * handed over: not met before on this walk (otherwise it is reported).  st
 * is its status, or NULL when not looked up yet.  An inode number 0 says
 * nothing (some file systems give no numbers): such a file is not checked. */
static int file_new(struct source_walk *w, struct diag *d, dev_t dev,
                    ino_t ino, const struct stat *st, int linked)
{
    if (ino != 0 && !idset_add(&w->files, (uint64_t)dev, (uint64_t)ino)) {
        note(w, d, 0, PASS_SAME_FILE, "the same file as one read already "
             "(a link or hard link to it, or named twice)");
        return 0;
    }
    w->have_st = st != NULL;
    if (st)
        w->st = *st;
    w->linked = linked;
    return 1;
}

static unsigned char type_of(mode_t mode)
{
    return S_ISDIR(mode)    ? DT_DIR
           : S_ISREG(mode)  ? DT_REG
           : S_ISLNK(mode)  ? DT_LNK
           : S_ISFIFO(mode) ? DT_FIFO
           : S_ISCHR(mode)  ? DT_CHR
           : S_ISBLK(mode)  ? DT_BLK
           : S_ISSOCK(mode) ? DT_SOCK
                            : DT_UNKNOWN;
}

/* Look up entry e of folder f (w->path), links followed when follow. */
static int lookup(const struct walk_folder *f, const struct walk_ent *e,
                  const char *path, int follow, struct stat *st)
{
    int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
    return f->fd >= 0 ? fstatat(f->fd, e->name, st, flags)
                      : fstatat(AT_FDCWD, path, st, flags);
}

/* Whether the entry e of folder f (w->path), of type type (links
 * followed; st its status when linked), is a file to hand over. */
static int take_file(struct source_walk *w, struct diag *d,
                     struct walk_folder *f, const struct walk_ent *e,
                     unsigned char type, struct stat *st, int linked)
{
    if (type != DT_REG) {
        char why[128];
        if (!linked && lookup(f, e, w->path, 0, st) != 0)
            st->st_mode = 0;
        snprintf(why, sizeof why, "%s, not a regular file", source_kind(st->st_mode));
        note(w, d, 0, PASS_NOT_FILE, why);
        return 0;
    }
    if (linked)
        return file_new(w, d, st->st_dev, st->st_ino, st, 1);
    /* A plain entry: its folder's device and the inode number it lists,
     * once the first file looked up showed them to be the file's own (so
     * that a tree of many files costs no lookup each). */
    if (f->dino == 1)
        return file_new(w, d, f->dev, e->ino, NULL, 0);
    if (lookup(f, e, w->path, 0, st) != 0) {
        note_errno(w, d, "cannot read");
        return 0;
    }
    if (f->dino < 0)
        f->dino = e->ino != 0 && st->st_ino == e->ino && st->st_dev == f->dev;
    return file_new(w, d, st->st_dev, st->st_ino, st, 0);
}

/* Take entry e of folder f (w->path set to it): enter a folder, or say
 * whether it is a file to hand over (1); what is passed over is counted. */
static int take(struct source_walk *w, struct diag *d, struct walk_folder *f,
                const struct walk_ent *e)
{
    struct stat st;
    unsigned char type = e->type;
    int linked = 0;
    if (type == DT_UNKNOWN) { /* the file system does not say */
        if (lookup(f, e, w->path, 0, &st) != 0) {
            note_errno(w, d, "cannot read");
            return 0;
        }
        type = type_of(st.st_mode);
    }
    if (type == DT_LNK) {
        if (lookup(f, e, w->path, 1, &st) != 0) {
            if (in_dir_name_wanted(e->name))
                note_errno(w, d, "cannot follow symbolic link");
            else
                d->files_passed++;
            return 0;
        }
        type = type_of(st.st_mode);
        linked = 1;
    }
    if (type == DT_DIR) {
        if (in_dir_folder_passed(e->name))
            d->files_passed++;
        else
            enter(w, d); /* f may have moved */
        return 0;
    }
    if (!in_dir_name_wanted(e->name)) {
        d->files_passed++;
        return 0;
    }
    return take_file(w, d, f, e, type, &st, linked);
}

/* Take the next path named (w->path set to it); 1: a file to hand over. */
static int take_root(struct source_walk *w, struct diag *d)
{
    struct stat st;
    const char *r = w->path;
    if (strcmp(r, "-") == 0) { /* standard input, once */
        if (fstat(STDIN_FILENO, &st) == 0 &&
            !idset_add(&w->files, (uint64_t)st.st_dev, (uint64_t)st.st_ino)) {
            note(w, d, 0, PASS_SAME_FILE, "standard input named twice");
            return 0;
        }
        w->linked = 1;
        return 1;
    }
    if (stat(r, &st) != 0)
        return 1; /* named: opening it says what is wrong */
    if (S_ISDIR(st.st_mode)) {
        enter(w, d);
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        char why[128];
        snprintf(why, sizeof why, "%s, not a regular file", source_kind(st.st_mode));
        note(w, d, 0, PASS_NOT_FILE, why);
        return 0;
    }
    return file_new(w, d, st.st_dev, st.st_ino, &st, 1); /* named: read whatever its name */
}

const char *source_walk_next(struct source_walk *w, struct diag *d)
{
    for (;;) {
        if (w->depth == 0) {
            if (w->root >= w->nroots)
                return NULL;
            set_path(w, NULL, w->roots[w->root++]);
            if (take_root(w, d))
                return w->path;
            continue;
        }
        struct walk_folder *f = &w->stack[w->depth - 1];
        if (f->next >= f->n) {
            leave(w);
            continue;
        }
        const struct walk_ent *e = &f->ents[f->next++];
        set_path(w, f->dir, e->name);
        if (take(w, d, f, e))
            return w->path;
    }
}

const struct stat *source_walk_stat(struct source_walk *w)
{
    if (!w->have_st && stat(w->path, &w->st) != 0)
        memset(&w->st, 0, sizeof w->st);
    w->have_st = 1;
    return &w->st;
}

int source_walk_linked(const struct source_walk *w)
{
    return w->linked;
}

void source_walk_rewind(struct source_walk *w)
{
    while (w->depth)
        leave(w);
    w->root = 0;
    idset_clear(&w->folders);
    idset_clear(&w->files);
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
    idset_free(&w->folders);
    idset_free(&w->files);
    memset(w, 0, sizeof(*w));
}
