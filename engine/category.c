#include "category.h"

#include <string.h>

static const char *const limit_codes[] = {
    "ThrottlingException", "Throttling", "RequestLimitExceeded",
    "InstanceLimitExceeded", "VcpuLimitExceeded", "VpcLimitExceeded",
    "AddressLimitExceeded", "MaxIOPSLimitExceeded", "VolumeLimitExceeded",
    "LimitExceededException", "ProvisionedThroughputExceededException",
    "TooManyRequestsException", "SlowDown", "TooManyBuckets",
    "ServiceQuotaExceededException", NULL};

static const char *const denied_codes[] = {
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
    "UnauthorizedAccess", "Forbidden", NULL};

static const char *const deletion_verbs[] = {
    "Delete", "Terminate", "Remove", "Deregister", "Destroy", "Purge",
    "Disable", "Revoke", NULL};

static const char *const provisioning_verbs[] = {
    "Run", "Create", "Launch", "Allocate", "Request", "Provision", "Start",
    "Import", "Copy", NULL};

/* EC2 writes its codes as "Client.<code>" / "Server.<code>". */
static const char *bare(const char *code)
{
    if (strncmp(code, "Client.", 7) == 0)
        return code + 7;
    if (strncmp(code, "Server.", 7) == 0)
        return code + 7;
    return code;
}

static int in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int has_prefix(const char *const *verbs, const char *name)
{
    for (int i = 0; verbs[i]; i++)
        if (strncmp(name, verbs[i], strlen(verbs[i])) == 0)
            return 1;
    return 0;
}

int category_is_limit_code(const struct config *c, const char *code)
{
    if (in_list(limit_codes, bare(code)))
        return 1;
    for (size_t i = 0; i < c->n_limit_codes; i++)
        if (strcmp(c->limit_codes[i], code) == 0 ||
            strcmp(c->limit_codes[i], bare(code)) == 0)
            return 1;
    return 0;
}

/* The error most calls of [from, to) returned, when most calls failed. */
static uint32_t dominant_error(const struct agg *a, const struct agg_key *k,
                               uint32_t from, uint32_t to)
{
    const struct agg_event *ev = a->events + k->first;
    size_t lo = agg_lower_bound(a, k, from), hi = agg_lower_bound(a, k, to);
    uint32_t best = 0;
    size_t best_n = 0, failed = 0;
    for (size_t i = lo; i < hi; i++) {
        if (!ev[i].error)
            continue;
        failed++;
        size_t n = 0;
        for (size_t j = i; j < hi; j++)
            n += ev[j].error == ev[i].error;
        if (n > best_n) {
            best_n = n;
            best = ev[i].error;
        }
    }
    return failed * 2 > hi - lo ? best : 0;
}

const char *category_of(const struct agg *a, const struct config *c,
                        const struct insight *ins)
{
    if (ins->direction == DIRECTION_DECREASE)
        return "maintenance-gap";
    const struct agg_key *k = &a->keys[ins->key];
    uint32_t code = k->type == INSIGHT_ERROR_RATE
                        ? k->error
                        : dominant_error(a, k, ins->start, ins->decided + 1);
    if (code) {
        const char *s = agg_str(a, code);
        if (category_is_limit_code(c, s))
            return "service-limit";
        if (in_list(denied_codes, bare(s)))
            return "access-denied";
    }
    const char *name = agg_str(a, k->name);
    if (strcmp(agg_str(a, k->source), "iam.amazonaws.com") == 0)
        return "iam-burst";
    if (has_prefix(deletion_verbs, name))
        return "deletion";
    if (has_prefix(provisioning_verbs, name))
        return "provisioning";
    return "rate-change";
}
