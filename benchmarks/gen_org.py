#!/usr/bin/env python3
"""Seeded, deterministic generator of a small organisation's CloudTrail logs.

    gen_org.py --out DIR [--seed N] [--days D] [--start 2026-10-01]
               [--accounts 2] [--regions us-east-1,eu-west-1]
               [--burst] [--format s3|ndjson] [--force]

--format s3 (default) writes what an S3 bucket synced to disk looks like:
    DIR/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/
        <acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
one gzip {"Records":[...]} file per account x region x 5-minute delivery
window (empty windows skipped), records shuffled inside a file, ~2% of the
records delivered one window late; plus one digest file per account x region
x day under DIR/AWSLogs/<acct>/CloudTrail-Digest/... that readers must skip.
--format ndjson writes DIR/events.ndjson, one record per line in time order.
Both formats hold the same records for the same seed and options.

DIR/gen_org.meta (JSON, not a CloudTrail file) records the options, the
counts and the injected bursts (ground truth for tests and the demo).

Activity: reads (Describe*/List*/Get* on ec2, iam, s3, sts, cloudwatch,
lambda, ssm) make the bulk; writes (ec2 RunInstances/TerminateInstances/
CreateTags, s3 PutBucketPolicy, lambda UpdateFunctionCode, ssm PutParameter,
rare iam CreateUser/CreateAccessKey/AttachUserPolicy) are a few percent.
Human activity follows business hours x weekdays (Poisson per minute); a
monitoring role reads all day; a role runs ssm PutParameter every 10 minutes;
a backup role snapshots volumes daily at 02:30 UTC; CI deploys Lambda code on
weekdays. Reads fail ~2% of the time (AccessDenied, throttling, ...).

--burst injects, on day D-4 at night: an IAM burst in the first account (one
IAM user: CreateUser, CreateAccessKey, AttachUserPolicy ~30-60 calls each
over ~8 minutes), and an EC2 RunInstances burst in the second account (~40
calls/minute for ~6 minutes, most failing Client.InstanceLimitExceeded).

Same seed and options -> byte-identical output. Standard library only.
"""

import argparse
import base64
import bisect
import calendar
import gzip
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import time
import uuid

DAY = 86400
WINDOW = 300  # CloudTrail delivers roughly every 5 minutes
WINDOWS_PER_DAY = DAY // WINDOW
LATE_FRACTION = 0.02
READ_ERROR_RATE = 0.02
WRITE_ERROR_RATE = 0.01

KNOWN_ACCOUNTS = ["111122223333", "444455556666", "777788889999", "123456789012",
                  "210987654321", "135792468013"]
# Local UTC offset in October (for business hours).
REGION_UTC_OFFSET = {
    "us-east-1": -4, "us-east-2": -4, "us-west-1": -7, "us-west-2": -7, "ca-central-1": -4,
    "sa-east-1": -3, "eu-west-1": 1, "eu-west-2": 1, "eu-west-3": 2, "eu-central-1": 2,
    "eu-north-1": 3, "ap-south-1": 5, "ap-southeast-1": 8, "ap-southeast-2": 11,
    "ap-northeast-1": 9, "ap-northeast-2": 9,
}
HUMAN_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]

UA_CLI = ("aws-cli/2.17.12 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 "
          "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#%s")
UA_CONSOLE = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/129.0.0.0 Safari/537.36")
UA_GO = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/%s#1.0.0"
UA_LAMBDA = ("Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#5.10.209-219.812.amzn2.x86_64 "
             "md/arch#x86_64 lang/python#3.12.1 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 "
             "cfg/retry-mode#legacy Botocore/1.34.34")
UA_CI = ("aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1017-azure md/arch#x86_64 "
         "lang/python#3.11.8 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard "
         "md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#%s")
UA_BACKUP = ("aws-cli/2.13.25 Python/3.11.5 Linux/5.10.198-187.748.amzn2.x86_64 exe/x86_64.amzn.2 "
             "prompt/off command/%s")
UA_ATTACKER = "aws-cli/1.29.62 Python/3.11.2 Linux/6.1.0-13-amd64 botocore/1.31.62"
UA_KARPENTER = ("aws-sdk-go/1.50.25 (go1.22.1; linux; amd64) karpenter.sh-v0.35.2 "
                "exec-env/AWS_ECS_EC2")

TLS13 = ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
TLS12 = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")

