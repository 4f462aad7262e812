import * as pulumi from "@pulumi/pulumi";
import * as awsecr from "@pulumi-awsecr/awsecr";

const config = new pulumi.Config();
const forceDelete = config.getBoolean("forceDelete") ?? false;

// Immutable tags, scan on push, AES256 encryption, safe deletion: all defaults.
const app = new awsecr.Repository("app", {
    encryptionType: (config.get("appEncryption") ?? "AES256") as awsecr.EncryptionType,
    forceDelete,
});

const api = new awsecr.Repository("api", {
    repositoryName: "platform/api",
    encryptionType: "KMS",
    kmsKey: config.require("kmsKeyArn"),
    lifecyclePolicy: {
        expireUntaggedAfterDays: 14,
        maxImageCount: config.getNumber("maxImageCount") ?? 100,
        // Pull-request images live a week; the last 30 releases are kept.
        tagged: [
            { tagPatterns: ["pr-*"], expireAfterDays: 7 },
            { tagPrefixes: ["v"], keepLast: 30 },
        ],
    },
    mutableTagExclusions: ["latest"],
    tags: {
        team: config.get("team") ?? "platform",
        service: "api",
    },
    // The ECS task execution role of the api service may pull.
    pullPrincipals: ["arn:aws:iam::123456789012:role/api-task-execution"],
    forceDelete,
});

// Registry-wide: every repository is scanned on push. Only this group is
// owned here; replication and the registry policy are left as they are.
const registry = new awsecr.Registry("registry", {
    scanning: { scanOnPush: ["*"] },
});

// A cache of ECR Public (no credential needed): the first pull of
// <registry>/ecr-public/<image> fetches it from public.ecr.aws.
const ecrPublic = new awsecr.PullThroughCacheRule("ecrPublic", {
    ecrRepositoryPrefix: "ecr-public",
    upstream: "ecr-public",
});

// The repositories the cache creates get immutable tags, AES256 and expiry
// rules, like the repositories above.
const ecrPublicRepositories = new awsecr.RepositoryTemplate("ecrPublicRepositories", {
    prefix: ecrPublic.ecrRepositoryPrefix,
    appliedFor: ["PULL_THROUGH_CACHE"],
    lifecyclePolicy: { expireUntaggedAfterDays: 1, maxImageCount: 20 },
});

export const registryId = registry.registryId;
export const appRepositoryUrl = app.repositoryUrl;
export const apiRepositoryUrl = api.repositoryUrl;
// The IAM policy the task execution role attaches: pull from platform/api only.
export const apiPullPolicy = api.pullPolicyDocument;
export const cachePrefix = ecrPublicRepositories.prefix;
