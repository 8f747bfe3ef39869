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

const char *category_of(const struct config *c, int decrease, const char *source,
                        const char *name, const char *code)
{
    if (decrease)
        return "maintenance-gap";
    if (code) {
        if (category_is_limit_code(c, code))
            return "service-limit";
        if (in_list(denied_codes, bare(code)))
            return "access-denied";
    }
    if (strcmp(source, "iam.amazonaws.com") == 0)
        return "iam-burst";
    if (has_prefix(deletion_verbs, name))
        return "deletion";
    if (has_prefix(provisioning_verbs, name))
        return "provisioning";
    return "rate-change";
}

const char *category_named(const char *name)
{
    static const char *const all[] = {"maintenance-gap", "service-limit", "access-denied",
                                      "iam-burst", "deletion", "provisioning",
                                      "rate-change", NULL};
    for (int i = 0; all[i]; i++)
        if (strcmp(all[i], name) == 0)
            return all[i];
    return NULL;
}