SERVICE_VERSION = {
    "ec2": "1.09", "iam": "1.09", "s3": "1.09", "monitoring": "1.09",
    "sts": "1.08", "lambda": "1.08", "ssm": "1.08",
}
# service -> [(errorCode, errorMessage or None, eventNames it applies to or None = all)]
ERRORS = {
    "ec2": [("Client.UnauthorizedOperation", "You are not authorized to perform this operation.", None),
            ("Client.RequestLimitExceeded", "Request limit exceeded.", None)],
    "iam": [("AccessDenied", "User: %(arn)s is not authorized to perform: iam:%(api)s because no "
             "identity-based policy allows the iam:%(api)s action", None),
            ("NoSuchEntity", "The user with name ops-temp cannot be found.", ("GetUser",)),
            ("NoSuchEntity", "The role with name legacy-etl cannot be found.",
             ("GetRole", "ListAttachedRolePolicies"))],
    "s3": [("AccessDenied", "Access Denied", None),
           ("NoSuchBucketPolicy", "The bucket policy does not exist", ("GetBucketPolicy",)),
           ("NoSuchBucket", "The specified bucket does not exist", ("GetBucketLocation", "GetBucketAcl"))],
    "sts": [("AccessDenied", "User: %(arn)s is not authorized to perform: sts:%(api)s", None)],
    "monitoring": [("Throttling", "Rate exceeded", None),
                   ("AccessDenied", "User: %(arn)s is not authorized to perform: cloudwatch:%(api)s", None)],
    "lambda": [("ResourceNotFoundException", "Function not found: "
                "arn:aws:lambda:%(region)s:%(acct)s:function:legacy-cron", ("GetFunction20150331v2",)),
               ("TooManyRequestsException", "Rate exceeded", None)],
    "ssm": [("ParameterNotFound", None, ("GetParameter",)), ("ThrottlingException", "Rate exceeded", None)],
}
WRITE_ERRORS = {
    "ec2": [("Client.InvalidParameterValue", "Value (t2.nano) for parameter instanceType is invalid.",
             ("RunInstances",)),
            ("Client.UnauthorizedOperation", "You are not authorized to perform this operation.", None),
            ("Client.InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist",
             ("TerminateInstances",))],
    "_": [("AccessDenied", "User: %(arn)s is not authorized to perform: %(svc)s:%(api)s", None)],
}
LIMIT_MESSAGE = ("You have requested more instances (1) than your current instance limit of 32 allows "
                 "for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request "
                 "to request an adjustment to this limit.")


def fmt_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def aws_date(t):
    # The "Oct 1, 2026, 2:00:00 PM" form IAM/STS use inside responseElements.
    g = time.gmtime(t)
    h = g.tm_hour % 12 or 12
    return "%s %d, %d, %d:%02d:%02d %s" % (time.strftime("%b", g), g.tm_mday, g.tm_year, h,
                                          g.tm_min, g.tm_sec, "AM" if g.tm_hour < 12 else "PM")


