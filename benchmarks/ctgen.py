"""Shared building blocks of the CloudTrail log generators (gen_org.py, gen_scenario.py).

- identities (Principal) and the userIdentity objects they sign records with;
- RecordBuilder: realistic ~1 KB CloudTrail records (request/response bodies,
  TLS details, background error rates) for a catalogue of services and APIs;
- S3Writer / NdjsonWriter: delivery simulation and the on-disk layouts
  (gzip {"Records":[...]} per account x region x 5-minute window, shuffled,
  a fraction delivered late; or one NDJSON file in time order).

A generator subclasses RecordBuilder and provides seed, start (epoch seconds),
days, accounts, regions and rng.  Everything is deterministic given the RNGs
passed in.  Standard library only.
"""

import base64
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

CALL_RATE = "ApiCallRateInsight"
ERROR_RATE = "ApiErrorRateInsight"
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
    "autoscaling": "1.08", "ecs": "1.08", "elasticloadbalancing": "1.08", "cloudformation": "1.08",
    "rds": "1.08", "secretsmanager": "1.08", "glue": "1.08", "batch": "1.08", "logs": "1.08",
    "states": "1.08", "dynamodb": "1.08",
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
    # services only gen_scenario.py uses
    "autoscaling": [("Throttling", "Rate exceeded", None),
                    ("AccessDenied", "User: %(arn)s is not authorized to perform: autoscaling:%(api)s", None)],
    "ecs": [("ClusterNotFoundException", "Cluster not found.", None),
            ("ThrottlingException", "Rate exceeded", None)],
    "elasticloadbalancing": [("Throttling", "Rate exceeded", None),
                             ("TargetGroupNotFound", "Target groups 'legacy-tg' not found", None)],
    "cloudformation": [("ValidationError", "Stack with id legacy-app does not exist", None),
                       ("Throttling", "Rate exceeded", None)],
    "rds": [("DBInstanceNotFound", "DBInstance legacy-db not found.", None),
            ("Throttling", "Rate exceeded", None)],
    "secretsmanager": [("ResourceNotFoundException", "Secrets Manager can't find the specified secret.", None),
                       ("AccessDeniedException", "User: %(arn)s is not authorized to perform: "
                        "secretsmanager:%(api)s", None)],
    "glue": [("EntityNotFoundException", "Job legacy-etl not found", None),
             ("ThrottlingException", "Rate exceeded", None)],
    "batch": [("ClientException", "Job queue legacy-queue does not exist.", None)],
    "logs": [("ThrottlingException", "Rate exceeded", None),
             ("ResourceNotFoundException", "The specified log group does not exist.", None)],
    "states": [("ThrottlingException", "Rate exceeded", None),
               ("StateMachineDoesNotExist", "State Machine Does Not Exist", None)],
    "dynamodb": [("ResourceNotFoundException", "Requested resource not found: Table: legacy not found", None),
                 ("ThrottlingException", "Rate exceeded", None)],
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

# APIs whose bodies come from RecordBuilder.extra_bodies (gen_scenario.py's catalogue).
EXTRA_APIS = frozenset([
    ("ec2", "DescribeSnapshots"), ("ec2", "DeleteSnapshot"), ("ec2", "StartInstances"), ("ec2", "StopInstances"),
    ("ec2", "AuthorizeSecurityGroupIngress"),
    ("iam", "ListAccessKeys"), ("iam", "ListPolicies"), ("iam", "UpdateAccessKey"), ("iam", "DeleteAccessKey"),
    ("iam", "CreateRole"), ("iam", "AttachRolePolicy"), ("iam", "PutRolePolicy"), ("iam", "DeleteUser"),
    ("iam", "UpdateAssumeRolePolicy"),
    ("s3", "DeleteBucket"), ("s3", "PutBucketTagging"),
    ("monitoring", "PutMetricAlarm"), ("monitoring", "DeleteAlarms"),
    ("lambda", "UpdateFunctionConfiguration20150331v2"), ("lambda", "PublishVersion20150331"),
    ("autoscaling", "DescribeAutoScalingGroups"), ("autoscaling", "SetDesiredCapacity"),
    ("autoscaling", "UpdateAutoScalingGroup"),
    ("ecs", "ListClusters"), ("ecs", "DescribeServices"), ("ecs", "UpdateService"), ("ecs", "RunTask"),
    ("elasticloadbalancing", "DescribeTargetHealth"), ("elasticloadbalancing", "RegisterTargets"),
    ("elasticloadbalancing", "DeregisterTargets"),
    ("cloudformation", "DescribeStacks"), ("cloudformation", "UpdateStack"),
    ("rds", "DescribeDBInstances"), ("rds", "DeleteDBInstance"),
    ("secretsmanager", "DescribeSecret"), ("secretsmanager", "GetSecretValue"), ("secretsmanager", "RotateSecret"),
    ("glue", "GetJobRuns"), ("glue", "StartJobRun"), ("batch", "DescribeJobs"), ("batch", "SubmitJob"),
    ("logs", "CreateLogStream"), ("states", "StartExecution"), ("dynamodb", "DescribeTable"),
])


