// Declares a repository that already exists, as `pulumi import` would write it.
import * as awsecr from "@pulumi-awsecr/awsecr";

new awsecr.Repository("legacy", {
    repositoryName: "legacy/web",
    immutableTags: false,
    scanOnPush: false,
    encryptionType: "AES256",
    forceDelete: false,
    lifecyclePolicy: { expireUntaggedAfterDays: 3 },
    tags: { owner: "web" },
}, { protect: false });