def stable_token(*parts, n=16, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"):
    """Deterministic id from a hash (does not consume the RNG)."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in h[:n])


def kebab(api):
    api = re.sub(r"20150331(v2)?$", "", api)
    return re.sub(r"(?<!^)(?=[A-Z])", "-", api).lower()


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation; not used at the rates below
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# --------------------------------------------------------------------------- identities

class Principal:
    """A caller. identity(t) returns the userIdentity object (shared per session hour)."""

    def __init__(self, seed, acct, kind, name, ip, ua, session=None, console=False, mfa=False):
        self.seed, self.acct, self.kind, self.name = seed, acct, kind, name
        self.ip, self.ua, self.session, self.console, self.mfa = ip, ua, session, console, mfa
        if kind == "IAMUser":
            self.arn = "arn:aws:iam::%s:user/%s" % (acct, name)
            self.pid = "AIDA" + stable_token(seed, acct, "user", name)
            self.key = "AKIA" + stable_token(seed, acct, "key", name)
        else:
            self.role_arn = "arn:aws:iam::%s:role/%s" % (acct, name)
            self.role_id = "AROA" + stable_token(seed, acct, "role", name)
            self.arn = None  # per session
        self._cache = (None, None)

    def arn_at(self, t):
        if self.kind == "IAMUser":
            return self.arn
        return "arn:aws:sts::%s:assumed-role/%s/%s" % (self.acct, self.name, self.session_name(t))

    def session_name(self, t):
        if callable(self.session):
            return self.session(t)
        return self.session

    def identity(self, t):
        hour = t // 3600
        if self._cache[0] == hour:
            return self._cache[1]
        if self.kind == "IAMUser":
            ident = {"type": "IAMUser", "principalId": self.pid, "arn": self.arn,
                     "accountId": self.acct, "accessKeyId": self.key, "userName": self.name}
        else:
            sess = self.session_name(t)
            ident = {
                "type": "AssumedRole",
                "principalId": "%s:%s" % (self.role_id, sess),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.acct, self.name, sess),
                "accountId": self.acct,
                "accessKeyId": "ASIA" + stable_token(self.seed, self.acct, self.name, sess, hour),
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": self.role_id,
                                      "arn": self.role_arn, "accountId": self.acct,
                                      "userName": self.name},
                    "attributes": {"creationDate": fmt_time(hour * 3600 + 7),
                                   "mfaAuthenticated": "true" if self.mfa else "false"},
                },
            }
        self._cache = (hour, ident)
        return ident


# --------------------------------------------------------------------------- generator

class Org:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.rng = random.Random("%d:events" % args.seed)
        self.brng = random.Random("%d:burst" % args.seed)
        self.start = calendar.timegm(time.strptime(args.start, "%Y-%m-%d"))
        self.regions = args.regions
        self.iam_region = "us-east-1" if "us-east-1" in self.regions else self.regions[0]
        acct_rng = random.Random("%d:accounts" % args.seed)
        self.accounts = KNOWN_ACCOUNTS[:args.accounts]
        while len(self.accounts) < args.accounts:
            a = "%012d" % acct_rng.randrange(10 ** 11, 10 ** 12)
            if a not in self.accounts:
                self.accounts.append(a)
        self.seq = 0
        self.tls = {}
        self._errors = {}
        self.bursts = []
        self._build_people()
        self._build_apis()

    # ---- people and roles
    def _build_people(self):
        s = self.seed
        self.people = []
        for ai, acct in enumerate(self.accounts):
            humans = []
            for k in range(3):
                name = HUMAN_NAMES[(3 * ai + k) % len(HUMAN_NAMES)]
                ip = "203.0.113.%d" % (10 + 3 * ai + k)
                if k == 0:
                    humans.append(Principal(s, acct, "IAMUser", name, ip, UA_CLI))
                else:
                    role = "AWSReservedSSO_AdministratorAccess_" + stable_token(
                        s, acct, "sso", n=16, alphabet="0123456789abcdef")
                    humans.append(Principal(s, acct, "AssumedRole", role, ip, UA_CONSOLE,
                                            session="%s@example.com" % name, console=True,
                                            mfa=True))
            monitor = Principal(s, acct, "AssumedRole", "monitoring-reader", "192.0.2.%d" % (40 + ai),
                                UA_GO, session="monitoring-%s" % stable_token(
                                    s, acct, "mon", n=8, alphabet="0123456789abcdef"))
            param = Principal(s, acct, "AssumedRole", "param-sync", "198.51.100.%d" % (20 + ai),
                              UA_LAMBDA, session="param-sync")
            backup = Principal(s, acct, "AssumedRole", "nightly-backup", "198.51.100.%d" % (60 + ai),
                               UA_BACKUP, session=lambda t: "backup-%d" % (t // DAY))
            ci = Principal(s, acct, "AssumedRole", "ci-deployer", "192.0.2.%d" % (100 + ai), UA_CI,
                           session=lambda t: "gha-%d" % (9000000000 + t // 600))
            self.people.append({"humans": humans, "human_w": [0.5, 0.3, 0.2], "monitor": monitor,
                                "param": param, "backup": backup, "ci": ci})

    # ---- API catalogue
    def _build_apis(self):
        # (service, eventName, readOnly, weight in the human mix)
        human = [
            ("ec2", "DescribeInstances", True, 14), ("ec2", "DescribeSecurityGroups", True, 5),
            ("ec2", "DescribeVpcs", True, 3), ("ec2", "DescribeVolumes", True, 3),
            ("ec2", "DescribeRegions", True, 2),
            ("iam", "ListUsers", True, 3), ("iam", "GetUser", True, 2), ("iam", "ListRoles", True, 3),
            ("iam", "GetRole", True, 2), ("iam", "ListAttachedRolePolicies", True, 2),
            ("s3", "ListBuckets", True, 4), ("s3", "GetBucketLocation", True, 3),
            ("s3", "GetBucketPolicy", True, 1), ("s3", "GetBucketAcl", True, 2),
            ("sts", "GetCallerIdentity", True, 6), ("sts", "AssumeRole", True, 2),
            ("monitoring", "DescribeAlarms", True, 4), ("monitoring", "GetMetricData", True, 5),
            ("monitoring", "ListMetrics", True, 2),
            ("lambda", "ListFunctions20150331", True, 2), ("lambda", "GetFunction20150331v2", True, 1),
            ("ssm", "GetParameter", True, 1), ("ssm", "DescribeInstanceInformation", True, 1),
            ("ec2", "RunInstances", False, 0.8), ("ec2", "TerminateInstances", False, 0.7),
            ("ec2", "CreateTags", False, 1.5), ("s3", "PutBucketPolicy", False, 0.1),
            ("lambda", "UpdateFunctionCode20150331v2", False, 0.3), ("ssm", "PutParameter", False, 0.3),
            ("iam", "CreateUser", False, 0.02), ("iam", "CreateAccessKey", False, 0.03),
            ("iam", "AttachUserPolicy", False, 0.03),
        ]
        self.human_mix = {}
        for region in self.regions:
            apis = [a for a in human if a[0] != "iam" or region == self.iam_region]
            cum, tot = [], 0.0
            for a in apis:
                tot += a[3]
                cum.append(tot)
            self.human_mix[region] = (apis, cum, tot)
        monitor = [("monitoring", "GetMetricData", True, 50), ("monitoring", "DescribeAlarms", True, 25),
                   ("monitoring", "ListMetrics", True, 10), ("ec2", "DescribeInstances", True, 15)]
        cum, tot = [], 0.0
        for a in monitor:
            tot += a[3]
            cum.append(tot)
        self.monitor_mix = (monitor, cum, tot)

    def pick(self, mix):
        apis, cum, tot = mix
        return apis[bisect.bisect_right(cum, self.rng.random() * tot)]

    # ---- small random ids
    def hexid(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    def uuid4(self, rng=None):
        return str(uuid.UUID(int=(rng or self.rng).getrandbits(128), version=4))

    def host(self, svc, region):
        if svc in ("iam",):
            return "iam.amazonaws.com"
        if svc == "s3":
            return "s3.amazonaws.com"
        return "%s.%s.amazonaws.com" % (svc, region)

    def tls_for(self, svc, region, console):
        key = (svc, region, console)
        d = self.tls.get(key)
        if d is None:
            v, c = TLS12 if console else TLS13
            d = {"tlsVersion": v, "cipherSuite": c, "clientProvidedHostHeader": self.host(svc, region)}
            self.tls[key] = d
        return d

    # ---- request / response bodies
    def bodies(self, svc, api, acct, region, p, t):
        r = self.rng
        bucket = ["%s-artifacts" % acct, "%s-logs" % acct, "web-assets-%s" % region][r.randrange(3)]
        fn = ["orders-api", "thumbnailer", "billing-export"][r.randrange(3)]
        if svc == "ec2":
            if api == "DescribeInstances":
                return {"instancesSet": {}, "filterSet": {}}, None
            if api == "DescribeSecurityGroups":
                return {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}, None
            if api == "DescribeVpcs":
                return {"vpcSet": {}, "filterSet": {}}, None
            if api == "DescribeVolumes":
                return {"volumeSet": {}, "filterSet": {}}, None
            if api == "DescribeRegions":
                return {"regionSet": {}, "allRegions": False}, None
            if api == "RunInstances":
                iid = "i-0" + self.hexid(16)
                itype = ["t3.micro", "t3.large", "m6i.xlarge"][r.randrange(3)]
                req = {"instancesSet": {"items": [{"imageId": "ami-0" + self.hexid(16),
                                                   "minCount": 1, "maxCount": 1}]},
                       "instanceType": itype, "blockDeviceMapping": {}, "monitoring": {"enabled": False},
                       "disableApiTermination": False, "disableApiStop": False, "clientToken": self.uuid4()}
                resp = {"requestId": self.uuid4(), "reservationId": "r-0" + self.hexid(16),
                        "ownerId": acct, "groupSet": {},
                        "instancesSet": {"items": [{"instanceId": iid, "instanceType": itype,
                                                    "instanceState": {"code": 0, "name": "pending"},
                                                    "placement": {"availabilityZone": region + "a",
                                                                  "tenancy": "default"}}]}}
                return req, resp
            if api == "TerminateInstances":
                iid = "i-0" + self.hexid(16)
                return ({"instancesSet": {"items": [{"instanceId": iid}]}},
                        {"requestId": self.uuid4(), "instancesSet": {"items": [{
                            "instanceId": iid, "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"}}]}})
            if api == "CreateTags":
                return ({"resourcesSet": {"items": [{"resourceId": "i-0" + self.hexid(16)}]},
                         "tagSet": {"items": [{"key": "team", "value": "platform"}]}},
                        {"requestId": self.uuid4(), "_return": True})
            if api == "CreateSnapshot":
                vol = "vol-0" + self.hexid(16)
                return ({"volumeId": vol, "description": "nightly backup"},
                        {"requestId": self.uuid4(), "snapshotId": "snap-0" + self.hexid(16),
                         "volumeId": vol, "status": "pending", "startTime": t * 1000,
                         "ownerId": acct, "volumeSize": 100, "encrypted": True})
        elif svc == "iam":
            user = HUMAN_NAMES[r.randrange(len(HUMAN_NAMES))]
            role = ["ci-deployer", "param-sync", "monitoring-reader"][r.randrange(3)]
            if api in ("ListUsers", "ListRoles"):
                return None, None
            if api == "GetUser":
                return {"userName": user}, None
            if api in ("GetRole", "ListAttachedRolePolicies"):
                return {"roleName": role}, None
            if api == "CreateUser":
                u = "ops-%s" % self.hexid(4)
                return ({"userName": u, "tags": []},
                        {"user": {"path": "/", "userName": u, "userId": "AIDA" + self.hexid(16).upper(),
                                  "arn": "arn:aws:iam::%s:user/%s" % (acct, u), "createDate": aws_date(t)}})
            if api == "CreateAccessKey":
                return ({"userName": user},
                        {"accessKey": {"userName": user, "accessKeyId": "AKIA" + self.hexid(16).upper(),
                                       "status": "Active", "createDate": aws_date(t)}})
            if api == "AttachUserPolicy":
                return {"userName": user, "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, None
        elif svc == "s3":
            if api == "ListBuckets":
                return {"Host": "s3.amazonaws.com"}, None
            h = "%s.s3.amazonaws.com" % bucket
            if api == "GetBucketLocation":
                return {"bucketName": bucket, "Host": h, "location": ""}, None
            if api == "GetBucketPolicy":
                return {"bucketName": bucket, "Host": h, "policy": ""}, None
            if api == "GetBucketAcl":
                return {"bucketName": bucket, "Host": h, "acl": ""}, None
            if api == "PutBucketPolicy":
                return ({"bucketPolicy": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                    "Action": "s3:*", "Resource": "arn:aws:s3:::%s/*" % bucket,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
                    "bucketName": bucket, "Host": h, "policy": ""}, None)
        elif svc == "sts":
            if api == "GetCallerIdentity":
                return None, None
            if api == "AssumeRole":
                sess = "%s-cli" % p.name.split("_")[0]
                rarn = "arn:aws:iam::%s:role/ReadOnly" % acct
                rid = "AROA" + stable_token(self.seed, acct, "role", "ReadOnly")
                return ({"roleArn": rarn, "roleSessionName": sess, "durationSeconds": 3600},
                        {"credentials": {"accessKeyId": "ASIA" + self.hexid(16).upper(),
                                         "sessionToken": "IQoJb3JpZ2luX2VjE" + self.hexid(24),
                                         "expiration": aws_date(t + 3600)},
                         "assumedRoleUser": {"assumedRoleId": "%s:%s" % (rid, sess),
                                             "arn": "arn:aws:sts::%s:assumed-role/ReadOnly/%s"
                                                    % (acct, sess)}})
        elif svc == "monitoring":
            if api == "DescribeAlarms":
                return {"maxRecords": 100}, None
            if api == "ListMetrics":
                return {"namespace": "AWS/EC2"}, None
            if api == "GetMetricData":
                return ({"metricDataQueries": [{"id": "m1", "metricStat": {
                    "metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization",
                               "dimensions": [{"name": "AutoScalingGroupName", "value": "web-asg"}]},
                    "period": 60, "stat": "Average"}, "returnData": True}],
                    "startTime": fmt_time(t - 600), "endTime": fmt_time(t)}, None)
        elif svc == "lambda":
            if api == "ListFunctions20150331":
                return None, None
            if api == "GetFunction20150331v2":
                return {"functionName": fn}, None
            if api == "UpdateFunctionCode20150331v2":
                farn = "arn:aws:lambda:%s:%s:function:%s" % (region, acct, fn)
                return ({"functionName": fn, "publish": True, "dryRun": False},
                        {"functionName": fn, "functionArn": farn, "runtime": "python3.12",
                         "role": "arn:aws:iam::%s:role/%s-exec" % (acct, fn), "handler": "app.handler",
                         "codeSize": 1_000_000 + r.randrange(500_000), "timeout": 30, "memorySize": 512,
                         "lastModified": fmt_time(t).replace("Z", ".000+0000"),
                         "codeSha256": base64.b64encode(
                             hashlib.sha256(("%s|%d" % (fn, t)).encode()).digest()).decode(),
                         "version": str(1 + (t // 3600) % 500), "state": "Active",
                         "lastUpdateStatus": "InProgress", "architectures": ["arm64"]})
        elif svc == "ssm":
            name = "/app/%s/config" % fn
            if api == "GetParameter":
                return {"name": name, "withDecryption": True}, None
            if api == "DescribeInstanceInformation":
                return {"maxResults": 50}, None
            if api == "PutParameter":
                return ({"name": "/jobs/param-sync/heartbeat", "type": "String", "overwrite": True},
                        {"version": 1 + (t // 600) % 100000, "tier": "Standard"})
        return None, None

    # ---- one record
    def record(self, t, ai, region, p, svc, api, read_only, error=None, ua=None, rng=None, fix=None):
        """One record as (t, seq, ai, region, json).

        error: None = background error rate applies, () = no error, (code, message) = that error.
        fix(req, resp) -> (req, resp) adjusts the bodies."""
        acct = self.accounts[ai]
        rng = rng or self.rng
        saved = self.rng
        self.rng = rng
        try:
            req, resp = self.bodies(svc, api, acct, region, p, t)
            if fix is not None:
                req, resp = fix(req, resp)
            if error is None:
                rate = READ_ERROR_RATE if read_only else WRITE_ERROR_RATE
                if rng.random() < rate:
                    table = self.error_table(svc, api, read_only)
                    error = table[rng.randrange(len(table))]
            ident = p.identity(t)
            if ua is None:
                ua = p.ua
                if "%s" in ua:
                    ua = ua % ("%s.%s" % (svc, kebab(api)) if "command" in ua else svc)
            rec = {"eventVersion": SERVICE_VERSION[svc], "userIdentity": ident,
                   "eventTime": fmt_time(t), "eventSource": "%s.amazonaws.com" % svc,
                   "eventName": api, "awsRegion": region, "sourceIPAddress": p.ip, "userAgent": ua}
            if error:
                code, msg = error
                rec["errorCode"] = code
                if msg:
                    rec["errorMessage"] = msg % {"arn": ident["arn"], "api": api, "svc": svc,
                                                 "region": region, "acct": acct}
                resp = None
            rec["requestParameters"] = req
            rec["responseElements"] = resp
            if svc == "s3":
                rec["additionalEventData"] = {"SignatureVersion": "SigV4",
                                              "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                              "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                              "x-amz-id-2": self.hexid(32), "bytesTransferredOut": 0}
                rec["requestID"] = self.hexid(16).upper()
            else:
                rec["requestID"] = self.uuid4()
            rec["eventID"] = self.uuid4()
            rec["readOnly"] = read_only
            if svc == "sts" and api == "AssumeRole":
                rec["resources"] = [{"accountId": acct, "type": "AWS::IAM::Role",
                                     "ARN": req["roleArn"]}]
            rec["eventType"] = "AwsApiCall"
            rec["managementEvent"] = True
            rec["recipientAccountId"] = acct
            if svc == "sts" and api == "AssumeRole":
                rec["sharedEventID"] = self.uuid4()
            rec["eventCategory"] = "Management"
            rec["tlsDetails"] = self.tls_for(svc, region, p.console)
            if p.console:
                rec["sessionCredentialFromConsole"] = "true"
        finally:
            self.rng = saved
        self.seq += 1
        return (t, self.seq, ai, region, json.dumps(rec, separators=(",", ":")))

    def error_table(self, svc, api, read_only):
        key = (svc, api, read_only)
        t = self._errors.get(key)
        if t is None:
            base = ERRORS[svc] if read_only else WRITE_ERRORS.get(svc, WRITE_ERRORS["_"])
            t = [(c, m) for c, m, apis in base if apis is None or api in apis]
            self._errors[key] = t
        return t

    # ---- rates
    def human_rate(self, ai, region, t):
        """Expected human calls per minute at time t (UTC seconds)."""
        off = REGION_UTC_OFFSET.get(region, 0)
        lt = t + off * 3600
        hour = (lt // 3600) % 24
        weekday = time.gmtime(lt).tm_wday < 5
        if 9 <= hour < 17:
            biz = 1.0
        elif hour in (8, 17):
            biz = 0.5
        elif hour in (7, 18, 19):
            biz = 0.15
        else:
            biz = 0.0
        if not weekday:
            biz *= 0.08
        acct_f = 1.0 if ai % 2 == 0 else 0.7
        region_f = 1.0 if region == self.regions[0] else 0.6
        return acct_f * region_f * (0.03 + 2.6 * biz)

    # ---- one day of one account x region
    def day(self, d, ai, ri, out):
        rng = self.rng
        region = self.regions[ri]
        acct_people = self.people[ai]
        humans, human_w = acct_people["humans"], acct_people["human_w"]
        hcum = [sum(human_w[:k + 1]) for k in range(len(human_w))]
        mix = self.human_mix[region]
        day0 = self.start + d * DAY
        primary = ri == 0
        for hour in range(24):
            h0 = day0 + hour * 3600
            lam_h = self.human_rate(ai, region, h0)
            lam_m = 0.25 if primary else 0.15
            lam_ci = 0.012 if (primary and lam_h > 1.0) else 0.0
            for minute in range(60):
                m0 = h0 + minute * 60
                for _ in range(poisson(rng, lam_h)):
                    svc, api, ro, _w = self.pick(mix)
                    p = humans[bisect.bisect_right(hcum, rng.random() * hcum[-1])]
                    out.append(self.record(m0 + rng.randrange(60), ai, region, p, svc, api, ro))
                for _ in range(poisson(rng, lam_m)):
                    svc, api, ro, _w = self.pick(self.monitor_mix)
                    out.append(self.record(m0 + rng.randrange(60), ai, region,
                                           acct_people["monitor"], svc, api, ro))
                if lam_ci and rng.random() < lam_ci:
                    t = m0 + rng.randrange(30)
                    ci = acct_people["ci"]
                    out.append(self.record(t, ai, region, ci, "sts", "GetCallerIdentity", True))
                    for k in range(1 + rng.randrange(3)):
                        out.append(self.record(t + 2 + 5 * k, ai, region, ci, "lambda",
                                               "GetFunction20150331v2", True))
                        out.append(self.record(t + 4 + 5 * k, ai, region, ci, "lambda",
                                               "UpdateFunctionCode20150331v2", False, error=()))
                # periodic job: every 10 minutes, phase per account x region
                if minute % 10 == (3 * ai + ri) % 10:
                    t = m0 + 2 + rng.randrange(4)
                    pp = acct_people["param"]
                    out.append(self.record(t, ai, region, pp, "ssm", "GetParameter", True))
                    out.append(self.record(t + 1, ai, region, pp, "ssm", "PutParameter", False, error=()))
            # daily job at 02:30 UTC in the account's primary region
            if hour == 2 and primary:
                bk = acct_people["backup"]
                t = h0 + 30 * 60 + rng.randrange(20)
                out.append(self.record(t, ai, region, bk, "ec2", "DescribeVolumes", True))
                for k in range(8 + 4 * ai):
                    out.append(self.record(t + 3 + 6 * k, ai, region, bk, "ec2", "CreateSnapshot", False,
                                           error=()))
                    out.append(self.record(t + 5 + 6 * k, ai, region, bk, "ec2", "CreateTags", False,
                                           error=()))

    # ---- injected bursts
    def burst_day(self):
        return max(0, self.args.days - 4)

    def inject(self, d, out):
        if not self.args.burst or d != self.burst_day():
            return
        b = self.brng
        day0 = self.start + d * DAY
        # 1) IAM burst: one IAM user creates users, access keys and admin attachments, ~8 minutes.
        acct = self.accounts[0]
        region = self.iam_region
        p = Principal(self.seed, acct, "IAMUser", "svc-legacy-sync", "203.0.113.66", UA_ATTACKER)
        t0 = day0 + 3 * 3600 + 60 * (5 + b.randrange(40))
        n = b.randint(32, 50)
        span = 8 * 60
        counts = {"CreateUser": 0, "CreateAccessKey": 0, "AttachUserPolicy": 0}
        tlast = t0
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"

        def emit(t, api, user):
            def fix(req, resp):
                req = dict(req or {})
                req["userName"] = user
                if api == "AttachUserPolicy":
                    req["policyArn"] = admin
                if api == "CreateUser" and resp:
                    resp["user"]["userName"] = user
                    resp["user"]["arn"] = "arn:aws:iam::%s:user/%s" % (acct, user)
                if api == "CreateAccessKey" and resp:
                    resp["accessKey"]["userName"] = user
                return req, resp
            out.append(self.record(t, 0, region, p, "iam", api, False, error=(), rng=b, fix=fix))
            counts[api] += 1
            return t

        for i in range(n):
            t = t0 + (span - 20) * i // n + b.randrange(5)
            user = "svc-" + "".join(b.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
            emit(t, "CreateUser", user)
            emit(t + 1 + b.randrange(3), "CreateAccessKey", user)
            tl = emit(t + 4 + b.randrange(4), "AttachUserPolicy", user)
            if b.random() < 0.2:
                tl = emit(t + 9 + b.randrange(4), "AttachUserPolicy", user)
            tlast = max(tlast, tl)
        self.bursts.append({
            "kind": "iam-burst", "account": acct, "region": region, "eventSource": "iam.amazonaws.com",
            "eventNames": sorted(counts), "principal": p.arn, "start": fmt_time(t0),
            "end": fmt_time(tlast + 1), "counts": counts, "errors": {}})

        # 2) EC2 RunInstances burst hitting the instance limit, ~6 minutes at ~40/minute,
        #    in the other account (or, with one account, the last region).
        ai = 1 if len(self.accounts) > 1 else 0
        region = self.regions[-1]
        acct = self.accounts[ai]
        role = Principal(self.seed, acct, "AssumedRole", "KarpenterControllerRole", "198.51.100.150",
                         UA_KARPENTER, session="%d" % (1790000000 + d))
        t1 = day0 + 1 * 3600 + 60 * (10 + b.randrange(30))
        total, failed, tlast = 0, 0, t1
        for m in range(6):
            for _ in range(b.randint(34, 46)):
                t = t1 + 60 * m + b.randrange(60)
                err = ()
                if b.random() < 0.85:
                    err = ("Client.InstanceLimitExceeded", LIMIT_MESSAGE)
                    failed += 1
                out.append(self.record(t, ai, region, role, "ec2", "RunInstances", False, error=err, rng=b))
                total += 1
                tlast = max(tlast, t)
        self.bursts.append({
            "kind": "ec2-limit-burst", "account": acct, "region": region, "eventSource": "ec2.amazonaws.com",
            "eventNames": ["RunInstances"], "principal": role.arn_at(t1), "start": fmt_time(t1),
            "end": fmt_time(tlast + 1), "counts": {"RunInstances": total},
            "errors": {"Client.InstanceLimitExceeded": failed}})


# --------------------------------------------------------------------------- writers

class S3Writer:
    def __init__(self, org, root):
        self.org, self.root = org, root
        self.lrng = random.Random("%d:layout" % org.seed)
        self.pending = {}  # (ai, ri, window) -> [json]
        self.files = 0
        self.bytes = 0
        self.dirs = set()

    def add(self, records):
        lrng = self.lrng
        ri_of = {r: i for i, r in enumerate(self.org.regions)}
        for t, _seq, ai, region, line in records:
            w = (t - self.org.start) // WINDOW
            if lrng.random() < LATE_FRACTION:
                w += 1
            self.pending.setdefault((ai, ri_of[region], w), []).append(line)

    def flush(self, before_window=None):
        keys = sorted(k for k in self.pending if before_window is None or k[2] < before_window)
        for key in keys:
            lines = self.pending.pop(key)
            self.write(key, lines)

    def write(self, key, lines):
        ai, ri, w = key
        org, lrng = self.org, self.lrng
        acct, region = org.accounts[ai], org.regions[ri]
        lrng.shuffle(lines)
        delivered = org.start + (w + 1) * WINDOW + 60 * lrng.randint(1, 4)
        g = time.gmtime(delivered)
        d = os.path.join(self.root, "AWSLogs", acct, "CloudTrail", region,
                         "%04d" % g.tm_year, "%02d" % g.tm_mon, "%02d" % g.tm_mday)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        uniq = "".join(lrng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                       for _ in range(16))
        name = "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, region, time.strftime("%Y%m%dT%H%MZ", g), uniq)
        body = ('{"Records":[' + ",".join(lines) + "]}").encode()
        data = gzip.compress(body, compresslevel=6, mtime=0)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(body)

    def digests(self):
        org = self.org
        for ai, acct in enumerate(org.accounts):
            for region in org.regions:
                for dd in range(org.args.days):
                    t0 = org.start + dd * DAY
                    t1 = t0 + DAY
                    g0 = time.gmtime(t0)
                    d = os.path.join(self.root, "AWSLogs", acct, "CloudTrail-Digest", region,
                                     "%04d" % g0.tm_year, "%02d" % g0.tm_mon, "%02d" % g0.tm_mday)
                    os.makedirs(d, exist_ok=True)
                    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t1))
                    name = "%s_CloudTrail-Digest_%s_org-trail_%s_%s.json.gz" % (acct, region, region, stamp)
                    key = "AWSLogs/%s/CloudTrail-Digest/%s/%s/%s" % (
                        acct, region, time.strftime("%Y/%m/%d", g0), name)
                    doc = {
                        "awsAccountId": acct, "digestStartTime": fmt_time(t0), "digestEndTime": fmt_time(t1),
                        "digestS3Bucket": "org-cloudtrail-logs", "digestS3Object": key,
                        "digestPublicKeyFingerprint": stable_token(org.seed, acct, region, n=32,
                                                                   alphabet="0123456789abcdef"),
                        "digestSignatureAlgorithm": "SHA256withRSA", "newestEventTime": None,
                        "oldestEventTime": None, "previousDigestS3Bucket": None,
                        "previousDigestS3Object": None, "previousDigestHashValue": None,
                        "previousDigestHashAlgorithm": None, "previousDigestSignature": None,
                        "logFiles": [],
                    }
                    with open(os.path.join(d, name), "wb") as f:
                        f.write(gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), mtime=0))
                    self.files += 1


class NdjsonWriter:
    def __init__(self, org, root):
        self.org = org
        self.path = os.path.join(root, "events.ndjson")
        os.makedirs(root, exist_ok=True)
        self.f = open(self.path, "w", encoding="utf-8", newline="\n")
        self.files = 1
        self.bytes = 0

    def add(self, records):
        records.sort(key=lambda r: (r[0], r[1]))
        for r in records:
            self.f.write(r[4])
            self.f.write("\n")
            self.bytes += len(r[4]) + 1

    def flush(self, before_window=None):
        pass

    def digests(self):
        pass

    def close(self):
        self.f.close()


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(description="Generate a small organisation's CloudTrail logs.")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--days", type=int, default=21)
    ap.add_argument("--start", default="2026-10-01", help="first day, YYYY-MM-DD (UTC)")
    ap.add_argument("--accounts", type=int, default=2)
    ap.add_argument("--regions", default="us-east-1,eu-west-1")
    ap.add_argument("--burst", action="store_true", help="inject the IAM and EC2 bursts on day D-4")
    ap.add_argument("--format", choices=("s3", "ndjson"), default="s3")
    ap.add_argument("--force", action="store_true", help="replace an earlier generated tree in --out")
    a = ap.parse_args(argv)
    a.regions = [r.strip() for r in a.regions.split(",") if r.strip()]
    if a.days < 1 or a.accounts < 1 or not a.regions:
        ap.error("--days and --accounts must be >= 1 and --regions non-empty")
    if len(set(a.regions)) != len(a.regions):
        ap.error("--regions has duplicates")
    try:
        time.strptime(a.start, "%Y-%m-%d")
    except ValueError:
        ap.error("--start must be YYYY-MM-DD")
    return a


def main(argv):
    args = parse_args(argv)
    t_begin = time.monotonic()
    out = args.out
    targets = [os.path.join(out, "AWSLogs"), os.path.join(out, "events.ndjson"),
               os.path.join(out, "gen_org.meta")]
    existing = [p for p in targets if os.path.exists(p)]
    if existing:
        if not args.force:
            print("gen_org: %s already exists (use --force to replace it)" % existing[0], file=sys.stderr)
            return 2
        for p in existing:
            if os.path.isdir(p):
                shutil.rmtree(p)
            else:
                os.remove(p)
    os.makedirs(out, exist_ok=True)

    org = Org(args)
    if args.burst and org.burst_day() < 7:
        print("gen_org: note: the bursts fall on day %d, with less than 7 days of baseline before them"
              % org.burst_day(), file=sys.stderr)
    writer = S3Writer(org, out) if args.format == "s3" else NdjsonWriter(org, out)
    nrec = 0
    for d in range(args.days):
        recs = []
        for ai in range(len(org.accounts)):
            for ri in range(len(org.regions)):
                org.day(d, ai, ri, recs)
        org.inject(d, recs)
        nrec += len(recs)
        writer.add(recs)
        writer.flush(before_window=(d + 1) * WINDOWS_PER_DAY)
    writer.flush()
    writer.digests()
    if args.format == "ndjson":
        writer.close()

    meta = {"generator": "benchmarks/gen_org.py", "seed": args.seed, "days": args.days,
            "start": args.start, "accounts": org.accounts, "regions": org.regions,
            "burst": args.burst, "format": args.format, "files": writer.files, "records": nrec,
            "bursts": org.bursts}
    with open(os.path.join(out, "gen_org.meta"), "w") as f:
        f.write(json.dumps(meta, indent=1, sort_keys=True) + "\n")

    bursts = "; ".join(
        "%s %s/%s %s..%s (%s%s)" % (
            b["kind"], b["account"], b["region"], b["start"], b["end"],
            ", ".join("%s %d" % kv for kv in sorted(b["counts"].items())),
            "".join(", %s %d" % kv for kv in sorted(b["errors"].items())))
        for b in org.bursts) or "none"
    print("gen_org: %d files, %d records (%.1f MB JSON), %d days from %s, %d accounts x %d regions, "
          "seed %d; bursts: %s; %.1fs" % (
              writer.files, nrec, writer.bytes / 1e6, args.days, args.start, len(org.accounts),
              len(org.regions), args.seed, bursts, time.monotonic() - t_begin), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
