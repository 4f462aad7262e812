// A service team's program: one line of the platform team's component per
// service, instead of a Repository and its policies written out each time.

import * as pulumi from "@pulumi/pulumi";
import { ServiceRepository } from "./serviceRepository";

const config = new pulumi.Config();

const checkout = new ServiceRepository("checkout", {
    team: "payments",
    service: "checkout",
    // The checkout service's ECS task execution role.
    serviceRoleArn: config.require("serviceRoleArn"),
    ciRoleArn: config.get("ciRoleArn"),
    keepReleases: 50,
    tags: { "cost-center": "cc-1234" },
    forceDelete: config.getBoolean("forceDelete") ?? false,
});

export const repositoryUrl = checkout.repositoryUrl;
export const repositoryArn = checkout.repositoryArn;
// Attach this to the role named below (the component's comment shows how a
// platform package with the AWS provider does it itself).
export const serviceRoleName = checkout.serviceRoleName;
export const pullPolicyDocument = checkout.pullPolicyDocument;
