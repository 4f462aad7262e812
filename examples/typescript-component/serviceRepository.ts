// ServiceRepository: what a platform team publishes (as an npm package of its
// own) so that every service gets its image repository the same way: the
// team's defaults on an awsecr.Repository, and pull access for the IAM role
// the service runs with.
//
// Access has two halves in AWS. The repository policy (written here through
// `pullPrincipals`) lets the role pull from this repository. The role also
// needs an identity policy: `ecr:GetAuthorizationToken` has no resource, so
// only a policy on the role can grant it (and another account's role needs
// both halves). The Repository computes that identity policy as
// `pullPolicyDocument`; this component exposes it, with the role's name, for
// the role's owner to attach. A real platform package, with the AWS provider
// beside this one, attaches it itself, inside the component:
//
//     new aws.iam.RolePolicy(`${name}-pull`, {
//         role: this.serviceRoleName,
//         policy: this.pullPolicyDocument,
//     }, { parent: this });
//
// This repository has no AWS IAM provider to run that with, so the example
// stops at the document.

import * as pulumi from "@pulumi/pulumi";
import * as awsecr from "@pulumi-awsecr/awsecr";

export interface ServiceRepositoryArgs {
    /** The owning team: the repository's namespace and its `team` tag. */
    team: string;
    /** The service: the repository is `<team>/<service>`. */
    service: string;
    /**
     * The ARN of the IAM role the service's tasks or nodes pull with (an ECS
     * task execution role, an EKS node role).
     */
    serviceRoleArn: pulumi.Input<string>;
    /** A CI role that pushes the service's images, if any. */
    ciRoleArn?: pulumi.Input<string>;
    /** Release images (tags starting with `v`) kept; default 30. */
    keepReleases?: number;
    /** More tags, over the team's. */
    tags?: Record<string, pulumi.Input<string>>;
    /** Delete the repository together with its images on destroy; default false. */
    forceDelete?: pulumi.Input<boolean>;
}

/** A service's image repository with the platform team's defaults. */
export class ServiceRepository extends pulumi.ComponentResource {
    /** The repository, `<team>/<service>`. */
    public readonly repository: awsecr.Repository;
    public readonly repositoryName: pulumi.Output<string>;
    /** Where to push and pull: `<registry>/<team>/<service>`. */
    public readonly repositoryUrl: pulumi.Output<string>;
    public readonly repositoryArn: pulumi.Output<string>;
    /** The name of the service's role, the one the identity policy goes on. */
    public readonly serviceRoleName: pulumi.Output<string>;
    /**
     * The IAM policy (JSON) the service's role needs to pull: this
     * repository's pull actions on its ARN, and ecr:GetAuthorizationToken.
     */
    public readonly pullPolicyDocument: pulumi.Output<string>;

    constructor(name: string, args: ServiceRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:ServiceRepository", name, {}, opts);

        const pushPrincipals = args.ciRoleArn === undefined ? undefined : [args.ciRoleArn];
        this.repository = new awsecr.Repository(name, {
            repositoryName: `${args.team}/${args.service}`,
            // The team's defaults. Immutable tags, scan on push and AES256 are
            // the provider's own; `latest` stays movable for local pulls.
            immutableTags: true,
            mutableTagExclusions: ["latest"],
            scanOnPush: true,
            lifecyclePolicy: {
                expireUntaggedAfterDays: 7,
                tagged: [
                    { tagPatterns: ["pr-*"], expireAfterDays: 14 },
                    { tagPrefixes: ["v"], keepLast: args.keepReleases ?? 30 },
                ],
                maxImageCount: 500,
            },
            tags: { ...args.tags, team: args.team, service: args.service, "managed-by": "platform" },
            pullPrincipals: [args.serviceRoleArn],
            pushPrincipals,
            forceDelete: args.forceDelete ?? false,
        }, { parent: this });

        this.repositoryName = this.repository.repositoryName;
        this.repositoryUrl = this.repository.repositoryUrl;
        this.repositoryArn = this.repository.arn;
        this.pullPolicyDocument = this.repository.pullPolicyDocument;
        this.serviceRoleName = pulumi.output(args.serviceRoleArn).apply(roleName);

        this.registerOutputs({
            repositoryName: this.repositoryName,
            repositoryUrl: this.repositoryUrl,
            repositoryArn: this.repositoryArn,
            serviceRoleName: this.serviceRoleName,
            pullPolicyDocument: this.pullPolicyDocument,
        });
    }
}

/** `arn:aws:iam::123456789012:role/ecs/api` -> `api` (a role's path is not part of its name). */
function roleName(arn: string): string {
    const match = /^arn:[a-z-]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (match === null) {
        throw new Error(`ServiceRepository: serviceRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${arn}`);
    }
    return match[1];
}
