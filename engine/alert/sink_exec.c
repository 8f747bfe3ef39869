/*
 * sink_exec — every Start and End record piped to a command.
 *
 * sinks.argv is run directly (execvp: no shell, so nothing in a record can
 * be read as shell syntax), in its own process group, with the Insight
 * record and a newline on standard input, standard output sent to our
 * standard error (our standard output may carry Insight records), and
 * CTINSIGHTS_EVENT (Start or End) and CTINSIGHTS_SHARED_EVENT_ID in its
 * environment.  Exit status 0 is delivered; 75 (EX_TEMPFAIL), death by a
 * signal, or running past sinks.timeout (the group is then killed) is
 * retried; any other status is a permanent failure.  The sink ignores
 * SIGPIPE for the process, so a command that does not read its input
 * cannot kill ctinsights.
 */
#include "alert.h"
#include "alert_insight.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The exit status that asks for a retry (sysexits.h EX_TEMPFAIL). */
#define EXIT_TEMPFAIL 75

static int exec_open(struct alert_sink *s, char *err, size_t errlen)
{
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void exec_close(struct alert_sink *s)
{
}

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In the child: stdin from fd, stdout to stderr, the environment, exec. */
static void child(const struct config_sink *cfg, int fd,
                  const struct alert_insight *ai)
{
    setpgid(0, 0);
    if (dup2(fd, STDIN_FILENO) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        _exit(127);
    close(fd);
    setenv("CTINSIGHTS_EVENT", ai->state, 1);
    setenv("CTINSIGHTS_SHARED_EVENT_ID", ai->shared_id, 1);
    execvp(cfg->argv[0], cfg->argv);
    fprintf(stderr, "ctinsights: sink exec: cannot run %s: %s\n",
            cfg->argv[0], strerror(errno));
    _exit(127);
}

/* Write all of buf to fd (non-blocking) before deadline: 0, or -1 when
 * the command stopped reading or time ran out. */
static int feed(int fd, const char *buf, size_t len, double deadline)
{
    while (len > 0) {
        struct pollfd p = {fd, POLLOUT, 0};
        int ms = (int)((deadline - mono()) * 1000);
        ssize_t w;

        if (ms <= 0 || poll(&p, 1, ms) <= 0)
            return -1;
        w = write(fd, buf, len);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (w > 0) {
            buf += w;
            len -= (size_t)w;
        }
    }
    return 0;
}

/* Wait for pid until deadline: 0 with *status, or -1 when time ran out
 * (the process group is then killed and reaped). */
static int wait_until(pid_t pid, double deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        struct timespec nap = {0, 5 * 1000 * 1000};

        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (mono() >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return -1;
        }
        nanosleep(&nap, NULL);
    }
}

static void exec_send(struct alert_sink *s, const struct alert *a,
                      struct alert_outcome *o)
{
    const struct config_sink *cfg = s->cfg;
    double deadline = mono() + cfg->timeout;
    struct alert_insight ai;
    char *text = json_dumps(a->record, s->dump_flags);
    int fds[2], status = 0, fed;
    pid_t pid;

    if (!alert_subject(a, &ai, o)) {
        xfree(text);
        return;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        o->result = ALERT_RETRY;
        snprintf(o->detail, sizeof o->detail, "cannot make a pipe: %s",
                 strerror(errno));
        xfree(text);
        return;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0)
        child(cfg, fds[0], &ai);
    close(fds[0]);
    if (pid < 0) {
        close(fds[1]);
        o->result = ALERT_RETRY;
        snprintf(o->detail, sizeof o->detail, "cannot start %s: %s",
                 cfg->argv[0], strerror(errno));
        xfree(text);
        return;
    }
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    fed = feed(fds[1], text, strlen(text), deadline) == 0 &&
          feed(fds[1], "\n", 1, deadline) == 0;
    close(fds[1]);
    xfree(text);
    if (wait_until(pid, deadline, &status) != 0) {
        o->result = ALERT_RETRY;
        snprintf(o->detail, sizeof o->detail, "%s ran longer than %gs; "
                 "killed", cfg->argv[0], cfg->timeout);
    } else if (WIFSIGNALED(status)) {
        o->result = ALERT_RETRY;
        snprintf(o->detail, sizeof o->detail, "%s was killed by signal %d",
                 cfg->argv[0], WTERMSIG(status));
    } else if (WEXITSTATUS(status) == 0) {
        o->result = ALERT_OK;
        snprintf(o->detail, sizeof o->detail, "%s exited 0%s", cfg->argv[0],
                 fed ? "" : " without reading all of the record");
    } else {
        int code = WEXITSTATUS(status);

        o->result = code == EXIT_TEMPFAIL ? ALERT_RETRY : ALERT_PERMANENT;
        snprintf(o->detail, sizeof o->detail, "%s exited with status %d%s",
                 cfg->argv[0], code, code == 127 ? " (cannot be run; check "
                 "sinks.argv)" : "");
    }
}

static const struct config_row exec_rows[] = {
    {CONFIG_ARGV, "sinks.argv", NULL, ALERT_SOFF(argv), 0, 0,
     "program and arguments, run without a shell", NULL},
    ALERT_RECORD_ROWS,
};

const struct alert_sink_ops alert_sink_exec = {
    .config = {.name = "exec", ALERT_ROWS(exec_rows), .required = "argv",
               .required_hint = "the program to run and its arguments"},
    .help = "a command, the Insight record on its standard input", .pager = 0,
    .open = exec_open, .send = exec_send, .close = exec_close,
};
