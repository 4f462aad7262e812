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

export const appRepositoryUrl = app.repositoryUrl;
export const apiRepositoryUrl = api.repositoryUrl;
// The IAM policy the task execution role attaches: pull from platform/api only.
export const apiPullPolicy = api.pullPolicyDocument;