def check_start(ap, start):
    """Refuse (argparse error) a --start that is not YYYY-MM-DD."""
    try:
        time.strptime(start, "%Y-%m-%d")
    except ValueError:
        ap.error("--start must be YYYY-MM-DD")


def clear_out(prog, out, names, force):
    """Make the output folder out ready for prog's files `names`: those
    already there are removed with force, else refused (False, said on
    stderr)."""
    existing = [os.path.join(out, n) for n in names if os.path.exists(os.path.join(out, n))]
    if existing and not force:
        print("%s: %s already exists (use --force to replace it)" % (prog, existing[0]), file=sys.stderr)
        return False
    for p in existing:
        if os.path.isdir(p):
            shutil.rmtree(p)
        else:
            os.remove(p)
    os.makedirs(out, exist_ok=True)
    return True


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


# --------------------------------------------------------------------------- records

class RecordBuilder:
    """Builds one CloudTrail record at a time.

    Subclasses set: seed, accounts (list of account IDs; records name an
    account by its index), rng (random.Random), and call init_builder()."""

    read_error_rate = READ_ERROR_RATE
    write_error_rate = WRITE_ERROR_RATE

    def init_builder(self):
        self.seq = 0
        self.tls = {}
        self._errors = {}

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
        if (svc, api) in EXTRA_APIS:
            return self.extra_bodies(svc, api, acct, region, p, t)
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

    def extra_bodies(self, svc, api, acct, region, p, t):
        """Bodies of the APIs only gen_scenario.py uses (kept apart so that gen_org.py's
        random draws, hence its output, do not change)."""
        r = self.rng
        app = ["orders", "checkout", "search", "billing"][r.randrange(4)]
        if svc == "ec2":
            if api == "DescribeSnapshots":
                return {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}}, None
            if api == "DeleteSnapshot":
                return {"snapshotId": "snap-0" + self.hexid(16)}, {"requestId": self.uuid4(), "_return": True}
            if api in ("StartInstances", "StopInstances"):
                iid = "i-0" + self.hexid(16)
                cur, prev = ((0, "pending"), (80, "stopped")) if api == "StartInstances" else \
                    ((64, "stopping"), (16, "running"))
                return ({"instancesSet": {"items": [{"instanceId": iid}]}},
                        {"requestId": self.uuid4(), "instancesSet": {"items": [{
                            "instanceId": iid, "currentState": {"code": cur[0], "name": cur[1]},
                            "previousState": {"code": prev[0], "name": prev[1]}}]}})
            if api == "AuthorizeSecurityGroupIngress":
                return ({"groupId": "sg-0" + self.hexid(16), "ipPermissions": {"items": [{
                    "ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                    "ipRanges": {"items": [{"cidrIp": "10.0.0.0/16"}]}}]}},
                        {"requestId": self.uuid4(), "_return": True})
        elif svc == "iam":
            user = "svc-%s" % app
            if api == "ListAccessKeys":
                return {"userName": user}, None
            if api == "ListPolicies":
                return {"scope": "Local", "onlyAttached": False}, None
            if api in ("UpdateAccessKey", "DeleteAccessKey"):
                req = {"userName": user, "accessKeyId": "AKIA" + self.hexid(16).upper()}
                if api == "UpdateAccessKey":
                    req["status"] = "Inactive"
                return req, None
            if api == "CreateRole":
                role = "%s-task-%s" % (app, self.hexid(4))
                doc = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
                       '{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
                return ({"roleName": role, "assumeRolePolicyDocument": doc},
                        {"role": {"path": "/", "roleName": role, "roleId": "AROA" + self.hexid(16).upper(),
                                  "arn": "arn:aws:iam::%s:role/%s" % (acct, role), "createDate": aws_date(t),
                                  "assumeRolePolicyDocument": doc.replace('"', "%22")}})
            if api == "AttachRolePolicy":
                return {"roleName": "%s-task" % app,
                        "policyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, None
            if api == "PutRolePolicy":
                return {"roleName": "%s-task" % app, "policyName": "inline-%s" % app,
                        "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                          '"Action":"sqs:SendMessage","Resource":"*"}]}'}, None
            if api == "DeleteUser":
                return {"userName": "ops-%s" % self.hexid(4)}, None
            if api == "UpdateAssumeRolePolicy":
                return {"roleName": "%s-task" % app, "policyDocument": '{"Version":"2012-10-17"}'}, None
        elif svc == "s3":
            bucket = "%s-%s-%s" % (app, ["assets", "exports", "tmp"][r.randrange(3)], acct)
            h = "%s.s3.amazonaws.com" % bucket
            if api == "DeleteBucket":
                return {"bucketName": bucket, "Host": h}, None
            if api == "PutBucketTagging":
                return {"bucketName": bucket, "Host": h, "tagging": "",
                        "Tagging": {"TagSet": {"Tag": {"Key": "team", "Value": app}}}}, None
        elif svc == "monitoring":
            alarm = "%s-%s-high" % (app, ["cpu", "latency", "5xx"][r.randrange(3)])
            if api == "PutMetricAlarm":
                return ({"alarmName": alarm, "metricName": "CPUUtilization", "namespace": "AWS/ECS",
                         "statistic": "Average", "period": 60, "evaluationPeriods": 3, "threshold": 80.0,
                         "comparisonOperator": "GreaterThanThreshold"}, None)
            if api == "DeleteAlarms":
                return {"alarmNames": [alarm]}, None
        elif svc == "lambda":
            fn = "%s-handler" % app
            farn = "arn:aws:lambda:%s:%s:function:%s" % (region, acct, fn)
            if api == "UpdateFunctionConfiguration20150331v2":
                return ({"functionName": fn, "memorySize": 1024, "timeout": 60},
                        {"functionName": fn, "functionArn": farn, "runtime": "python3.12", "memorySize": 1024,
                         "timeout": 60, "lastUpdateStatus": "InProgress", "state": "Active"})
            if api == "PublishVersion20150331":
                return ({"functionName": fn},
                        {"functionName": fn, "functionArn": "%s:%d" % (farn, 1 + (t // 1800) % 9000),
                         "version": str(1 + (t // 1800) % 9000), "state": "Active",
                         "codeSha256": base64.b64encode(hashlib.sha256(("%s|%d" % (fn, t)).encode())
                                                        .digest()).decode()})
        elif svc == "autoscaling":
            asg = "%s-asg" % app
            if api == "DescribeAutoScalingGroups":
                return {"autoScalingGroupNames": [asg]}, None
            if api == "SetDesiredCapacity":
                return {"autoScalingGroupName": asg, "desiredCapacity": 2 + r.randrange(30),
                        "honorCooldown": False}, None
            if api == "UpdateAutoScalingGroup":
                return {"autoScalingGroupName": asg, "minSize": 2, "maxSize": 40,
                        "desiredCapacity": 2 + r.randrange(30)}, None
        elif svc == "ecs":
            cluster = "arn:aws:ecs:%s:%s:cluster/%s" % (region, acct, ["prod", "batch"][r.randrange(2)])
            if api == "ListClusters":
                return None, None
            if api == "DescribeServices":
                return {"cluster": cluster, "services": ["%s-svc" % app]}, None
            if api == "UpdateService":
                return ({"cluster": cluster, "service": "%s-svc" % app, "desiredCount": 2 + r.randrange(20),
                         "forceNewDeployment": False},
                        {"service": {"serviceName": "%s-svc" % app, "clusterArn": cluster, "status": "ACTIVE",
                                     "serviceArn": "arn:aws:ecs:%s:%s:service/%s-svc" % (region, acct, app),
                                     "desiredCount": 2 + r.randrange(20), "launchType": "FARGATE"}})
            if api == "RunTask":
                task = "arn:aws:ecs:%s:%s:task/%s" % (region, acct, self.hexid(32))
                return ({"cluster": cluster, "taskDefinition": "%s-worker:%d" % (app, 1 + r.randrange(40)),
                         "count": 1, "launchType": "FARGATE"},
                        {"tasks": [{"taskArn": task, "clusterArn": cluster, "lastStatus": "PROVISIONING",
                                    "desiredStatus": "RUNNING", "cpu": "256", "memory": "512"}],
                         "failures": []})
        elif svc == "elasticloadbalancing":
            tg = "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s-tg/%s" % (region, acct, app, self.hexid(16))
            if api == "DescribeTargetHealth":
                return {"targetGroupArn": tg}, None
            if api in ("RegisterTargets", "DeregisterTargets"):
                return {"targetGroupArn": tg, "targets": [{"id": "i-0" + self.hexid(16), "port": 8080}]}, None
        elif svc == "cloudformation":
            stack = "arn:aws:cloudformation:%s:%s:stack/%s-stack/%s" % (region, acct, app, self.uuid4())
            if api == "DescribeStacks":
                return {"stackName": "%s-stack" % app}, None
            if api == "UpdateStack":
                return ({"stackName": "%s-stack" % app, "usePreviousTemplate": False,
                         "templateURL": "https://s3.amazonaws.com/cfn-templates-%s/%s.yaml" % (acct, app),
                         "capabilities": ["CAPABILITY_IAM"],
                         "parameters": [{"parameterKey": "ImageTag", "parameterValue": self.hexid(8)}]},
                        {"stackId": stack})
        elif svc == "rds":
            db = "%s-db-%s" % (app, self.hexid(4))
            if api == "DescribeDBInstances":
                return {"dBInstanceIdentifier": db}, None
            if api == "DeleteDBInstance":
                return ({"dBInstanceIdentifier": db, "skipFinalSnapshot": True, "deleteAutomatedBackups": True},
                        {"dBInstanceIdentifier": db, "dBInstanceClass": "db.r6g.large", "engine": "postgres",
                         "dBInstanceStatus": "deleting", "dBInstanceArn": "arn:aws:rds:%s:%s:db:%s"
                         % (region, acct, db)})
        elif svc == "secretsmanager":
            sid = "arn:aws:secretsmanager:%s:%s:secret:%s/db-%s" % (region, acct, app, self.hexid(6))
            if api in ("DescribeSecret", "GetSecretValue"):
                return {"secretId": sid}, None
            if api == "RotateSecret":
                return ({"secretId": sid, "rotateImmediately": True},
                        {"aRN": sid, "name": sid.rsplit(":", 1)[1], "versionId": self.uuid4()})
        elif svc == "glue":
            if api == "GetJobRuns":
                return {"jobName": "%s-etl" % app, "maxResults": 10}, None
            if api == "StartJobRun":
                return {"jobName": "%s-etl" % app}, {"jobRunId": "jr_" + self.hexid(64)}
        elif svc == "batch":
            if api == "DescribeJobs":
                return {"jobs": [self.uuid4()]}, None
            if api == "SubmitJob":
                jid = self.uuid4()
                return ({"jobName": "%s-report" % app, "jobQueue": "default", "jobDefinition": "%s-report:3" % app},
                        {"jobArn": "arn:aws:batch:%s:%s:job/%s" % (region, acct, jid), "jobName": "%s-report" % app,
                         "jobId": jid})
        elif svc == "logs":
            if api == "CreateLogStream":
                return {"logGroupName": "/ecs/%s-worker" % app,
                        "logStreamName": "ecs/%s-worker/%s" % (app, self.hexid(32))}, None
        elif svc == "states":
            if api == "StartExecution":
                sm = "arn:aws:states:%s:%s:stateMachine:%s-flow" % (region, acct, app)
                name = self.uuid4()
                return ({"stateMachineArn": sm, "name": name, "input": "{\"orderId\":\"%s\"}" % self.hexid(12)},
                        {"executionArn": sm.replace(":stateMachine:", ":execution:") + ":" + name,
                         "startDate": aws_date(t)})
        elif svc == "dynamodb":
            if api == "DescribeTable":
                return {"tableName": "%s-table" % app}, None
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
                rate = self.read_error_rate if read_only else self.write_error_rate
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


# --------------------------------------------------------------------------- writers

UNIQ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def write_trail_file(root, acct, region, delivered, uniq, lines, dirs=None):
    """One delivered log file, as CloudTrail names it:
    ROOT/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<uniq>.json.gz,
    the date and stamp those of the delivery time.  lines: the records' JSON texts, in file order.
    dirs: a set of folders known to exist (filled in).  Returns (path, JSON bytes)."""
    g = time.gmtime(delivered)
    d = os.path.join(root, "AWSLogs", acct, "CloudTrail", region,
                     "%04d" % g.tm_year, "%02d" % g.tm_mon, "%02d" % g.tm_mday)
    if dirs is None or d not in dirs:
        os.makedirs(d, exist_ok=True)
        if dirs is not None:
            dirs.add(d)
    name = "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, region, time.strftime("%Y%m%dT%H%MZ", g), uniq)
    body = ('{"Records":[' + ",".join(lines) + "]}").encode()
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(gzip.compress(body, compresslevel=6, mtime=0))
    return path, len(body)


def write_digest_file(org, root, acct, region, dd):
    """The CloudTrail-Digest file of day dd (readers must skip it), delivered at the day's end.
    Returns its path."""
    t0 = org.start + dd * DAY
    t1 = t0 + DAY
    g0 = time.gmtime(t0)
    d = os.path.join(root, "AWSLogs", acct, "CloudTrail-Digest", region,
                     "%04d" % g0.tm_year, "%02d" % g0.tm_mon, "%02d" % g0.tm_mday)
    os.makedirs(d, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t1))
    name = "%s_CloudTrail-Digest_%s_org-trail_%s_%s.json.gz" % (acct, region, region, stamp)
    key = "AWSLogs/%s/CloudTrail-Digest/%s/%s/%s" % (acct, region, time.strftime("%Y/%m/%d", g0), name)
    doc = {
        "awsAccountId": acct, "digestStartTime": fmt_time(t0), "digestEndTime": fmt_time(t1),
        "digestS3Bucket": "org-cloudtrail-logs", "digestS3Object": key,
        "digestPublicKeyFingerprint": stable_token(org.seed, acct, region, n=32, alphabet="0123456789abcdef"),
        "digestSignatureAlgorithm": "SHA256withRSA", "newestEventTime": None,
        "oldestEventTime": None, "previousDigestS3Bucket": None,
        "previousDigestS3Object": None, "previousDigestHashValue": None,
        "previousDigestHashAlgorithm": None, "previousDigestSignature": None,
        "logFiles": [],
    }
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), mtime=0))
    return path


class S3Writer:
    """S3 layout: DIR/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<stamp>_<uniq>.json.gz.

    org provides seed, start, days, accounts, regions.  Records are (t, seq, ai,
    region, json) tuples; add() puts each into its 5-minute delivery window
    (late_fraction of them max_late windows late at most, uniformly 1..max_late),
    flush() writes finished windows: one gzip {"Records":[...]} per account x
    region x window, records shuffled, named by a delivery time 1-4 minutes after
    the window.  digests() writes one CloudTrail-Digest file per account x region
    x day (readers must skip them)."""

    def __init__(self, org, root, late_fraction=LATE_FRACTION, max_late=1):
        self.org, self.root = org, root
        self.late_fraction, self.max_late = late_fraction, max_late
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
            if lrng.random() < self.late_fraction:
                w += 1 if self.max_late <= 1 else lrng.randint(1, self.max_late)
            self.pending.setdefault((ai, ri_of[region], w), []).append(line)

    def flush(self, before_window=None):
        keys = sorted(k for k in self.pending if before_window is None or k[2] < before_window)
        for key in keys:
            lines = self.pending.pop(key)
            self.write(key, lines)

    def write(self, key, lines):
        ai, ri, w = key
        org, lrng = self.org, self.lrng
        lrng.shuffle(lines)
        delivered = org.start + (w + 1) * WINDOW + 60 * lrng.randint(1, 4)
        uniq = "".join(lrng.choice(UNIQ_ALPHABET) for _ in range(16))
        _path, size = write_trail_file(self.root, org.accounts[ai], org.regions[ri], delivered, uniq, lines,
                                       self.dirs)
        self.files += 1
        self.bytes += size

    def digests(self):
        org = self.org
        for acct in org.accounts:
            for region in org.regions:
                for dd in range(org.days):
                    write_digest_file(org, self.root, acct, region, dd)
                    self.files += 1


class NdjsonWriter:
    """DIR/events.ndjson: one record per line, in time order (per add() batch)."""

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
